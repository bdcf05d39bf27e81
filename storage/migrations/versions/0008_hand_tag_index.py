"""index the hand-tagged updates of a workspace

Revision ID: 0008
Revises: 0007

The tagger's cache checks on every answer how many updates people tagged by hand and
when they last did; this index answers that from the hand-tagged rows alone, whatever
the size of the workspace's history.
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_updates_workspace_hand_tagged', 'updates', ['workspace_id', 'tags_by_hand', 'updated_at'])


def downgrade() -> None:
    op.drop_index('ix_updates_workspace_hand_tagged', table_name='updates')
