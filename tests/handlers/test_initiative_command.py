"""/initiative add, list, done, drop and the form, through signed requests into the real app."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Initiative, InitiativePartner, InitiativeTag, Objective, Team
from tests.handlers.conftest import shown


def stored(runtime) -> list[dict]:
    with runtime.services.sessions() as session:
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        out = []
        for row in session.scalars(select(Initiative).order_by(Initiative.id)):
            tags = session.scalars(select(InitiativeTag).where(InitiativeTag.initiative_id == row.id))
            partners = session.scalars(select(InitiativePartner).where(InitiativePartner.initiative_id == row.id))
            out.append(
                {
                    "id": row.id,
                    "title": row.title,
                    "team": teams[row.team_id],
                    "owner": row.owner_user_id,
                    "status": row.status,
                    "tags": sorted((keys[t.objective_id], t.source) for t in tags),
                    "partners": sorted(teams[p.team_id] for p in partners),
                }
            )
        return out


def setup_objectives(ask):
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    ask("/objective", "add Margins | Reduce cost of sales")


def test_help_and_bad_input(ask, runtime, teams):
    assert "/initiative drop" in shown(ask("/initiative", "help"))
    for text in ("frobnicate", "add", "done", "done abc", "drop -3", "add " + "x" * 201, "list <@U0MEMB01>"):
        answer = ask("/initiative", text, user="U0MEMB01")
        assert "Usage:" in answer["text"], text
    assert stored(runtime) == []


def test_add_with_keys_partners_by_name_and_channel_and_an_owner(ask, runtime, teams):
    setup_objectives(ask)
    answer = ask(
        "/initiative",
        "add Partner webinar #new-revenue #margins with <#C0SALES1|sales> <@U0SELL01|sol>",
        user="U0MEMB01",
        channel="C0MKTG01",
    )
    assert "Logged initiative *#" in shown(answer)
    (row,) = stored(runtime)
    assert row["title"] == "Partner webinar" and row["team"] == "marketing" and row["owner"] == "U0SELL01"
    assert row["tags"] == [("margins", "manual"), ("new-revenue", "manual")]
    assert row["partners"] == ["sales"]
    ask("/initiative", "add Joint pricing with the sales team", user="U0MEMB01")
    assert stored(runtime)[1]["partners"] == ["sales"]


def test_one_unknown_key_stores_nothing_and_names_it(ask, runtime, teams):
    setup_objectives(ask)
    answer = ask("/initiative", "add Webinar #new-revenue #nope with sales", user="U0MEMB01")
    assert "Nothing was saved" in answer["text"] and "`#nope`" in answer["text"] and "`new-revenue`" in answer["text"]
    assert stored(runtime) == []


def test_unknown_team_stores_nothing_and_suggests_quotes(ask, runtime, teams):
    answer = ask("/initiative", "add Partner with agencies", user="U0MEMB01")
    assert "no team called 'agencies'" in answer["text"] and "marketing, sales" in answer["text"]
    assert '"Partner with agencies"' in answer["text"]
    assert stored(runtime) == []
    ask("/initiative", "add “Partner with agencies” with sales", user="U0MEMB01")
    assert [(r["title"], r["partners"]) for r in stored(runtime)] == [("Partner with agencies", ["sales"])]


def test_no_objectives_given_means_tagged_automatically_and_said(ask, runtime, teams):
    setup_objectives(ask)
    answer = ask("/initiative", "add Book discovery calls to build qualified pipeline", user="U0MEMB01")
    (row,) = stored(runtime)
    assert row["tags"] and all(source == "auto" for _, source in row["tags"])
    assert "I tagged it with" in shown(answer) and "`new-revenue`" in shown(answer)


def test_team_comes_from_the_channel_else_from_membership(ask, runtime, teams, fake_slack):
    ask("/initiative", "add Sales thing", user="U0SELL01", channel="C0SALES1")
    ask("/initiative", "add From a DM", user="U0SELL01", channel="D0SELL01")
    assert [r["team"] for r in stored(runtime)] == ["sales", "sales"]
    answer = ask("/initiative", "add Nobody's", user="U0ADMIN1", channel="C0LEAD01")
    assert "not in a team yet" in answer["text"]
    assert len(stored(runtime)) == 2


def test_list_all_mine_and_by_team(ask, runtime, teams):
    setup_objectives(ask)
    ask("/initiative", "add Webinar #new-revenue with sales", user="U0MEMB01")
    ask("/initiative", "add Pricing #margins", user="U0SELL01", channel="C0SALES1")
    everything = shown(ask("/initiative", "list", user="U0MEMB01"))
    assert "Webinar" in everything and "Pricing" in everything
    assert "`new-revenue`" in everything and "with sales" in everything and "owner <@U0MEMB01>" in everything
    mine = shown(ask("/initiative", "list mine", user="U0MEMB01"))
    assert "Webinar" in mine and "Pricing" not in mine
    sales = shown(ask("/initiative", "list <#C0SALES1|sales>", user="U0MEMB01"))
    assert "Pricing" in sales and "Webinar" not in sales
    assert "no team called 'finance'" in ask("/initiative", "list finance")["text"]


def test_done_and_drop_with_permissions(ask, runtime, teams):
    ask("/initiative", "add Webinar", user="U0MEMB01")
    ask("/initiative", "add Pricing", user="U0SELL01", channel="C0SALES1")
    webinar, pricing = (r["id"] for r in stored(runtime))
    refused = ask("/initiative", f"done {webinar}", user="U0SELL01", channel="C0SALES1")
    assert "Only <@U0MEMB01>, whoever logged it, members of marketing or an Alignbot admin" in refused["text"]
    assert stored(runtime)[0]["status"] == "open"
    assert "is done" in ask("/initiative", f"done #{webinar}", user="U0MEMB01")["text"]
    assert "already done" in ask("/initiative", f"drop {webinar}", user="U0MEMB01")["text"]
    assert "is dropped" in ask("/initiative", f"drop {pricing}", user="U0ADMIN1")["text"]
    assert [r["status"] for r in stored(runtime)] == ["done", "dropped"]
    assert "no initiative #999" in ask("/initiative", "done 999")["text"]
    assert "none" in ask("/initiative", "list")["text"]


def test_list_menu_closes_an_initiative(ask, slack, runtime, teams, fake_slack):
    ask("/initiative", "add Webinar", user="U0MEMB01")
    (row,) = stored(runtime)
    before = len(fake_slack.responses())
    slack.block_action(
        "initiative_close",
        user_id="U0MEMB01",
        channel_id="C0MKTG01",
        message_ts="1.0",
        action_type="overflow",
        extra={"selected_option": {"value": f"done:{row['id']}"}},
    )
    answer = fake_slack.wait_for_responses(before + 1)[before]["body"]
    assert "is done" in answer["text"]
    assert stored(runtime)[0]["status"] == "done"


def test_the_form_opens_and_logs_an_initiative(ask, slack, runtime, teams, fake_slack):
    setup_objectives(ask)
    slack.command("/initiative", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    view = fake_slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == "initiative_add"
    team_block = next(b for b in view["blocks"] if b["block_id"] == "team")
    marketing = team_block["element"]["initial_option"]["value"]
    sales = next(o["value"] for o in team_block["element"]["options"] if o["text"]["text"] == "sales")
    answer = slack.view_submission(
        "initiative_add",
        {
            "title": {"value": "Co-host a customer event"},
            "team": {"value": {"type": "static_select", "selected_option": {"value": marketing}}},
            "objectives": {"value": ["margins"]},
            "partners": {"value": [sales]},
            "owner": {"value": {"type": "users_select", "selected_user": "U0SELL01"}},
        },
        user_id="U0MEMB01",
        private_metadata=view["private_metadata"],
    )
    assert answer.status == 200 and answer.body == ""
    (row,) = stored(runtime)
    assert (row["title"], row["team"], row["owner"], row["tags"], row["partners"]) == (
        "Co-host a customer event",
        "marketing",
        "U0SELL01",
        [("margins", "manual")],
        ["sales"],
    )
    confirmation = fake_slack.wait_for("chat.postEphemeral")[0].args
    assert confirmation["user"] == "U0MEMB01" and "Logged initiative" in confirmation["text"]


def test_the_form_shows_errors_in_place(slack, runtime, teams):
    answer = slack.view_submission(
        "initiative_add",
        {"title": {"value": "   "}},
        user_id="U0MEMB01",
        private_metadata=json.dumps({"channel": "C0MKTG01"}),
    ).json()
    assert answer["response_action"] == "errors" and "title" in answer["errors"]
    assert stored(runtime) == []


def test_the_form_needs_teams_first(ask):
    assert "no teams yet" in ask("/initiative", "", user="U0MEMB01")["text"]


def test_a_channel_mention_without_with_is_a_partner_and_keeps_the_key_before_it(ask, runtime, teams):
    setup_objectives(ask)
    answer = ask(
        "/initiative",
        "add Win back churned accounts #new-revenue <#C0SALES1|sales>",
        user="U0MEMB01",
        channel="C0MKTG01",
    )
    assert "Logged initiative *#" in shown(answer)
    (row,) = stored(runtime)
    assert row["title"] == "Win back churned accounts"
    assert row["tags"] == [("new-revenue", "manual")] and row["partners"] == ["sales"]
