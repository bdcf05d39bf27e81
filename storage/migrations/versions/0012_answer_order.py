"""answer order: when Slack sent each stored answer, so that an older one never replaces it; when Slack
sent each queued request, and which attempt of a job failed last

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: an answer stored before this revision has no order, and any answer sent since replaces it.
    op.add_column('updates', sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('updates', sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('jobs', sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('jobs', sa.Column('failed_attempt', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain drops (SQLite 3.35+ has DROP COLUMN): a batch copy of `updates` would lose its triggers (0010).
    op.drop_column('jobs', 'failed_attempt')
    op.drop_column('jobs', 'sent_at')
    op.drop_column('updates', 'acked_at')
    op.drop_column('updates', 'sent_at')
