"""update initiative link

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:28:25.458057
"""

from alembic import op
import sqlalchemy as sa



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('initiative_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_updates_initiative_id_initiatives'), 'initiatives', ['initiative_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_updates_initiative_id_initiatives'), type_='foreignkey')
        batch_op.drop_column('initiative_id')

