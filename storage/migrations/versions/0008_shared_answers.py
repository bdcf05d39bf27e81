"""shared answers: per-team switch and the shared thread post of each update

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 06:55:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_answers', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('shared_ts', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_column('shared_ts')
        batch_op.drop_column('shared_channel_id')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('share_answers')
