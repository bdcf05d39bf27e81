"""The fake workspace's state: team, bot, users, channels, messages, views, files.

Workspace holds what Slack would store and the helpers the Web API methods share
(resolving a conversation, checking the bot may see or post in it, storing a
message or a view). One lock guards it all: the public methods take it, the
underscored helpers expect it held. Inspection methods return deep copies, so a
test can never change the workspace by accident.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_BASE_TS_MICROS = 1_700_000_000_000_100


class SlackError(Exception):
    """Raise from a handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def flag(value: Any) -> bool:
    """Read a boolean the way Slack does from JSON or form values."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):  # an odd zone name must not break add_user
        return 0
    return int(offset.total_seconds()) if offset else 0


class Workspace:
    """One Slack workspace as the fake stores it, with the bot installed."""

    def __init__(self, token_prefix: str, *, team_id: str, team_name: str, team_domain: str) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = "A0000001"
        self.bot_id = "B0000001"
        self.bot_user_id = "U0BOT0001"
        self.bot_name = "alignbot"
        self.bot_token = f"{token_prefix}b-0000001-fake-bot-token"
        self.scopes = (
            "commands,chat:write,chat:write.public,channels:read,channels:join,groups:read,"
            "im:write,users:read,files:write,app_mentions:read,channels:history,im:history"
        )
        # Without chat:write.public a bot must join a public channel to post in it.
        self.chat_write_public = False

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._root_url: str | None = None
        self._ids = itertools.count(1)
        self._ts_counter = itertools.count()

        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}
        self._messages: dict[str, list[dict]] = {}
        self._ephemerals: list[dict] = []
        self._scheduled: list[dict] = []
        self._views: dict[str, dict] = {}
        self._modal_stack: list[str] = []
        self._home: dict[str, dict] = {}
        self._files: dict[str, dict] = {}
        self._response_urls: dict[str, dict] = {}
        self._responses: list[dict] = []

        self.add_user(self.bot_user_id, self.bot_name, is_bot=True)

    @property
    def root_url(self) -> str:
        """Return the ``http://host:port`` the workspace is served at (set while serving)."""
        if self._root_url is None:
            raise RuntimeError("FakeSlack is not started")
        return self._root_url

    # ------------------------------------------------------------------
    # workspace set-up
    # ------------------------------------------------------------------

    def add_user(
        self,
        id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> dict:
        """Add (or replace) a workspace member; return its users.info shape."""
        name = name or id.lower()
        real_name = real_name or name.replace(".", " ").title()
        user: dict[str, Any] = {
            "id": id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": _tz_offset(tz),
            "is_admin": is_admin or is_owner,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "email": email or f"{name}@{self.team_domain}.example",
                "team": self.team_id,
            },
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id if id == self.bot_user_id else f"B{id[1:]}"
        with self._lock:
            self._users[id] = user
            return copy.deepcopy(user)

    def add_channel(
        self,
        id: str,
        name: str,
        members: Iterable[str] = (),
        *,
        is_member: bool = True,
        is_archived: bool = False,
        is_private: bool = False,
        topic: str = "",
        purpose: str = "",
    ) -> dict:
        """Add (or replace) a channel; ``is_member`` says whether the bot is in it."""
        with self._lock:
            channel = {
                "id": id,
                "name": name,
                "members": list(dict.fromkeys(members)),
                "is_member": is_member,
                "is_archived": is_archived,
                "is_private": is_private,
                "is_im": False,
                "is_mpim": False,
                "user": None,
                "created": int(time.time()),
                "topic": topic,
                "purpose": purpose,
            }
            self._set_bot_membership(channel, is_member)
            self._channels[id] = channel
            self._messages.setdefault(id, [])
            return self._channel_info(channel)

    def update_channel(self, id: str, **changes: Any) -> None:
        """Change a channel's flags (is_archived, is_member, is_private, name, members)."""
        with self._lock:
            channel = self._channels[id]
            for key, value in changes.items():
                if key not in ("is_archived", "is_member", "is_private", "name", "members", "topic", "purpose"):
                    raise KeyError(key)
                channel[key] = list(value) if key == "members" else value
            self._set_bot_membership(channel, channel["is_member"])

    def post_user_message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> str:
        """Store a message written by a person (no API call); return its ts."""
        with self._lock:
            ch = self._resolve(channel, open_im=True)
            if ch is None:
                raise KeyError(channel)
            message = self._store_message(ch, {"text": text}, thread_ts=thread_ts, user=user, bot=False)
            return message["ts"]

    def response_url(self, channel: str | None = None, message_ts: str | None = None) -> str:
        """Mint a response_url on this server; with channel/ts it can post or edit there."""
        with self._lock:
            rid = f"R{next(self._ids):08d}"
            self._response_urls[rid] = {"channel": channel, "message_ts": message_ts}
        return f"{self.root_url}/response/{rid}"

    # ------------------------------------------------------------------
    # inspection
    # ------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict]:
        """Messages in a channel (id, name, or user id for the DM), oldest first, replies included."""
        with self._lock:
            ch = self._resolve(channel, open_im=False)
            return copy.deepcopy(self._messages.get(ch["id"], [])) if ch else []

    def thread(self, channel: str, ts: str) -> list[dict]:
        """A thread's parent and replies, oldest first."""
        return [m for m in self.messages(channel) if m["ts"] == ts or m.get("thread_ts") == ts]

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        with self._lock:
            ch = self._resolve(channel, open_im=False) if channel else None
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if (channel is None or (ch is not None and e["channel"] == ch["id"]))
                and (user is None or e["user"] == user)
            ]

    def scheduled(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._scheduled)

    def responses(self) -> list[dict]:
        """Everything POSTed to minted response_urls: {id, url, body, at}."""
        with self._lock:
            return copy.deepcopy(self._responses)

    def reset_responses(self) -> None:
        with self._lock:
            self._responses.clear()

    def view(self, view_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def views(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def home(self, user_id: str) -> dict | None:
        """The App Home view last published for a user."""
        with self._lock:
            return copy.deepcopy(self._home.get(user_id))

    def files(self) -> list[dict]:
        """Uploaded files, each with its ``content`` bytes."""
        with self._lock:
            return copy.deepcopy(list(self._files.values()))

    def channel(self, channel: str) -> dict | None:
        with self._lock:
            ch = self._resolve(channel, open_im=False)
            return copy.deepcopy(ch) if ch else None

    # ------------------------------------------------------------------
    # uploads and response_url posts (called from server threads)
    # ------------------------------------------------------------------

    def handle_upload(self, file_id: str, content: bytes) -> bool:
        """Store bytes posted to an upload_url; False when the file id is unknown."""
        with self._changed:
            file = self._files.get(file_id)
            if file is None:
                return False
            file["content"] = content
            file["size"] = len(content)
            file["uploaded"] = True
            self._changed.notify_all()
            return True

    def handle_response_url(self, rid: str, body: Any) -> bool:
        """Record a post to a minted response_url and apply it; False when unknown."""
        with self._changed:
            target = self._response_urls.get(rid)
            if target is None:
                return False
            self._responses.append(
                {"id": rid, "url": f"{self.root_url}/response/{rid}", "body": body, "at": time.time()}
            )
            if isinstance(body, dict):
                self._apply_response(target, body)
            self._changed.notify_all()
            return True

    def _apply_response(self, target: dict, body: dict) -> None:
        """Do what Slack does with a response_url payload, when we know where it points."""
        ch = self._channels.get(target["channel"] or "")
        if ch is None:
            return
        ts = target["message_ts"]
        original = self._find_message(ch["id"], ts) if ts else None
        if flag(body.get("delete_original")) and original is not None:
            self._messages[ch["id"]].remove(original)
        elif flag(body.get("replace_original")) and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
        elif body.get("response_type") == "in_channel":
            content = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
            self._store_message(ch, content, thread_ts=body.get("thread_ts"), user=self.bot_user_id, bot=True)

    # ------------------------------------------------------------------
    # state helpers (call with the lock held)
    # ------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = _BASE_TS_MICROS + 100 * next(self._ts_counter)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _set_bot_membership(self, channel: dict, is_member: bool) -> None:
        members = channel["members"]
        if is_member and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        elif not is_member and self.bot_user_id in members:
            members.remove(self.bot_user_id)

    def _resolve(self, ref: Any, *, open_im: bool) -> dict | None:
        """Find a conversation by id, #name or user id (the bot's DM with that user)."""
        if not isinstance(ref, str) or not ref:
            return None
        if ref in self._channels:
            return self._channels[ref]
        name = ref.lstrip("#")
        for ch in self._channels.values():
            if ch["name"] == name and not ch["is_im"]:
                return ch
        if ref in self._users:
            for ch in self._channels.values():
                if ch["is_im"] and ch["user"] == ref:
                    return ch
            return self._open_im(ref) if open_im else None
        return None

    def _open_im(self, user_id: str) -> dict:
        channel_id = "D" + user_id[1:]
        channel = {
            "id": channel_id,
            "name": "",
            "members": [user_id, self.bot_user_id],
            "is_member": True,
            "is_archived": False,
            "is_private": True,
            "is_im": True,
            "is_mpim": False,
            "user": user_id,
            "created": int(time.time()),
            "topic": "",
            "purpose": "",
        }
        self._channels[channel_id] = channel
        self._messages.setdefault(channel_id, [])
        return channel

    def _open_mpim(self, humans: list[str]) -> dict:
        """Open a group DM between these people and the bot."""
        mpim_id = self._new_id("G")
        channel = {
            "id": mpim_id,
            "name": "mpdm-" + "--".join(self._users[u]["name"] for u in sorted(humans)) + "-1",
            "members": sorted(humans) + [self.bot_user_id],
            "is_member": True,
            "is_archived": False,
            "is_private": True,
            "is_im": False,
            "is_mpim": True,
            "user": None,
            "created": int(time.time()),
            "topic": "",
            "purpose": "",
        }
        self._channels[mpim_id] = channel
        self._messages[mpim_id] = []
        return channel

    def _channel_info(self, ch: dict) -> dict:
        if ch["is_im"]:
            return {
                "id": ch["id"],
                "created": ch["created"],
                "is_im": True,
                "is_org_shared": False,
                "user": ch["user"],
                "is_user_deleted": bool(self._users.get(ch["user"], {}).get("deleted")),
                "priority": 0,
            }
        return {
            "id": ch["id"],
            "name": ch["name"],
            "name_normalized": ch["name"],
            "is_channel": not ch["is_private"] and not ch["is_mpim"],
            "is_group": ch["is_private"] and not ch["is_mpim"],
            "is_im": False,
            "is_mpim": ch["is_mpim"],
            "is_private": ch["is_private"],
            "is_archived": ch["is_archived"],
            "is_general": ch["name"] == "general",
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": ch["is_member"],
            "created": ch["created"],
            "creator": "",
            "context_team_id": self.team_id,
            "num_members": len(ch["members"]),
            "topic": {"value": ch["topic"], "creator": "", "last_set": 0},
            "purpose": {"value": ch["purpose"], "creator": "", "last_set": 0},
        }

    def _visible(self, ref: Any) -> dict:
        """Return a conversation the bot can see, or raise channel_not_found."""
        ch = self._resolve(ref, open_im=False)
        # Slack hides private channels the bot is not in as if they did not exist.
        if ch is None or (ch["is_private"] and not ch["is_member"]):
            raise SlackError("channel_not_found")
        return ch

    def _postable(self, ref: Any) -> dict:
        """Return a conversation the bot may post in, or raise Slack's error."""
        ch = self._resolve(ref, open_im=True)
        if ch is None or (ch["is_private"] and not ch["is_member"]):
            raise SlackError("channel_not_found")
        if ch["is_archived"]:
            raise SlackError("is_archived")
        if not ch["is_member"] and not self.chat_write_public:
            raise SlackError("not_in_channel")
        return ch

    def _find_message(self, channel_id: str, ts: Any) -> dict | None:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def _readable(self, ref: Any) -> dict:
        ch = self._visible(ref)
        if not ch["is_member"]:
            raise SlackError("not_in_channel")
        return ch

    def _store_message(
        self, ch: dict, content: dict, *, thread_ts: Any, user: str, bot: bool, broadcast: bool = False
    ) -> dict:
        parent = None
        if thread_ts:
            parent = self._find_message(ch["id"], thread_ts)
            if parent is None:
                raise SlackError("thread_not_found")
            # Replying to a reply lands in the same thread, as in Slack.
            if parent.get("thread_ts") and parent["thread_ts"] != parent["ts"]:
                parent = self._find_message(ch["id"], parent["thread_ts"]) or parent
        message: dict[str, Any] = {
            "type": "message",
            **content,
            "user": user,
            "ts": self._next_ts(),
            "team": self.team_id,
        }
        if bot:
            message.update({"bot_id": self.bot_id, "app_id": self.app_id})
        if parent is not None:
            message["thread_ts"] = parent["ts"]
            if broadcast:
                message["subtype"] = "thread_broadcast"
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            reply_users = parent.setdefault("reply_users", [])
            if user not in reply_users:
                reply_users.append(user)
            parent["reply_users_count"] = len(reply_users)
            parent["latest_reply"] = message["ts"]
        self._messages.setdefault(ch["id"], []).append(message)
        return message

    def _make_view(self, payload: dict, *, root_view_id: str | None = None, previous: str | None = None) -> dict:
        view_id = self._new_id("V")
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": payload["type"],
            "title": payload.get("title"),
            "submit": payload.get("submit"),
            "close": payload.get("close"),
            "blocks": payload.get("blocks", []),
            "private_metadata": payload.get("private_metadata", ""),
            "callback_id": payload.get("callback_id", ""),
            "external_id": payload.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._new_id('h')}",
            "clear_on_close": flag(payload.get("clear_on_close", False)),
            "notify_on_close": flag(payload.get("notify_on_close", False)),
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = view
        return view
