"""goal by model: a goal records whether the opt-in model chose its suggested objectives

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('goals', sa.Column('by_model', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # Plain ALTER TABLE, not a batch copy: SQLite's copy would break the triggers on goals (0014).
    op.drop_column('goals', 'by_model')
