"""Usage of every slash command: one source for `help`, parse errors and the docs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandUsage:
    """What a slash command does and how to call it."""

    command: str
    summary: str
    lines: tuple[tuple[str, str], ...]  # (syntax, what it does)

    @property
    def usage_line(self) -> str:
        """Return the short form shown when input cannot be parsed."""
        return "Usage: " + " · ".join(f"`{syntax}`" for syntax, _ in self.lines)


COMMANDS: dict[str, CommandUsage] = {
    "/checkin": CommandUsage(
        "/checkin",
        "Share your weekly update",
        (
            ("/checkin", "open the check-in form for this week"),
            ("/checkin <text>", "record <text> as your update for this week"),
            (
                "/checkin away <YYYY-MM-DD> [<YYYY-MM-DD>]",
                "you are away those days: no prompt, no reminder, not missing",
            ),
            ("/checkin back", "cancel your time off from today on"),
            ("/checkin help", "show this help"),
        ),
    ),
    "/initiative": CommandUsage(
        "/initiative",
        "Log and track your team's initiatives",
        (
            (
                "/initiative add <title> [#objective-key ...] [with <team> ...] [@owner]",
                "log an initiative for your team (quote a title that contains “with”)",
            ),
            ("/initiative", "open the initiative form"),
            ("/initiative list [team|mine]", "list open initiatives (all, one team's, or yours)"),
            ("/initiative done <id>", "mark an initiative done"),
            ("/initiative drop <id>", "drop an initiative"),
            ("/initiative help", "show this help"),
        ),
    ),
    "/goal": CommandUsage(
        "/goal",
        "Your team's own goals and the objectives they serve",
        (
            (
                "/goal add <team> <title> [#objective-key ...]",
                "leads and admins: add a team goal (no keys: I suggest them; `#none`: it serves none)",
            ),
            ("/goal list [team]", "every team's goals (or one team's) and what they serve"),
            ("/goal edit <id> [title] [#objective-key ...]", "leads and admins: retitle or relink a goal"),
            ("/goal archive <id>", "leads and admins: archive a goal"),
            ("/goal help", "show this help"),
        ),
    ),
    "/objective": CommandUsage(
        "/objective",
        "The business objectives everyone's work is tagged against",
        (
            ("/objective list", "list the objectives"),
            (
                "/objective add <title> [| <description>]",
                "admins: add an objective (with no title: a form with "
                "keywords, example updates and a preview of their tagging)",
            ),
            ("/objective edit <key>", "admins: edit an objective, its keywords and examples, with a preview"),
            ("/objective archive <key>", "admins: archive an objective"),
            ("/objective help", "show this help"),
        ),
    ),
    "/alignment": CommandUsage(
        "/alignment",
        "Set up Alignbot and read the alignment digest",
        (
            ("/alignment report [YYYY-Www]", "this week's (or that week's) digest, just for you"),
            (
                "/alignment history [team] [weeks]",
                "a team's past answers, newest week first, just for you (default: 4 weeks)",
            ),
            ("/alignment status", "who has checked in this week"),
            ("/alignment teams", "teams with their channel, schedule and members"),
            ("/alignment team <name>", "admins: this channel is team <name>'s check-in channel"),
            ("/alignment leadership", "admins: post digests in this channel"),
            (
                "/alignment schedule <team> <weekday> <HH:MM> [timezone|local]",
                "admins: when the check-in prompt goes out (`local`: each member's own time zone)",
            ),
            ("/alignment prompts <team> channel|dm|both", "admins: where the prompt goes (default: both)"),
            (
                "/alignment deadline <team> <hours>h [reminder <hours>h]",
                "admins: when answers are due (default: 24h, reminder 4h before)",
            ),
            ("/alignment settings <team>", "admins: a form with every setting of a team"),
            ("/alignment settings model on|off", "admins: switch the opt-in model on or off for the workspace"),
            (
                "/alignment members <team> add|remove <@user> ...",
                "admins and the team's leads: who checks in for the team",
            ),
            ("/alignment lead <team> <@user>", "admins: make someone a lead of the team"),
            ("/alignment nudge <team>", "leads and admins: remind this week's non-responders now (once a day)"),
            ("/alignment holiday <YYYY-MM-DD> [name]", "admins: a company holiday; that week's check-in is skipped"),
            ("/alignment holidays", "company holidays and skipped weeks to come"),
            ("/alignment skip <team|all> <YYYY-MM-DD>", "admins: skip that week's check-in"),
            ("/alignment unskip <team|all> <YYYY-MM-DD>", "admins: undo a skip or a holiday's skip"),
            ("/alignment questions <team>", "admins: change the team's check-in questions in a form"),
            ("/alignment share <team> on|off", "admins: post the team's answers in its prompt thread (default: on)"),
            ("/alignment post", "admins: post this week's digest to the leadership channel now"),
            ("/alignment help", "show this help"),
        ),
    ),
}
