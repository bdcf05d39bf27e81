"""team goals: each team's own goals and the objectives they serve

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:30:00.000000

A goal's links are rows of `goal_objectives`, so an objective's id stays the one truth of its key.
Changing a goal or its links moves the workspace's `config_version` (see revision 0010): the
tagger and cached contexts read goals.
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_GOAL_WORKSPACE = '(SELECT workspace_id FROM goals WHERE id = {row}.goal_id)'
# (name, table, operation, workspace expression; {row} is NEW for INSERT/UPDATE, OLD for DELETE)
_TRIGGERS = [
    ('bump_config_goals_insert', 'goals', 'INSERT', '{row}.workspace_id'),
    ('bump_config_goals_update', 'goals', 'UPDATE', '{row}.workspace_id'),
    ('bump_config_goals_delete', 'goals', 'DELETE', '{row}.workspace_id'),
    ('bump_config_goal_objectives_insert', 'goal_objectives', 'INSERT', _GOAL_WORKSPACE),
    ('bump_config_goal_objectives_delete', 'goal_objectives', 'DELETE', _GOAL_WORKSPACE),
]


def upgrade() -> None:
    op.create_table(
        'goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('suggested', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('confident', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_by', sa.String(length=32), nullable=True),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_goals_team_id_teams'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['workspace_id'], ['workspaces.id'], name=op.f('fk_goals_workspace_id_workspaces'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    )
    op.create_index('ix_goals_workspace_team', 'goals', ['workspace_id', 'team_id'], unique=False)
    op.create_table(
        'goal_objectives',
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('objective_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['goal_id'], ['goals.id'], name=op.f('fk_goal_objectives_goal_id_goals'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['objective_id'], ['objectives.id'], name=op.f('fk_goal_objectives_objective_id_objectives'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('goal_id', 'objective_id', name=op.f('pk_goal_objectives')),
    )
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table, operation, workspace in _TRIGGERS:
        row = 'OLD' if operation == 'DELETE' else 'NEW'
        bump = f'UPDATE workspaces SET config_version = config_version + 1 WHERE id = {workspace.format(row=row)}'
        if postgres:
            op.execute(f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ '
                       f'BEGIN {bump}; RETURN NULL; END $$')
            op.execute(f'CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()')
        else:
            op.execute(f'CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW BEGIN {bump}; END')


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table, *_ in _TRIGGERS:
        if postgres:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.drop_table('goal_objectives')
    op.drop_index('ix_goals_workspace_team', table_name='goals')
    op.drop_table('goals')
