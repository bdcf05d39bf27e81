"""tag confidence on updates, examples on objectives

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags_confident', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('examples', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.drop_column('examples')
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_column('tags_confident')
