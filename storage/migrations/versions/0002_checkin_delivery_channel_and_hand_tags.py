"""checkin delivery channel and hand tags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:01:40.511542
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_deliveries_channel_message', ['channel_id', 'message_ts'], unique=False)

    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags_by_hand', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_column('tags_by_hand')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_channel_message')
        batch_op.drop_column('channel_id')

