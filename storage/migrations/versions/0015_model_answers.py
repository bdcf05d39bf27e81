"""model answers: the opt-in model's answers kept per workspace, its requests counted per workspace a day,
and a workspace's switch to turn the model off (with its last fault)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07 05:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
# Sits on 0013 until 0014 (team goals) is merged; then it is renumbered to sit on '0014'.
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch copy: SQLite's copy would break the triggers on workspaces (0010).
    op.add_column('workspaces', sa.Column('model_off', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('workspaces', sa.Column('model_fault', sa.String(length=200), nullable=True))
    op.add_column('workspaces', sa.Column('model_fault_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'model_answers',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('objectives', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['workspace_id'], ['workspaces.id'], name=op.f('fk_model_answers_workspace_id_workspaces'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('workspace_id', 'key', name=op.f('pk_model_answers')),
    )
    op.create_table(
        'model_days',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('requests', sa.Integer(), nullable=False),
        sa.Column('cap_noted', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ['workspace_id'], ['workspaces.id'], name=op.f('fk_model_days_workspace_id_workspaces'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('workspace_id', 'day', name=op.f('pk_model_days')),
    )


def downgrade() -> None:
    op.drop_table('model_days')
    op.drop_table('model_answers')
    for column in ('model_fault_at', 'model_fault', 'model_off'):
        op.drop_column('workspaces', column)
