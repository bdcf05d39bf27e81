"""workspace context and examples versions, kept by triggers

Revision ID: 0010
Revises: 0009

An answer reads its workspace row anyway; two counters on it say whether a process's cached
teams, members, objectives and cycles (`config_version`) or the tagger's labelled examples
(`examples_version`) are still current. Triggers bump them in the same transaction as the
change, whatever code (or person with psql) makes it, so every process sees it on its next read.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# One trigger per table and operation; the columns compared are NOT NULL, so `<>` is enough.
_CONFIG = [
    ('teams', ('INSERT', 'UPDATE', 'DELETE')),
    ('team_members', ('INSERT', 'UPDATE', 'DELETE')),
    ('objectives', ('INSERT', 'UPDATE', 'DELETE')),
    # Processes cache cycle ids; a new cycle is found on a miss, a deleted one must be forgotten.
    ('checkin_cycles', ('DELETE',)),
]
_UPDATE_WORKSPACE = '(SELECT workspace_id FROM updates WHERE id = {row}.update_id)'
_INITIATIVE_WORKSPACE = '(SELECT workspace_id FROM initiatives WHERE id = {row}.initiative_id)'
_EXAMPLES = [
    # (table, operation, workspace expression, condition; {row} is NEW for INSERT/UPDATE, OLD for DELETE)
    ('updates', 'INSERT', '{row}.workspace_id', 'NEW.tags_by_hand'),
    ('updates', 'UPDATE', '{row}.workspace_id',
     'OLD.tags_by_hand <> NEW.tags_by_hand OR (NEW.tags_by_hand AND OLD.text <> NEW.text)'),
    ('updates', 'DELETE', '{row}.workspace_id', 'OLD.tags_by_hand'),
    ('update_tags', 'INSERT', _UPDATE_WORKSPACE, "NEW.source = 'manual'"),
    ('update_tags', 'UPDATE', _UPDATE_WORKSPACE, "OLD.source = 'manual' OR NEW.source = 'manual'"),
    ('update_tags', 'DELETE', _UPDATE_WORKSPACE, "OLD.source = 'manual'"),
    ('initiatives', 'UPDATE', '{row}.workspace_id', 'OLD.title <> NEW.title'),
    ('initiatives', 'DELETE', '{row}.workspace_id', 'true'),
    ('initiative_tags', 'INSERT', _INITIATIVE_WORKSPACE, "NEW.source = 'manual'"),
    ('initiative_tags', 'UPDATE', _INITIATIVE_WORKSPACE, "OLD.source = 'manual' OR NEW.source = 'manual'"),
    ('initiative_tags', 'DELETE', _INITIATIVE_WORKSPACE, "OLD.source = 'manual'"),
]


def _triggers():
    """Yield (name, table, operation, counter, workspace expression, condition) of every trigger."""
    for table, operations in _CONFIG:
        for operation in operations:
            yield (f'bump_config_{table}_{operation.lower()}', table, operation, 'config_version',
                   '{row}.workspace_id', 'true')
    for table, operation, workspace, condition in _EXAMPLES:
        yield (f'bump_examples_{table}_{operation.lower()}', table, operation, 'examples_version', workspace,
               condition)


def upgrade() -> None:
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('config_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('examples_version', sa.Integer(), nullable=False, server_default='0'))
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table, operation, counter, workspace, condition in _triggers():
        row = 'OLD' if operation == 'DELETE' else 'NEW'
        bump = (f'UPDATE workspaces SET {counter} = {counter} + 1 '
                f'WHERE id = {workspace.format(row=row)}')
        if postgres:
            op.execute(f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ '
                       f'BEGIN {bump}; RETURN NULL; END $$')
            op.execute(f'CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW '
                       f'WHEN ({condition}) EXECUTE FUNCTION {name}()')
        else:
            op.execute(f'CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW '
                       f'WHEN {condition} BEGIN {bump}; END')


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table, *_ in _triggers():
        if postgres:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('examples_version')
        batch_op.drop_column('config_version')
