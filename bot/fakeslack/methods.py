"""The Web API methods the fake answers, one function each, in the METHODS table.

A method gets the Workspace (with its lock held) and the call's arguments, and
returns the answer's body without ``ok``, or raises SlackError. Methods are part
of the fake itself, so they work on the workspace's stores directly. They check
arguments and payloads as strictly as Slack does, and sometimes more strictly.
"""

from __future__ import annotations

import base64
import copy
import time
from collections.abc import Callable
from typing import Any

from bot.fakeslack import blockkit
from bot.fakeslack.state import SlackError, Workspace, flag


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        kind, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(offset)
    except ValueError as exc:
        raise SlackError("invalid_cursor") from exc


def _page(items: list, args: dict, default_limit: int) -> tuple[list, str]:
    """Slice items by Slack's cursor/limit arguments; return the page and next cursor."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_limit") from exc
    if limit <= 0:
        limit = default_limit
    start = _decode_cursor(args["cursor"]) if args.get("cursor") else 0
    end = start + limit
    return items[start:end], (_encode_cursor(end) if end < len(items) else "")


def _content(args: dict) -> dict:
    """Validate text/blocks/attachments of a message; return the stored fields."""
    text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
    if blocks is not None and not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    if not text and not blocks and not attachments:
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > blockkit.MESSAGE_TEXT_LIMIT:
        raise SlackError("msg_too_long")
    if blocks:
        errors = blockkit.validate(blocks, "message")
        if errors:
            raise SlackError("invalid_blocks", errors=errors, response_metadata={"messages": errors})
    content: dict[str, Any] = {"text": text or ""}
    if blocks is not None:
        content["blocks"] = blocks
    if attachments is not None:
        content["attachments"] = attachments
    if args.get("metadata") is not None:
        content["metadata"] = args["metadata"]
    return content


def _view_errors(view: Any) -> None:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    errors = blockkit.validate_view(view)
    if errors:
        raise SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})


def _require(args: dict, *names: str) -> None:
    missing = [n for n in names if args.get(n) in (None, "")]
    if missing:
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] missing required field: {n}" for n in missing]},
        )


def api_test(ws: Workspace, args: dict) -> dict:
    if args.get("error"):
        raise SlackError(str(args["error"]), args=args)
    return {"args": args}


def auth_test(ws: Workspace, args: dict) -> dict:
    return {
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def bots_info(ws: Workspace, args: dict) -> dict:
    if args.get("bot") not in (None, "", ws.bot_id):
        raise SlackError("bot_not_found")
    return {
        "bot": {
            "id": ws.bot_id,
            "deleted": False,
            "name": ws.bot_name,
            "updated": int(time.time()),
            "app_id": ws.app_id,
            "user_id": ws.bot_user_id,
            "icons": {"image_36": "", "image_48": "", "image_72": ""},
        }
    }


def team_info(ws: Workspace, args: dict) -> dict:
    if args.get("team") not in (None, "", ws.team_id):
        raise SlackError("team_not_found")
    return {
        "team": {
            "id": ws.team_id,
            "name": ws.team_name,
            "domain": ws.team_domain,
            "email_domain": "",
            "icon": {"image_default": True},
            "enterprise_id": None,
        }
    }


def oauth_v2_access(ws: Workspace, args: dict) -> dict:
    if not args.get("client_id"):
        raise SlackError("invalid_client_id")
    if not args.get("code"):
        raise SlackError("invalid_code")
    installer = next(
        (u["id"] for u in ws._users.values() if not u["is_bot"] and u["is_admin"]),
        next((u["id"] for u in ws._users.values() if not u["is_bot"]), "U0INSTALL1"),
    )
    return {
        "app_id": ws.app_id,
        "authed_user": {"id": installer},
        "scope": ws.scopes,
        "token_type": "bot",
        "access_token": ws.bot_token,
        "bot_user_id": ws.bot_user_id,
        "team": {"id": ws.team_id, "name": ws.team_name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def chat_post_message(ws: Workspace, args: dict) -> dict:
    if not args.get("channel"):
        raise SlackError("channel_not_found")
    ch = ws._postable(args["channel"])
    content = _content(args)
    message = ws._store_message(
        ch,
        content,
        thread_ts=args.get("thread_ts"),
        user=ws.bot_user_id,
        bot=True,
        broadcast=flag(args.get("reply_broadcast")),
    )
    return {"channel": ch["id"], "ts": message["ts"], "message": copy.deepcopy(message)}


def chat_post_ephemeral(ws: Workspace, args: dict) -> dict:
    if not args.get("channel"):
        raise SlackError("channel_not_found")
    ch = ws._postable(args["channel"])
    user = args.get("user")
    if user not in ws._users:
        raise SlackError("user_not_found")
    if user not in ch["members"]:
        raise SlackError("user_not_in_channel")
    content = _content(args)
    ts = ws._next_ts()
    ws._ephemerals.append(
        {"channel": ch["id"], "user": user, "message_ts": ts, "thread_ts": args.get("thread_ts"), **content}
    )
    return {"message_ts": ts}


def _bot_message(ws: Workspace, args: dict, refusal: str) -> tuple[dict, dict]:
    """Return (channel, message) of the bot's own message the call names; Slack refuses anyone else's."""
    ch = ws._visible(args.get("channel"))
    message = ws._find_message(ch["id"], args.get("ts"))
    if message is None:
        raise SlackError("message_not_found")
    if message.get("user") != ws.bot_user_id:
        raise SlackError(refusal)
    return ch, message


def chat_update(ws: Workspace, args: dict) -> dict:
    ch, message = _bot_message(ws, args, "cant_update_message")
    if ch["is_archived"]:
        raise SlackError("is_archived")
    content = _content(args)
    if "blocks" not in content and "blocks" in args:
        message.pop("blocks", None)
    message.update(content)
    message["edited"] = {"user": ws.bot_user_id, "ts": ws._next_ts()}
    return {"channel": ch["id"], "ts": message["ts"], "text": message["text"], "message": copy.deepcopy(message)}


def chat_delete(ws: Workspace, args: dict) -> dict:
    ch, message = _bot_message(ws, args, "cant_delete_message")
    ws._messages[ch["id"]].remove(message)
    return {"channel": ch["id"], "ts": message["ts"]}


def chat_get_permalink(ws: Workspace, args: dict) -> dict:
    ch = ws._visible(args.get("channel"))
    message = ws._find_message(ch["id"], args.get("message_ts"))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{ws.team_domain}.slack.com/archives/{ch['id']}/p{message['ts'].replace('.', '')}"
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        link += f"?thread_ts={message['thread_ts']}&cid={ch['id']}"
    return {"channel": ch["id"], "permalink": link}


def chat_schedule_message(ws: Workspace, args: dict) -> dict:
    if not args.get("channel"):
        raise SlackError("channel_not_found")
    try:
        post_at = int(float(args.get("post_at", "")))
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_time") from exc
    now = time.time()
    if post_at <= now:
        raise SlackError("time_in_past")
    if post_at > now + 120 * 86400:
        raise SlackError("time_too_far")
    ch = ws._postable(args["channel"])
    content = _content(args)
    scheduled = {
        "id": ws._new_id("Q"),
        "channel_id": ch["id"],
        "post_at": post_at,
        "date_created": int(now),
        "thread_ts": args.get("thread_ts"),
        **content,
    }
    ws._scheduled.append(scheduled)
    return {
        "channel": ch["id"],
        "scheduled_message_id": scheduled["id"],
        "post_at": post_at,
        "message": {"type": "delayed_message", "user": ws.bot_user_id, "bot_id": ws.bot_id, **content},
    }


def conversations_info(ws: Workspace, args: dict) -> dict:
    return {"channel": ws._channel_info(ws._visible(args.get("channel")))}


def conversations_join(ws: Workspace, args: dict) -> dict:
    ch = ws._visible(args.get("channel"))
    if ch["is_im"] or ch["is_mpim"] or ch["is_private"]:
        raise SlackError("method_not_supported_for_channel_type")
    if ch["is_archived"]:
        raise SlackError("is_archived")
    extra: dict[str, Any] = {}
    if ch["is_member"]:
        extra = {"warning": "already_in_channel", "response_metadata": {"warnings": ["already_in_channel"]}}
    ch["is_member"] = True
    ws._set_bot_membership(ch, True)
    return {"channel": ws._channel_info(ch), **extra}


def conversations_members(ws: Workspace, args: dict) -> dict:
    ch = ws._visible(args.get("channel"))
    members, cursor = _page(ch["members"], args, 100)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def conversations_open(ws: Workspace, args: dict) -> dict:
    if args.get("channel"):
        ch = ws._visible(args["channel"])
        return {"channel": ws._channel_info(ch) if flag(args.get("return_im")) else {"id": ch["id"]}}
    users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not users:
        raise SlackError("users_list_not_supplied")
    for user in users:
        if user not in ws._users:
            raise SlackError("user_not_found")
    humans = [u for u in users if u != ws.bot_user_id]
    if len(humans) == 1:
        existing = ws._resolve(humans[0], open_im=False)
        ch = existing or ws._open_im(humans[0])
        shown = ws._channel_info(ch) if flag(args.get("return_im")) else {"id": ch["id"]}
        body: dict[str, Any] = {"channel": shown}
        if existing is not None:
            body.update({"no_op": True, "already_open": True})
        return body
    if len(humans) > 8:
        raise SlackError("too_many_users")
    members = sorted(humans) + [ws.bot_user_id]
    for ch in ws._channels.values():
        if ch["is_mpim"] and sorted(ch["members"]) == sorted(members):
            return {"channel": ws._channel_info(ch), "no_op": True, "already_open": True}
    return {"channel": ws._channel_info(ws._open_mpim(humans))}


def conversations_history(ws: Workspace, args: dict) -> dict:
    ch = ws._readable(args.get("channel"))
    inclusive = flag(args.get("inclusive"))
    oldest = float(args.get("oldest") or 0)
    latest = float(args.get("latest") or "inf")

    def in_range(ts: float) -> bool:
        return oldest <= ts <= latest if inclusive else oldest < ts < latest

    top = [
        m
        for m in ws._messages[ch["id"]]
        if (m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast")
        and in_range(float(m["ts"]))
    ]
    top.reverse()  # Slack lists history newest first
    page, cursor = _page(top, args, 100)
    return {
        "messages": copy.deepcopy(page),
        "has_more": bool(cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_replies(ws: Workspace, args: dict) -> dict:
    ch = ws._readable(args.get("channel"))
    ts = args.get("ts")
    parent = ws._find_message(ch["id"], ts)
    if parent is None:
        raise SlackError("thread_not_found")
    root = parent.get("thread_ts") or parent["ts"]
    thread = [m for m in ws._messages[ch["id"]] if m["ts"] == root or m.get("thread_ts") == root]
    page, cursor = _page(thread, args, 1000)
    return {"messages": copy.deepcopy(page), "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}


def users_info(ws: Workspace, args: dict) -> dict:
    user = ws._users.get(args.get("user") or "")
    if user is None:
        raise SlackError("user_not_found")
    return {"user": copy.deepcopy(user)}


def users_list(ws: Workspace, args: dict) -> dict:
    page, cursor = _page(list(ws._users.values()), args, 1000)
    return {
        "members": copy.deepcopy(page),
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": cursor},
    }


def views_open(ws: Workspace, args: dict) -> dict:
    _require(args, "trigger_id", "view")
    view = args["view"]
    _view_errors(view)
    if view.get("type") != "modal":
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be modal"]})
    created = ws._make_view(view)
    ws._modal_stack = [created["id"]]
    return {"view": copy.deepcopy(created)}


def views_push(ws: Workspace, args: dict) -> dict:
    _require(args, "trigger_id", "view")
    view = args["view"]
    _view_errors(view)
    if not ws._modal_stack:
        raise SlackError("not_found")
    if len(ws._modal_stack) >= 3:
        raise SlackError("push_limit_reached")
    created = ws._make_view(view, root_view_id=ws._modal_stack[0], previous=ws._modal_stack[-1])
    ws._modal_stack.append(created["id"])
    return {"view": copy.deepcopy(created)}


def views_update(ws: Workspace, args: dict) -> dict:
    _require(args, "view")
    if not args.get("view_id") and not args.get("external_id"):
        raise SlackError(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] view_id or external_id required"]}
        )
    current = ws._views.get(args.get("view_id") or "")
    if current is None and args.get("external_id"):
        current = next((v for v in ws._views.values() if v["external_id"] == args["external_id"]), None)
    if current is None:
        raise SlackError("not_found")
    if args.get("hash") and args["hash"] != current["hash"]:
        raise SlackError("hash_conflict")
    view = args["view"]
    _view_errors(view)
    replacement = ws._make_view(view, root_view_id=current["root_view_id"], previous=current["previous_view_id"])
    # The view keeps its id across updates; only the freshly minted entry goes.
    del ws._views[replacement["id"]]
    replacement["id"] = current["id"]
    ws._views[current["id"]] = replacement
    for user, home in ws._home.items():
        if home["id"] == current["id"]:
            ws._home[user] = replacement
    return {"view": copy.deepcopy(replacement)}


def views_publish(ws: Workspace, args: dict) -> dict:
    _require(args, "user_id", "view")
    user_id = args["user_id"]
    if user_id not in ws._users:
        raise SlackError("user_not_found")
    view = args["view"]
    _view_errors(view)
    if view.get("type") != "home":
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be home"]})
    current = ws._home.get(user_id)
    if current is not None and args.get("hash") and args["hash"] != current["hash"]:
        raise SlackError("hash_conflict")
    published = ws._make_view(view)
    if current is not None:
        del ws._views[published["id"]]
        published["id"] = published["root_view_id"] = current["id"]
        ws._views[current["id"]] = published
    ws._home[user_id] = published
    return {"view": copy.deepcopy(published)}


def files_get_upload_url_external(ws: Workspace, args: dict) -> dict:
    _require(args, "filename", "length")
    try:
        length = int(args["length"])
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_arguments") from exc
    file_id = ws._new_id("F")
    ws._files[file_id] = {
        "id": file_id,
        "name": args["filename"],
        "title": args["filename"],
        "size": length,
        "alt_txt": args.get("alt_txt"),
        "created": int(time.time()),
        "user": ws.bot_user_id,
        "uploaded": False,
        "content": None,
        "channels": [],
        "permalink": f"https://{ws.team_domain}.slack.com/files/{ws.bot_user_id}/{file_id}/{args['filename']}",
        "url_private": f"{ws.root_url}/files/{file_id}/{args['filename']}",
    }
    return {"upload_url": f"{ws.root_url}/upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(ws: Workspace, args: dict) -> dict:
    entries = args.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] files must be a list"]})
    files = []
    for entry in entries:
        file = ws._files.get(entry.get("id", "")) if isinstance(entry, dict) else None
        # A file whose bytes never arrived is unknown to Slack.
        if file is None or not file["uploaded"]:
            raise SlackError("file_not_found")
        if entry.get("title"):
            file["title"] = entry["title"]
        files.append(file)
    targets = []
    if args.get("channel_id"):
        targets.append(args["channel_id"])
    targets += [c for c in str(args.get("channels") or "").split(",") if c]
    channels = [ws._postable(ref) for ref in targets]
    public = [{k: v for k, v in f.items() if k not in ("content", "uploaded")} for f in files]
    for ch in channels:
        content: dict[str, Any] = {"text": args.get("initial_comment") or "", "files": public, "upload": True}
        ws._store_message(ch, content, thread_ts=args.get("thread_ts"), user=ws.bot_user_id, bot=True)
        for file in files:
            file["channels"].append(ch["id"])
    return {"files": [{k: v for k, v in f.items() if k not in ("content", "uploaded")} for f in files]}


# ----------------------------------------------------------------------


# HTTP plumbing


METHODS: dict[str, Callable[[Workspace, dict], dict]] = {
    "api.test": api_test,
    "auth.test": auth_test,
    "bots.info": bots_info,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.postMessage": chat_post_message,
    "chat.scheduleMessage": chat_schedule_message,
    "chat.update": chat_update,
    "conversations.history": conversations_history,
    "conversations.info": conversations_info,
    "conversations.join": conversations_join,
    "conversations.members": conversations_members,
    "conversations.open": conversations_open,
    "conversations.replies": conversations_replies,
    "files.completeUploadExternal": files_complete_upload_external,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "oauth.v2.access": oauth_v2_access,
    "team.info": team_info,
    "users.info": users_info,
    "users.list": users_list,
    "views.open": views_open,
    "views.publish": views_publish,
    "views.push": views_push,
    "views.update": views_update,
}
# Methods that answer without a token.
NO_AUTH = ("api.test", "oauth.v2.access")
