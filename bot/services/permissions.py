"""Who may administer Alignbot: ALIGNBOT_ADMINS, and Slack workspace admins and owners."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.services.errors import Refused, slack_problem
from bot.settings import Settings
from bot.slack import SlackClients

# users.info is Slack's Tier 4: cached, the demo story asks it 34 times, uncached 43 (slack_calls.py).
# Long enough to spare users.info on every command, short enough that a demoted admin loses rights soon.
TTL_SECONDS = 300.0
MAX_ENTRIES = 10_000


class Permissions:
    """Answer "is this person an admin?" with users.info, cached per (workspace, user)."""

    def __init__(
        self,
        settings: Settings,
        clients: SlackClients,
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._clients = clients
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], tuple[float, dict[str, Any] | None]] = OrderedDict()

    def user_info(self, slack_team_id: str, user_id: str) -> dict[str, Any] | None:
        """Return Slack's users.info `user` object (None for an unknown user), cached for a while."""
        key = (slack_team_id, user_id)
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        try:
            info: dict[str, Any] | None = self._clients.for_team(slack_team_id).users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") not in ("user_not_found", "user_not_visible"):
                raise slack_problem(error) from error
            info = None
        with self._lock:
            self._cache[key] = (now + self._ttl, info)
            self._cache.move_to_end(key)
            while len(self._cache) > MAX_ENTRIES:
                self._cache.popitem(last=False)
        return info

    def is_admin(self, slack_team_id: str, user_id: str) -> bool:
        """Say whether the user may administer Alignbot in this workspace."""
        if user_id in self._settings.admin_ids:
            return True
        info = self.user_info(slack_team_id, user_id)
        if not info or info.get("deleted") or info.get("is_bot"):
            return False
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))

    def require_admin(self, slack_team_id: str, user_id: str, doing: str) -> None:
        """Raise Refused, naming who may, unless the user is an admin."""
        if not self.is_admin(slack_team_id, user_id):
            raise Refused(f"Only Alignbot admins can {doing}: {self.who_may()}.")

    def who_may(self) -> str:
        """Describe who the admins are."""
        named = sorted(self._settings.admin_ids)
        if not named:
            return "Slack workspace admins and owners"
        people = ", ".join(f"<@{user}>" for user in named[:10])
        return f"Slack workspace admins and owners, and {people} (ALIGNBOT_ADMINS)"

    def timezone_of(self, slack_team_id: str, user_id: str) -> str | None:
        """Return the user's Slack time zone name, if Slack knows it."""
        info = self.user_info(slack_team_id, user_id)
        tz = (info or {}).get("tz")
        return tz if isinstance(tz, str) and tz else None

    def forget(self, slack_team_id: str | None = None) -> None:
        """Drop cached answers (for one workspace, or all)."""
        with self._lock:
            for key in [k for k in self._cache if slack_team_id is None or k[0] == slack_team_id]:
                del self._cache[key]


def display_name(info: dict[str, Any] | None) -> str | None:
    """Return the name Slack shows for a users.info `user` object, if it has one."""
    if not info:
        return None
    profile = info.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or info.get("real_name") or info.get("name")
    return str(name) if name else None
