"""handoffs

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa



revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('from_team_id', sa.Integer(), nullable=False),
        sa.Column('to_team_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.String(length=8), nullable=False),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('initiative_id', sa.Integer(), nullable=True),
        sa.Column('author_user_id', sa.String(length=32), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('phrase', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('answered_by', sa.String(length=32), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.String(length=300), nullable=True),
        sa.Column('channel_id', sa.String(length=32), nullable=True),
        sa.Column('message_ts', sa.String(length=32), nullable=True),
        sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['from_team_id'], ['teams.id'], name=op.f('fk_handoffs_from_team_id_teams'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_handoffs_initiative_id_initiatives'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['to_team_id'], ['teams.id'], name=op.f('fk_handoffs_to_team_id_teams'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['update_id'], ['updates.id'], name=op.f('fk_handoffs_update_id_updates'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_handoffs_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs')),
        sa.UniqueConstraint('initiative_id', 'to_team_id', name=op.f('uq_handoffs_initiative_id_to_team_id')),
        sa.UniqueConstraint('update_id', 'to_team_id', name=op.f('uq_handoffs_update_id_to_team_id')),
    )
    op.create_index('ix_handoffs_workspace_week', 'handoffs', ['workspace_id', 'week'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_handoffs_workspace_week', table_name='handoffs')
    op.drop_table('handoffs')
