"""jobs: the durable queue of acked requests whose work a worker still has to do

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slack_team_id', sa.String(length=32), nullable=True),
        sa.Column('function', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    )
    op.create_index('ix_jobs_due_at', 'jobs', ['due_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_jobs_due_at', table_name='jobs')
    op.drop_table('jobs')
