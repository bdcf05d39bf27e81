"""shared answers and questions per team: the sharing switch, each update's shared post, the team's
questions and the answers given per question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:55:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_answers', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('questions', sa.JSON(), nullable=True))
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_channel_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('shared_ts', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('updates', schema=None) as batch_op:
        batch_op.drop_column('answers')
        batch_op.drop_column('shared_ts')
        batch_op.drop_column('shared_channel_id')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('questions')
        batch_op.drop_column('share_answers')
