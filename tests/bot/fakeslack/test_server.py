"""FakeSlack answers slack_sdk's real WebClient over loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.fakeslack import FakeSlack
from tests.bot.fakeslack.conftest import error_of

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}
MODAL = {
    "type": "modal",
    "callback_id": "checkin",
    "title": {"type": "plain_text", "text": "Weekly check-in"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "moved",
            "label": {"type": "plain_text", "text": "What moved forward?"},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
        }
    ],
}


# -- lifecycle and auth -----------------------------------------------------


def test_base_url_needs_a_started_server() -> None:
    fake = FakeSlack()
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    with fake:
        assert fake.base_url.startswith("http://127.0.0.1:")
        assert fake.base_url.endswith("/api/")
    fake.stop()  # a second stop is harmless


def test_auth_test_describes_the_bot(fake: FakeSlack, client: WebClient) -> None:
    data = client.auth_test().data
    assert data["team_id"] == "T0000001"
    assert data["user_id"] == fake.bot_user_id
    assert data["bot_id"] == fake.bot_id


def test_missing_unknown_and_revoked_tokens_are_refused(fake: FakeSlack) -> None:
    assert error_of(WebClient(base_url=fake.base_url).auth_test)[0] == "not_authed"
    assert error_of(WebClient(token="bogus", base_url=fake.base_url).auth_test)[0] == "invalid_auth"
    fake.revoke_token(fake.bot_token)
    assert error_of(WebClient(token=fake.bot_token, base_url=fake.base_url).auth_test)[0] == "token_revoked"


def test_token_may_come_as_a_form_parameter(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.base_url)
    response = anonymous.api_call("auth.test", params={"token": fake.bot_token})
    assert response["ok"] is True
    assert "token" not in fake.calls[-1].args  # never recorded


def test_api_test_needs_no_token_and_unknown_methods_fail(fake: FakeSlack, client: WebClient) -> None:
    assert WebClient(base_url=fake.base_url).api_test(foo="bar")["args"] == {"foo": "bar"}
    assert error_of(lambda: client.api_call("nope.never"))[0] == "unknown_method"


# -- messages -----------------------------------------------------------------


def test_post_message_records_text_blocks_and_ts(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C0MKTG01", text="hi", blocks=[SECTION])
    second = client.chat_postMessage(channel="#marketing", text="again")
    assert first["channel"] == second["channel"] == "C0MKTG01"
    assert float(second["ts"]) > float(first["ts"])
    [one, two] = fake.messages("C0MKTG01")
    assert one["text"] == "hi" and one["blocks"] == [SECTION] and one["user"] == fake.bot_user_id
    assert two["ts"] == second["ts"]
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == [SECTION]


def test_form_encoded_blocks_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    client.api_call("chat.postMessage", params={"channel": "C0MKTG01", "text": "form", "blocks": json.dumps([SECTION])})
    assert fake.messages("marketing")[0]["blocks"] == [SECTION]


def test_post_to_a_user_opens_a_dm(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel="U0BEN02", text="your check-in")
    assert response["channel"].startswith("D")
    assert fake.messages("U0BEN02")[0]["text"] == "your check-in"
    opened = client.conversations_open(users="U0BEN02")
    assert opened["channel"]["id"] == response["channel"] and opened["already_open"] is True


def test_post_errors_match_slack(fake: FakeSlack, client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0OLD001", text="x"))[0] == "is_archived"
    assert error_of(lambda: client.chat_postMessage(channel="C0SALES1", text="x"))[0] == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE00", text="x"))[0] == "channel_not_found"
    # Private channels the bot is not in look like they do not exist.
    assert error_of(lambda: client.chat_postMessage(channel="C0SECRET", text="x"))[0] == "channel_not_found"
    assert error_of(lambda: client.api_call("chat.postMessage", json={"channel": "C0MKTG01"}))[0] == "no_text"
    too_long = "x" * 40001
    assert error_of(lambda: client.chat_postMessage(channel="C0MKTG01", text=too_long))[0] == "msg_too_long"
    assert fake.messages("C0MKTG01") == []


def test_chat_write_public_lets_the_bot_post_without_joining(fake: FakeSlack, client: WebClient) -> None:
    fake.chat_write_public = True
    client.chat_postMessage(channel="C0SALES1", text="hello sales")
    assert len(fake.messages("C0SALES1")) == 1


def test_join_then_post(fake: FakeSlack, client: WebClient) -> None:
    joined = client.conversations_join(channel="C0SALES1")
    assert joined["channel"]["is_member"] is True
    client.chat_postMessage(channel="C0SALES1", text="now I can")
    assert fake.bot_user_id in client.conversations_members(channel="C0SALES1")["members"]
    assert client.conversations_join(channel="C0SALES1")["warning"] == "already_in_channel"
    assert error_of(lambda: client.conversations_join(channel="C0OLD001"))[0] == "is_archived"


def test_invalid_blocks_are_rejected_with_paths(fake: FakeSlack, client: WebClient) -> None:
    blocks = [SECTION, {"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3012}}]
    error, data = error_of(lambda: client.chat_postMessage(channel="C0MKTG01", text="x", blocks=blocks))
    assert error == "invalid_blocks"
    assert data["errors"] == ["blocks[1].text.text: 3012 characters, limit 3000"]
    assert fake.messages("C0MKTG01") == []


def test_threads_and_replies(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0MKTG01", text="prompt")["ts"]
    fake.post_user_message("C0MKTG01", "U0ANNA01", "my update", thread_ts=parent)
    client.chat_postMessage(channel="C0MKTG01", text="thanks", thread_ts=parent)
    replies = client.conversations_replies(channel="C0MKTG01", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["prompt", "my update", "thanks"]
    assert replies[0]["reply_count"] == 2 and replies[0]["reply_users"] == ["U0ANNA01", fake.bot_user_id]
    history = client.conversations_history(channel="C0MKTG01")["messages"]
    assert [m["text"] for m in history] == ["prompt"]  # replies stay in the thread
    assert len(fake.thread("C0MKTG01", parent)) == 3
    bad = lambda: client.chat_postMessage(channel="C0MKTG01", text="x", thread_ts="1.000001")  # noqa: E731
    assert error_of(bad)[0] == "thread_not_found"


def test_update_delete_and_permalink(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0MKTG01", text="draft")["ts"]
    updated = client.chat_update(channel="C0MKTG01", ts=ts, text="final", blocks=[SECTION])
    assert updated["message"]["text"] == "final" and "edited" in updated["message"]
    assert fake.messages("C0MKTG01")[0]["blocks"] == [SECTION]
    link = client.chat_getPermalink(channel="C0MKTG01", message_ts=ts)["permalink"]
    assert link == f"https://alignbot-demo.slack.com/archives/C0MKTG01/p{ts.replace('.', '')}"
    user_ts = fake.post_user_message("C0MKTG01", "U0ANNA01", "mine")
    assert error_of(lambda: client.chat_update(channel="C0MKTG01", ts=user_ts, text="x"))[0] == "cant_update_message"
    client.chat_delete(channel="C0MKTG01", ts=ts)
    assert [m["text"] for m in fake.messages("C0MKTG01")] == ["mine"]
    assert error_of(lambda: client.chat_delete(channel="C0MKTG01", ts=ts))[0] == "message_not_found"


def test_ephemeral_needs_the_user_in_the_channel(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postEphemeral(channel="C0MKTG01", user="U0ANNA01", text="only you")
    assert fake.ephemerals("C0MKTG01", user="U0ANNA01")[0]["text"] == "only you"
    error = error_of(lambda: client.chat_postEphemeral(channel="C0MKTG01", user="U0CARL03", text="x"))[0]
    assert error == "user_not_in_channel"
    assert fake.messages("C0MKTG01") == []


def test_schedule_message(fake: FakeSlack, client: WebClient) -> None:
    post_at = int(time.time()) + 3600
    response = client.chat_scheduleMessage(channel="C0MKTG01", text="later", post_at=post_at)
    assert response["scheduled_message_id"].startswith("Q") and response["post_at"] == post_at
    assert fake.scheduled()[0]["text"] == "later"
    past = lambda: client.chat_scheduleMessage(channel="C0MKTG01", text="x", post_at=1)  # noqa: E731
    assert error_of(past)[0] == "time_in_past"


# -- conversations and users --------------------------------------------------


def test_conversation_info_shapes(fake: FakeSlack, client: WebClient) -> None:
    info = client.conversations_info(channel="C0OLD001")["channel"]
    assert info["name"] == "old-news" and info["is_archived"] is True and info["is_channel"] is True
    assert error_of(lambda: client.conversations_info(channel="C0SECRET"))[0] == "channel_not_found"


def test_members_pagination_honours_limit(fake: FakeSlack, client: WebClient) -> None:
    people = [f"U0P{i:05d}" for i in range(23)]
    for user_id in people:
        fake.add_user(user_id)
    fake.add_channel("C0BIG001", "big", people)
    pages = [page["members"] for page in client.conversations_members(channel="C0BIG001", limit=10)]
    assert [len(p) for p in pages] == [10, 10, 4]
    assert sum(pages, []) == people + [fake.bot_user_id]
    assert [c.args.get("cursor") is None for c in fake.calls_to("conversations.members")] == [True, False, False]


def test_users_list_pagination_and_info(fake: FakeSlack, client: WebClient) -> None:
    ids = [m["id"] for page in client.users_list(limit=2) for m in page["members"]]
    assert ids == [fake.bot_user_id, "U0ANNA01", "U0BEN02", "U0CARL03"]
    ben = client.users_info(user="U0BEN02")["user"]
    assert ben["tz"] == "Europe/Berlin" and ben["tz_offset"] in (3600, 7200)
    assert client.users_info(user="U0ANNA01")["user"]["is_admin"] is True
    assert error_of(lambda: client.users_info(user="U0NOBODY"))[0] == "user_not_found"
    assert error_of(lambda: client.api_call("users.list", params={"cursor": "garbage"}))[0] == "invalid_cursor"


def test_history_is_newest_first_and_paginated(fake: FakeSlack, client: WebClient) -> None:
    for i in range(5):
        client.chat_postMessage(channel="C0MKTG01", text=f"m{i}")
    first = client.conversations_history(channel="C0MKTG01", limit=3)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3", "m2"] and first["has_more"] is True
    assert error_of(lambda: client.conversations_history(channel="C0SALES1"))[0] == "not_in_channel"


def test_team_bots_and_oauth(fake: FakeSlack, client: WebClient) -> None:
    assert client.team_info()["team"]["id"] == "T0000001"
    assert client.bots_info(bot=fake.bot_id)["bot"]["user_id"] == fake.bot_user_id
    anonymous = WebClient(base_url=fake.base_url)
    access = anonymous.oauth_v2_access(client_id="111.222", client_secret="s3cret", code="abc")
    assert access["token_type"] == "bot" and access["access_token"].startswith("xoxb-")
    assert access["team"] == {"id": "T0000001", "name": fake.team_name} and access["enterprise"] is None
    assert access["authed_user"]["id"] == "U0ANNA01" and access["bot_user_id"] == fake.bot_user_id
    assert fake.calls_to("oauth.v2.access")[0].args["client_id"] == "111.222"  # from Basic auth
    assert error_of(lambda: anonymous.oauth_v2_access(client_id="1", client_secret="s", code=""))[0] == "invalid_code"


# -- views -------------------------------------------------------------------


def test_modal_open_update_push(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="1.2.abc", view=MODAL)["view"]
    assert opened["callback_id"] == "checkin" and opened["state"] == {"values": {}}
    changed = dict(MODAL, title={"type": "plain_text", "text": "Check-in (2)"})
    updated = client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])["view"]
    assert updated["id"] == opened["id"] and fake.view(opened["id"])["title"]["text"] == "Check-in (2)"
    stale = lambda: client.views_update(view_id=opened["id"], view=MODAL, hash=opened["hash"])  # noqa: E731
    assert error_of(stale)[0] == "hash_conflict"
    pushed = client.views_push(trigger_id="1.2.def", view=MODAL)["view"]
    assert pushed["root_view_id"] == opened["id"] and pushed["previous_view_id"] == opened["id"]
    assert error_of(lambda: client.views_update(view_id="V0NOPE", view=MODAL))[0] == "not_found"


def test_invalid_view_reports_messages(client: WebClient) -> None:
    bad = dict(MODAL, title={"type": "plain_text", "text": "A title that is far too long"})
    error, data = error_of(lambda: client.views_open(trigger_id="1.2.abc", view=bad))
    assert error == "invalid_arguments"
    assert data["response_metadata"]["messages"] == ["[ERROR] view.title.text: 28 characters, limit 24"]
    error, data = error_of(lambda: client.api_call("views.open", json={"view": MODAL}))
    assert error == "invalid_arguments" and "trigger_id" in data["response_metadata"]["messages"][0]


def test_publish_home(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [SECTION]}
    first = client.views_publish(user_id="U0ANNA01", view=home)["view"]
    again = client.views_publish(user_id="U0ANNA01", view={"type": "home", "blocks": []})["view"]
    assert again["id"] == first["id"] and fake.home("U0ANNA01")["blocks"] == []
    assert fake.home("U0BEN02") is None
    assert error_of(lambda: client.views_publish(user_id="U0ANNA01", view=MODAL))[0] == "invalid_arguments"


# -- files -------------------------------------------------------------------


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    response = client.files_upload_v2(
        channel="C0MKTG01", content="week,score\n1,0.8\n", filename="digest.csv", title="Digest", initial_comment="here"
    )
    file = response["file"]
    assert file["title"] == "Digest" and file["name"] == "digest.csv"
    [stored] = fake.files()
    assert stored["content"] == b"week,score\n1,0.8\n" and stored["channels"] == ["C0MKTG01"]
    [message] = fake.messages("C0MKTG01")
    assert message["text"] == "here" and message["files"][0]["id"] == file["id"]
    assert [c.method for c in fake.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_upload_endpoint_accepts_multipart_and_rejects_unknown_ids(fake: FakeSlack, client: WebClient) -> None:
    url = client.files_getUploadURLExternal(filename="a.bin", length=3)["upload_url"]
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\nabc\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert fake.files()[0]["content"] == b"abc"
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(fake.root_url + "/upload/F0NOPE", data=b"x"))
    assert info.value.code == 404
    info.value.close()


def test_complete_upload_of_a_file_never_sent_fails(fake: FakeSlack, client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="a.txt", length=1)["file_id"]
    error = error_of(lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C0MKTG01"))[0]
    assert error == "file_not_found"


# -- recording -------------------------------------------------------------------


def test_wait_for_blocks_until_calls_arrive(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        for i in range(2):
            client.chat_postMessage(channel="C0MKTG01", text=f"lazy {i}")

    threading.Thread(target=later).start()
    calls = fake.wait_for("chat.postMessage", count=2, timeout=3)
    assert [c.args["text"] for c in calls] == ["lazy 0", "lazy 1"]
    with pytest.raises(TimeoutError):
        fake.wait_for("views.open", timeout=0.05)
    fake.reset_calls()
    assert fake.calls == []


def test_concurrent_posts_get_unique_ts(fake: FakeSlack) -> None:
    def post(n: int) -> None:
        own = WebClient(token=fake.bot_token, base_url=fake.base_url)
        for i in range(5):
            own.chat_postMessage(channel="C0MKTG01", text=f"{n}-{i}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m["ts"] for m in fake.messages("C0MKTG01")]
    assert len(stamps) == 40 and len(set(stamps)) == 40 and stamps == sorted(stamps)


# -- response_url ----------------------------------------------------------------


def test_response_url_records_and_applies_posts(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0MKTG01", text="pick one")["ts"]
    WebhookClient(fake.response_url()).send(text="ephemeral answer")
    WebhookClient(fake.response_url(channel="C0MKTG01")).send(text="for everyone", response_type="in_channel")
    WebhookClient(fake.response_url(channel="C0MKTG01", message_ts=ts)).send(text="picked", replace_original=True)
    bodies = [r["body"] for r in fake.wait_for_responses(count=3)]
    assert bodies[0] == {"text": "ephemeral answer"}
    assert [m["text"] for m in fake.messages("C0MKTG01")] == ["picked", "for everyone"]
    assert WebhookClient(fake.root_url + "/response/R0UNKNOWN").send(text="x").status_code == 404


def test_group_dm_and_burst_rate_limit(fake: FakeSlack) -> None:
    bare = WebClient(token=fake.bot_token, base_url=fake.base_url, retry_handlers=[])
    group = bare.conversations_open(users="U0ANNA01,U0BEN02")["channel"]
    assert group["id"].startswith("G") and group["is_mpim"] is True
    assert bare.conversations_open(users="U0BEN02,U0ANNA01")["channel"]["id"] == group["id"]
    fake.rate_limit(per_channel_per_second=0.5, burst=3)
    for i in range(3):
        bare.chat_postMessage(channel=group["id"], text=f"burst {i}")
    with pytest.raises(SlackApiError) as info:
        bare.chat_postMessage(channel=group["id"], text="one too many")
    assert info.value.response.headers["Retry-After"] == "2"
