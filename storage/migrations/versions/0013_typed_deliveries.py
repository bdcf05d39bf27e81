"""typed deliveries: the team, person, teams, channel or handoff a delivery is for in columns of their own,
instead of one `target` text; `kind` checked against the kinds written

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

KINDS = ('prompt', 'dm_prompt', 'reminder', 'nudge', 'digest', 'digest_chart', 'handoffs', 'handoff_reminder')
# Each typed column of the key, with what stands for "none" in the unique index (SQL's NULLs are distinct).
KEY_NONE = {'team_id': 0, 'team_ids': '[]', 'user_id': '', 'from_team_id': 0, 'to_channel_id': '', 'handoff_id': 0}
TEAM_IDS = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), 'postgresql')

deliveries = sa.table(
    'deliveries',
    sa.column('id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('target', sa.String),
    sa.column('team_id', sa.Integer),
    sa.column('team_ids', TEAM_IDS),
    sa.column('user_id', sa.String),
    sa.column('from_team_id', sa.Integer),
    sa.column('to_channel_id', sa.String),
    sa.column('handoff_id', sa.Integer),
)
TYPED = ('team_id', 'team_ids', 'user_id', 'from_team_id', 'to_channel_id', 'handoff_id')


def typed(kind: str, target: str) -> dict:
    """Return the typed columns of a row written with `target` text."""
    row: dict = dict.fromkeys(TYPED)
    if kind == 'prompt':
        row['team_id'] = int(target.removeprefix('team:'))
    elif kind in ('dm_prompt', 'reminder', 'nudge'):
        teams, _, row['user_id'] = target.partition(':user:')
        if teams.startswith('teams:'):
            row['team_ids'] = [int(t) for t in teams.removeprefix('teams:').split(',')]
        else:
            row['team_id'] = int(teams.removeprefix('team:'))
    elif kind == 'handoffs':
        source, _, to = target.partition('>')
        row['from_team_id'], row['team_id'] = int(source), int(to)
    elif kind == 'handoff_reminder':
        row['handoff_id'] = int(target.removeprefix('handoff:'))
    elif kind in ('digest', 'digest_chart'):
        row['to_channel_id'] = target
    else:
        raise ValueError(f'delivery of unknown kind {kind!r}')
    return row


def target(row) -> str:
    """Return the `target` text of a typed row, as it was written before this revision."""
    if row.kind == 'prompt':
        return f'team:{row.team_id}'
    if row.kind in ('dm_prompt', 'reminder', 'nudge'):
        teams = f"teams:{','.join(map(str, row.team_ids))}" if row.team_ids else f'team:{row.team_id}'
        return f'{teams}:user:{row.user_id}'
    if row.kind == 'handoffs':
        return f'{row.from_team_id}>{row.team_id}'
    if row.kind == 'handoff_reminder':
        return f'handoff:{row.handoff_id}'
    return row.to_channel_id


def upgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('team_ids', TEAM_IDS, nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('from_team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('to_channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('handoff_id', sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = [(row.id, typed(row.kind, row.target)) for row in connection.execute(sa.select(deliveries))]
    for delivery_id, values in rows:
        connection.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(**values))
    # A claim for a team or handoff that is gone can never be sent again: the new keys would dangle.
    for column, table in (('team_id', 'teams'), ('from_team_id', 'teams'), ('handoff_id', 'handoffs')):
        gone = sa.table(table, sa.column('id', sa.Integer))
        connection.execute(
            deliveries.delete().where(
                deliveries.c[column].is_not(None), deliveries.c[column].not_in(sa.select(gone.c.id))
            )
        )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deliveries_workspace_id_kind_target_week', type_='unique')
        batch_op.drop_column('target')
        batch_op.alter_column('kind', existing_type=sa.String(length=32), type_=sa.String(length=16))
        batch_op.create_check_constraint(batch_op.f('ck_deliveries_delivery_kind'), sa.column('kind').in_(KINDS))
        batch_op.create_foreign_key(
            batch_op.f('fk_deliveries_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_deliveries_from_team_id_teams'), 'teams', ['from_team_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_deliveries_handoff_id_handoffs'), 'handoffs', ['handoff_id'], ['id'], ondelete='CASCADE'
        )
    op.create_index(
        'uq_deliveries_key',
        'deliveries',
        ['workspace_id', 'kind', 'week', *(sa.text(f'coalesce({c}, {none!r})') for c, none in KEY_NONE.items())],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index('uq_deliveries_key', table_name='deliveries')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = [(row.id, target(row)) for row in connection.execute(sa.select(deliveries))]
    for delivery_id, text in rows:
        connection.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(target=text))
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deliveries_handoff_id_handoffs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_deliveries_from_team_id_teams'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_deliveries_team_id_teams'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_deliveries_delivery_kind'), type_='check')
        batch_op.alter_column('kind', existing_type=sa.String(length=16), type_=sa.String(length=32))
        batch_op.alter_column('target', existing_type=sa.String(length=64), nullable=False)
        for column in reversed(TYPED):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint(
            batch_op.f('uq_deliveries_workspace_id_kind_target_week'), ['workspace_id', 'kind', 'target', 'week']
        )
