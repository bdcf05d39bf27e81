"""model pause and prune: a workspace pauses the model after the endpoint fails (the streak and until when),
and each kept answer records its objectives' version so that answers to old versions can be dropped

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch copy: SQLite's copy would break the triggers on workspaces (0010).
    op.add_column('workspaces', sa.Column('model_fault_streak', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('workspaces', sa.Column('model_retry_at', sa.DateTime(timezone=True), nullable=True))
    # Answers kept before this revision have no version: '' matches none, so the next prune drops them.
    op.add_column('model_answers', sa.Column('version', sa.String(length=16), server_default='', nullable=False))
    op.create_index('ix_model_answers_workspace_created', 'model_answers', ['workspace_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_model_answers_workspace_created', table_name='model_answers')
    op.drop_column('model_answers', 'version')
    for column in ('model_retry_at', 'model_fault_streak'):
        op.drop_column('workspaces', column)
