"""Tables of slack_sdk's SQLAlchemy installation and OAuth state stores.

They live in our database and so go through our migrations; slack_sdk's own
table builders define them, so the stores and the schema cannot drift apart.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

slack_metadata = MetaData()
SQLAlchemyInstallationStore.build_installations_table(slack_metadata, INSTALLATIONS_TABLE)
SQLAlchemyInstallationStore.build_bots_table(slack_metadata, BOTS_TABLE)
SQLAlchemyOAuthStateStore.build_oauth_states_table(slack_metadata, OAUTH_STATES_TABLE)


def enterprise_workspaces(session: Session, enterprise_id: str) -> list[str]:
    """Return the workspaces of an Enterprise Grid org that installed the app one by one."""
    # Deliberately across workspaces: the org is what Slack names when it uninstalls the app org-wide.
    installations = slack_metadata.tables[INSTALLATIONS_TABLE]
    return list(
        session.scalars(
            select(installations.c.team_id)
            .distinct()
            .where(
                installations.c.enterprise_id == enterprise_id,
                installations.c.team_id.is_not(None),
            )
            .order_by(installations.c.team_id)
        )
    )
