"""Play the demo story through the real app: signed requests in, the fake Slack out.

Nothing here talks to Alignbot's internals except to do what Slack or the clock
would do: slash commands, thread replies and events go in as signed HTTP requests,
and prompts and digests come from the scheduler's own jobs, called with the
`now` of each story week. What the app posts lands in FakeSlack, and is read back
from there for the transcript and the HTML page.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.demo import story
from bot.demo.render import Names, indent, mrkdwn_to_text, render_blocks, render_message
from bot.fakeslack import FakeSlack, SlackSender

TEAM_ID = "T0FERNWD1"
WIDTH = 100
# How long to wait for the app's answer before deciding a listener is missing.
ANSWER_TIMEOUT = 3.0
# The clock's jobs run a minute after the moment they are due, as a real tick would.
TICK_DELAY = timedelta(minutes=1)
# Receiving teams answer handoffs the afternoon the updates come in.
HANDOFF_DELAY = timedelta(hours=6)


class DemoError(Exception):
    """The demo could not play its story; the message says what went wrong, in one line."""


@dataclass
class Entry:
    """One thing that happened in a channel, for the HTML page."""

    kind: str  # "message" | "reply" | "ephemeral" | "command" | "form" | "home"
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread: str | None = None  # the parent's ts for replies and private answers in a thread
    ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    week: str | None = None


@dataclass
class Played:
    """What the story left behind."""

    weeks: list[str]
    entries: list[Entry]
    digest: dict[str, Any]  # the last digest message, as Slack holds it
    chart: bytes | None  # the last digest's picture
    charts: dict[str, bytes]  # every uploaded picture by file id
    names: Names
    bot_user: str


class Player:
    """Drive one story through a running app and a running fake."""

    def __init__(
        self,
        fake: FakeSlack,
        app_url: str,
        signing_secret: str,
        runtime: Any,
        say: Callable[[str], None],
        *,
        weeks: int = len(story.WEEKS),
    ) -> None:
        self.fake = fake
        self.runtime = runtime
        self.say = say
        self.weeks = weeks
        self.sender = SlackSender(
            f"{app_url}/slack/events",
            signing_secret,
            team_id=fake.team_id,
            team_domain=fake.team_domain,
            response_urls=fake.response_url,
        )
        self.names = Names(
            users={p.id: p.name for p in story.PEOPLE} | {fake.bot_user_id: fake.bot_name},
            channels={c.id: c.name for c in story.CHANNELS} | {dm_channel(p.id): p.name for p in story.PEOPLE},
        )
        self.entries: list[Entry] = []
        # Flipped once when a listener turns out to be missing, so only the first answer waits for it.
        self.checkin_command = True

    # --- Slack's side -------------------------------------------------------------------------

    def command(self, user: str, channel: str, command: str, text: str) -> dict[str, Any]:
        """Run a slash command as `user` in `channel`; return the answer only they see."""
        before = len(self.fake.responses())
        self.entries.append(Entry("command", channel, user, f"{command} {text}".strip()))
        answer = self.sender.command(
            command,
            text,
            user_id=user,
            channel_id=channel,
            user_name=self.names.user(user),
            channel_name=self.names.channel(channel),
        )
        if answer.status != 200:
            raise DemoError(f"the app answered {command} with HTTP {answer.status}: {answer.body[:200]}")
        if answer.body:
            reply = answer.json()
        else:
            try:
                reply = self.fake.wait_for_responses(before + 1, timeout=ANSWER_TIMEOUT)[before]["body"]
            except TimeoutError:
                raise DemoError(f"the app never answered {command} {text}") from None
        return self._private(channel, reply, thread=None)

    def thread_reply(self, user: str, channel: str, parent_ts: str, text: str, week: str) -> dict[str, Any]:
        """Reply in a prompt's thread as `user`, and deliver the message event; return the bot's private answer."""
        ts = self.fake.post_user_message(channel, user, text, thread_ts=parent_ts)
        self.entries.append(Entry("reply", channel, user, text, thread=parent_ts, ts=ts, week=week))
        before = len(self.fake.calls_to("chat.postEphemeral"))
        event = {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": parent_ts,
            "team": self.fake.team_id,
        }
        answer = self.sender.event(event)
        if answer.status != 200:
            raise DemoError(f"the app answered a message event with HTTP {answer.status}")
        try:
            self.fake.wait_for("chat.postEphemeral", before + 1, timeout=ANSWER_TIMEOUT)
        except TimeoutError:
            raise DemoError(f"the app never answered a reply in #{self.names.channel(channel)}") from None
        mine = [e for e in self.fake.ephemerals(channel, user) if e.get("thread_ts") == parent_ts]
        return self._private(channel, mine[-1] if mine else {"text": ""}, thread=parent_ts, week=week)

    def checkin_command_answer(self, user: str, channel: str, text: str, week: str) -> dict[str, Any] | None:
        """Answer with `/checkin <text>`; None when it would not land in `week`, or /checkin only knows its usage."""
        # /checkin files the answer under the real clock's week; the story's week must be that one.
        _, resolved = self.runtime.services.checkins.resolve_team(self.fake.team_id, user, channel)
        if resolved != week:
            return None
        reply = self.command(user, channel, "/checkin", text)
        self.entries[-2].week = self.entries[-1].week = week
        if "Usage:" in (reply.get("text") or "") and not reply.get("blocks"):
            self.checkin_command = False
            return None
        return reply

    def form_answer(self, user: str, channel: str, prompt: dict[str, Any], text: str, week: str) -> dict[str, Any]:
        """Press the prompt's button, fill in the check-in form and send it; return the bot's private answer."""
        button = next(
            e
            for b in prompt.get("blocks") or []
            if b.get("type") == "actions"
            for e in b["elements"]
            if e.get("action_id") == "checkin_open"
        )
        opened = self._open_form("checkin_open", button["value"], user, channel, prompt["ts"])
        self.entries.append(Entry("form", channel, user, f"{_view_title(opened)} · sent: “{text}”", week=week))
        before = len(self.fake.ephemerals(channel, user))
        answer = self.sender.view_submission(
            opened["callback_id"], {"moved": {"value": text}}, user_id=user, private_metadata=opened["private_metadata"]
        )
        if answer.status != 200 or (answer.body not in ("", "null") and answer.json().get("errors")):
            raise DemoError(f"the check-in form refused @{self.names.user(user)}'s answer: {answer.body[:200]}")
        return self._private_answer(channel, user, before, week)

    def edit_tags(
        self,
        user: str,
        channel: str,
        confirmation: dict[str, Any],
        titles: tuple[str, ...],
        week: str,
        thread: str | None = None,
    ) -> dict[str, Any]:
        """Press Edit tags on a check-in's private answer and pick `titles` by hand; return the new private answer."""
        button = next(
            e
            for b in confirmation.get("blocks") or []
            if b.get("type") == "actions"
            for e in b["elements"]
            if e.get("action_id") == "checkin_edit_tags"
        )
        opened = self._open_form("checkin_edit_tags", button["value"], user, channel, None)
        picker = next(b for b in opened["blocks"] if b.get("block_id") == "objectives")["element"]
        options = {o["text"]["text"]: o["value"] for o in picker.get("options") or []}
        missing = [t for t in titles if t not in options]
        if missing:
            raise DemoError(f"the Edit tags form offers no objective {missing[0]!r}")
        self.entries.append(
            Entry(
                "form", channel, user, f"{_view_title(opened)} · picked: " + ", ".join(titles), thread=thread, week=week
            )
        )
        before = len(self.fake.ephemerals(channel, user))
        self.sender.view_submission(
            opened["callback_id"],
            {"objectives": {"value": [options[t] for t in titles]}},
            user_id=user,
            private_metadata=opened["private_metadata"],
        )
        return self._private_answer(channel, user, before, week, thread=thread)

    def answer_question(
        self, user: str, channel: str, confirmation: dict[str, Any], label: str, week: str
    ) -> dict[str, Any]:
        """Tap `label` on the question of an unsure check-in's private answer; return the answer it becomes."""
        button = next(
            (
                e
                for b in confirmation.get("blocks") or []
                if b.get("block_id") == "checkin_question"
                for e in b["elements"]
                if e["text"]["text"] == label
            ),
            None,
        )
        if button is None:
            raise DemoError(f"Alignbot asked @{self.names.user(user)} no question with a [ {label} ] button")
        before = len(self.fake.responses())
        self.sender.block_action(button["action_id"], button["value"], user_id=user, channel_id=channel)
        try:
            reply = self.fake.wait_for_responses(before + 1, timeout=ANSWER_TIMEOUT)[before]["body"]
        except TimeoutError:
            raise DemoError(f"the app never answered @{self.names.user(user)}'s [ {label} ]") from None
        return self._private(channel, reply, thread=self.entries[-1].thread, week=week)

    def _private(
        self, channel: str, reply: dict[str, Any], *, thread: str | None, week: str | None = None
    ) -> dict[str, Any]:
        """Show the answer only its person sees on the page; return it."""
        text, blocks = reply.get("text", ""), reply.get("blocks") or []
        self.entries.append(Entry("ephemeral", channel, self.fake.bot_user_id, text, blocks, thread=thread, week=week))
        return reply

    def _open_form(self, action: str, value: str, user: str, channel: str, message_ts: str | None) -> dict[str, Any]:
        forms = len(self.fake.calls_to("views.open"))
        self.sender.block_action(action, value, user_id=user, channel_id=channel, message_ts=message_ts)
        try:
            return self.fake.wait_for("views.open", forms + 1, timeout=ANSWER_TIMEOUT)[-1].args["view"]
        except TimeoutError:
            raise DemoError(f"pressing {action} opened no form") from None

    def _private_answer(
        self, channel: str, user: str, before: int, week: str, thread: str | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while len(self.fake.ephemerals(channel, user)) <= before:
            if time.monotonic() > deadline:
                raise DemoError(f"the app never answered @{self.names.user(user)} in #{self.names.channel(channel)}")
            time.sleep(0.02)
        reply = self.fake.ephemerals(channel, user)[-1]
        return self._private(channel, reply, thread=thread, week=week)

    def open_home(self, user: str) -> dict[str, Any]:
        """Open Alignbot's App Home as `user`; return the view the app published."""
        published = len(self.fake.calls_to("views.publish"))
        self.sender.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": dm_channel(user),
                "tab": "home",
                "team": self.fake.team_id,
            }
        )
        try:
            self.fake.wait_for("views.publish", published + 1, timeout=ANSWER_TIMEOUT)
        except TimeoutError:
            raise DemoError("opening App Home published no view") from None
        home = self.fake.home(user) or {}
        self.entries.append(Entry("home", f"home:{user}", self.fake.bot_user_id, blocks=home.get("blocks") or []))
        return home

    # --- the clock ------------------------------------------------------------------------------

    def bot_messages(self, channel: str, since: int) -> list[dict[str, Any]]:
        """Return the top-level messages the bot posted in a channel after the first `since`."""
        return [
            m
            for m in self.fake.messages(channel)[since:]
            if m.get("user") == self.fake.bot_user_id and m.get("thread_ts") in (None, m["ts"])
        ]

    # --- the story ------------------------------------------------------------------------------

    def set_up(self) -> None:
        """Do what an admin does after installing: map channels, name the leadership channel, add objectives, goals."""
        ceo = story.CEO.id
        self.say("Setting up, as the workspace admin would after installing the app:")
        steps = [(c.id, "/alignment", f"team {c.team}") for c in story.CHANNELS if c.team]
        steps.append((story.LEADERSHIP.id, "/alignment", "leadership"))
        steps += [(story.LEADERSHIP.id, "/objective", f"add {o.title} | {o.description}") for o in story.OBJECTIVES]
        steps += [(_channel_of(g.team), "/goal", _goal_text(g)) for g in story.GOALS]
        steps += [
            (story.LEADERSHIP.id, "/alignment", f"schedule {c.team} {story.SCHEDULE}") for c in story.CHANNELS if c.team
        ]
        for channel, command, text in steps:
            reply = self.command(ceo, channel, command, text)
            shown = mrkdwn_to_text(reply.get("text") or "", self.names).splitlines()[0]
            self.say(indent(f"{command} {text}", "      ", WIDTH, first=f"  #{self.names.channel(channel):<11} "))
            self.say(indent(shown, "      ", WIDTH, first="      → "))
            if shown.startswith(("Usage", "⚠️")):
                raise DemoError(f"set-up failed at `{command} {text}`: {shown}")
        self._name_workspace()

    def _name_workspace(self) -> None:
        # Nothing records a workspace's display name on install yet; the digest shows it.
        from storage import repositories

        with self.runtime.services.sessions.begin() as session:
            repositories.ensure_workspace(session, self.fake.team_id).name = story.COMPANY

    def play(self, now: datetime) -> Played:
        """Play every week of the story, the last one being the week of `now`; return what it left."""
        from bot.schedule import shift_week, week_of

        current = week_of(now, "UTC")
        weeks = [shift_week(current, back) for back in range(-(self.weeks - 1), 1)]
        chapters = story.WEEKS[len(story.WEEKS) - self.weeks :]
        digest: dict[str, Any] = {}
        for number, (week, chapter) in enumerate(zip(weeks, chapters), start=len(story.WEEKS) - self.weeks + 1):
            digest = self.play_week(number, week, chapter, is_current=week == current)
        self.say("")
        home = self.open_home(story.HOME_VIEWER)
        self.say(f" @{self.names.user(story.HOME_VIEWER)} opened Alignbot's App Home; the app published:")
        self.say(indent(render_blocks(home.get("blocks") or [], self.names), "   │ ", WIDTH))
        charts = {f["id"]: f["content"] for f in self.fake.files() if f.get("content") and f["name"].endswith(".png")}
        last = next(reversed(charts.values()), None) if charts else None
        return Played(weeks, self.entries, digest, last, charts, self.names, self.fake.bot_user_id)

    def _cycle(self, week: str) -> tuple[datetime, datetime, datetime]:
        """Return when the prompt goes out, the last reminder, and when the last answers are due, from the schedules."""
        from sqlalchemy import select

        from bot.services.cycles import team_cycle, team_zone
        from storage import repositories
        from storage.models import Team

        with self.runtime.services.sessions() as session:
            workspace = repositories.ensure_workspace(session, self.fake.team_id)
            teams = session.scalars(select(Team).where(Team.workspace_id == workspace.id)).all()
            cycles = [team_cycle(t, week, team_zone(t, workspace, self.runtime.settings)) for t in teams]
        reminders = [c.reminder_at or c.deadline_at for c in cycles]
        return min(c.prompt_at for c in cycles), max(reminders), max(c.deadline_at for c in cycles)

    def play_week(self, number: int, week: str, chapter: story.Week, *, is_current: bool) -> dict[str, Any]:
        """Prompt, answer and digest one week, as the clock and the people would; return the digest message."""
        prompt_at, remind_at, deadline = self._cycle(week)
        seen_dms = {p.id: len(self.fake.messages(p.id)) for p in story.PEOPLE}
        self.say("")
        self.say(f"━━ Week {number} · {week} · {prompt_at:%a %d %b} " + "━" * 30)
        self.say(indent(chapter.caption, "   ", WIDTH, first="   "))
        prompts = self._prompt(number, week, prompt_at)
        for answer in chapter.answers:
            self._answer(answer, prompts, week, is_current=is_current)
        self.play_handoffs(week, chapter, prompt_at + HANDOFF_DELAY)
        self.remind(remind_at + TICK_DELAY, seen_dms)
        digest = self._digest(week, deadline)
        self._keep_shared(prompts, week)
        self._keep_dms(seen_dms, week)
        return digest

    def _prompt(self, number: int, week: str, prompt_at: datetime) -> dict[str, dict[str, Any]]:
        """Let the clock post the week's check-in prompts; tell it, and return each team channel's prompt."""
        team_channels = [c for c in story.CHANNELS if c.team]
        seen = {c.id: len(self.fake.messages(c.id)) for c in story.CHANNELS}
        self.runtime.services.prompts.tick(now=prompt_at + TICK_DELAY)
        prompts: dict[str, dict[str, Any]] = {}
        for channel in team_channels:
            posted = self.bot_messages(channel.id, seen[channel.id])
            if not posted:
                raise DemoError(f"the scheduler posted no check-in prompt in #{channel.name} for {week}")
            prompts[channel.id] = posted[-1]
            self.entries.append(
                Entry(
                    "message",
                    channel.id,
                    self.fake.bot_user_id,
                    posted[-1].get("text", ""),
                    posted[-1].get("blocks") or [],
                    ts=posted[-1]["ts"],
                    week=week,
                )
            )
        dms = sum(len(self.fake.messages(p)) for c in team_channels for p in c.members)
        if number == 1:
            for channel in team_channels:
                self.say(f"\n #{channel.name}  alignbot (the clock, {prompt_at + TICK_DELAY:%a %H:%M} UTC):")
                self.say(indent(render_message(prompts[channel.id], self.names), "   │ ", WIDTH))
            self.say(f"   (each member also got the prompt by direct message: {dms} so far)")
        else:
            teams = ", ".join(f"#{c.name}" for c in team_channels)
            self.say(f" alignbot posted the check-in prompt in {teams}, and by DM to each member.")
        return prompts

    def _answer(self, answer: story.Answer, prompts: dict[str, dict[str, Any]], week: str, *, is_current: bool) -> None:
        """Have one person answer the week's prompt the way the story says, then tap or correct the tags."""
        channel = story.team_of(answer.author)
        who = self.names.user(answer.author)
        reply = None
        if answer.via == "form":
            reply = self.form_answer(answer.author, channel.id, prompts[channel.id], answer.text, week)
            how = f"with the check-in form, from the button in #{channel.name}"
        elif is_current and self.checkin_command:
            reply = self.checkin_command_answer(answer.author, channel.id, answer.text, week)
            how = f"/checkin in #{channel.name}"
        if reply is None:
            reply = self.thread_reply(answer.author, channel.id, prompts[channel.id]["ts"], answer.text, week)
            how = f"in the thread, #{channel.name}"
        self.say("")
        self.say(indent(mrkdwn_to_text(answer.text, self.names), "     ", WIDTH, first=f" @{who} ({how}): "))
        self.say(indent(_tags_line(reply, self.names), "       ", WIDTH, first="   ↳ alignbot, to them only: "))
        if answer.tap:
            reply = self.answer_question(answer.author, channel.id, reply, answer.tap, week)
            self.say(f"   @{who} was asked “Which objective does this serve?” and pressed [ {answer.tap} ]")
            self.say(indent(_tags_line(reply, self.names), "       ", WIDTH, first="   ↳ alignbot, to them only: "))
        if answer.retag:
            # Under the answer it corrects, when that answer was a thread reply.
            thread = self.entries[-1].thread
            reply = self.edit_tags(answer.author, channel.id, reply, answer.retag, week, thread)
            self.say(f"   @{who} pressed [ Edit tags ] and picked: " + ", ".join(answer.retag))
            self.say(indent(_tags_line(reply, self.names), "       ", WIDTH, first="   ↳ alignbot, to them only: "))

    def _digest(self, week: str, deadline: datetime) -> dict[str, Any]:
        """Let the clock post the week's digest in #leadership; tell it, and return the digest message."""
        lead = story.LEADERSHIP.id
        seen_lead = len(self.fake.messages(lead))
        self.runtime.services.digests.tick(now=deadline + TICK_DELAY)
        posted = [m for m in self.bot_messages(lead, seen_lead) if m.get("blocks")]
        if not posted:
            raise DemoError(f"the digest job posted no digest in #leadership for {week}")
        digest = posted[-1]
        self.entries.append(
            Entry(
                "message",
                lead,
                self.fake.bot_user_id,
                digest.get("text", ""),
                digest.get("blocks") or [],
                ts=digest["ts"],
                week=week,
            )
        )
        for reply in self.fake.thread(lead, digest["ts"])[1:]:
            self.entries.append(
                Entry(
                    "reply",
                    lead,
                    self.fake.bot_user_id,
                    reply.get("text", ""),
                    reply.get("blocks") or [],
                    thread=digest["ts"],
                    ts=reply["ts"],
                    files=reply.get("files") or [],
                    week=week,
                )
            )
        self.say("")
        self.say(
            f" #leadership  alignbot (the clock, {deadline + TICK_DELAY:%a %H:%M} UTC) posted the digest for {week}:"
        )
        self.say(indent(_digest_summary(digest, self.names), "   │ ", WIDTH))
        return digest

    def remind(self, now: datetime, seen_dms: dict[str, int]) -> None:
        """Let the clock send the week's reminders, and tell who got one."""
        self.runtime.services.prompts.tick(now=now)
        for person in story.PEOPLE:
            for message in self.fake.messages(person.id)[seen_dms[person.id] :]:
                if message.get("text", "").startswith("Reminder"):
                    self.say("")
                    self.say(
                        indent(
                            mrkdwn_to_text(message["text"], self.names),
                            "     ",
                            WIDTH,
                            first=f" alignbot (the clock, {now:%a %H:%M} UTC), by DM to @{person.name}: ",
                        )
                    )

    def _keep_shared(self, prompts: dict[str, dict[str, Any]], week: str) -> None:
        # Answers given in the form or with /checkin are shared by the bot in the prompt's thread.
        known = {e.ts for e in self.entries if e.ts}
        for channel, prompt in prompts.items():
            for post in self.fake.thread(channel, prompt["ts"])[1:]:
                if post["ts"] not in known and post.get("user") == self.fake.bot_user_id:
                    self.entries.append(
                        Entry(
                            "reply",
                            channel,
                            self.fake.bot_user_id,
                            post.get("text", ""),
                            post.get("blocks") or [],
                            thread=prompt["ts"],
                            ts=post["ts"],
                            week=week,
                        )
                    )

    def _keep_dms(self, seen_dms: dict[str, int], week: str) -> None:
        # Everything the bot said by DM this week: prompts, reminders, news of handoffs.
        for person in story.PEOPLE:
            for message in self.fake.messages(person.id)[seen_dms[person.id] :]:
                self.entries.append(
                    Entry(
                        "message",
                        dm_channel(person.id),
                        message.get("user", ""),
                        message.get("text", ""),
                        message.get("blocks") or [],
                        ts=message["ts"],
                        week=week,
                    )
                )

    def play_handoffs(self, week: str, chapter: story.Week, now: datetime) -> None:
        """Let the clock ask receiving teams about the week's handoffs, and their members answer with the buttons."""
        from sqlalchemy import select

        from storage.models import Handoff

        seen = {c.id: len(self.fake.messages(c.id)) for c in story.CHANNELS if c.team}
        self.runtime.services.handoffs.tick(now=now)
        asked = {c.id: self.bot_messages(c.id, seen[c.id]) for c in story.CHANNELS if c.team}
        for channel_id, messages in asked.items():
            for message in messages:
                self.say(f"\n #{self.names.channel(channel_id)}  alignbot (the clock, {now:%a %H:%M} UTC) asked:")
                self.say(indent(render_message(message, self.names), "   │ ", WIDTH))
        for answer in chapter.handoffs:
            with self.runtime.services.sessions() as session:
                handoff = session.scalars(
                    select(Handoff).where(Handoff.author_user_id == answer.handed_by, Handoff.week == week)
                ).first()
            if handoff is None or not handoff.message_ts or not handoff.channel_id:
                raise DemoError(f"no handoff was asked about for @{self.names.user(answer.handed_by)} in {week}")
            channel, ts = handoff.channel_id, handoff.message_ts
            updates, dms = len(self.fake.calls_to("chat.update")), len(self.fake.messages(answer.handed_by))
            posts, forms = len(self.fake.calls_to("chat.postMessage")), len(self.fake.calls_to("views.open"))
            # Slack stamps a click with its moment: the story's, not the machine's.
            self.sender.block_action(
                f"handoff_{answer.button}",
                str(handoff.id),
                user_id=answer.answered_by,
                channel_id=channel,
                message_ts=ts,
                extra={"action_ts": f"{now.timestamp():.6f}"},
            )
            if answer.button != "picked_up":
                opened = self.fake.wait_for("views.open", forms + 1, timeout=ANSWER_TIMEOUT)[-1]
                self.sender.view_submission(
                    "handoff_why",
                    {"why": {"value": answer.why}},
                    user_id=answer.answered_by,
                    private_metadata=opened.args["view"]["private_metadata"],
                )
            self.fake.wait_for("chat.update", updates + 1, timeout=ANSWER_TIMEOUT)
            label = {"picked_up": "Picked up", "need_more": "Need more", "not_useful": "Not useful"}[answer.button]
            why = f": “{answer.why}”" if answer.why else ""
            self.say(f"   @{self.names.user(answer.answered_by)} pressed [ {label} ]{why}")
            self.fake.wait_for("chat.postMessage", posts + 1, timeout=ANSWER_TIMEOUT)
            dm = self.fake.messages(answer.handed_by)[dms:]
            if dm:
                self.say(
                    indent(
                        mrkdwn_to_text(dm[-1].get("text", ""), self.names),
                        "     ",
                        WIDTH,
                        first=f"   ↳ alignbot, by DM to @{self.names.user(answer.handed_by)}: ",
                    )
                )
        for channel_id, messages in asked.items():
            for message in messages:
                final = next(m for m in self.fake.messages(channel_id) if m["ts"] == message["ts"])
                self.entries.append(
                    Entry(
                        "message",
                        channel_id,
                        self.fake.bot_user_id,
                        final.get("text", ""),
                        final.get("blocks") or [],
                        ts=final["ts"],
                        week=week,
                    )
                )


def dm_channel(user: str) -> str:
    """Return the id of the bot's DM with `user`, as the Slack stand-in names it."""
    return "D" + user[1:]


def _view_title(view: dict[str, Any]) -> str:
    return (view.get("title") or {}).get("text", "Form")


def _tags_line(reply: dict[str, Any] | None, names: Names) -> str:
    """Return the tags of a check-in confirmation, one per line, without its header and button."""
    if not reply:
        return "(no answer)"
    blocks = reply.get("blocks") or []
    sections = [b for b in blocks if b.get("type") == "section"]
    text = (
        mrkdwn_to_text(sections[1]["text"]["text"], names)
        if len(sections) > 1
        else mrkdwn_to_text(reply.get("text", ""), names)
    )
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].rstrip(":") == "Tagged" and len(lines) > 1:
        lines = lines[1:]
    return "\n".join(lines)


def _digest_summary(message: dict[str, Any], names: Names) -> str:
    """Return a digest's scores and findings: what changed this week, without the table and buttons."""
    keep = []
    for block in message.get("blocks") or []:
        if block.get("type") == "section" and (block.get("fields") or _is_findings(block)):
            keep.append(block)
    return render_blocks(keep, names)


def _is_findings(block: dict[str, Any]) -> bool:
    text = (block.get("text") or {}).get("text", "")
    return text.startswith(("*Needs attention*", "*Working together*", "*Findings*", "*Goals*"))


def _channel_of(team: str) -> str:
    return next(c.id for c in story.CHANNELS if c.team == team)


def _goal_text(goal: story.Goal) -> str:
    """Return what follows `/goal` to add a story goal."""
    return f"add {goal.team} {goal.title} " + " ".join(f"#{key}" for key in goal.serves)


def new_secret() -> str:
    """Return a signing secret for this run only."""
    return secrets.token_hex(16)
