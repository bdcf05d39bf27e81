"""One week's analysis: every finding kind, its negative cases, coverage, scores and output."""

from __future__ import annotations

import json
import random

import pytest

from bot.alignment.analysis import FINDING_ORDER, Report, analyze, similar
from bot.alignment.model import Match, Objective, Org, Team, Update

OBJECTIVES = (
    Objective("pipeline", "Build enterprise pipeline", "Qualified opportunities with large companies."),
    Objective("finserv", "Win in financial services", "The vendor of choice for banks and insurers."),
    Objective("retention", "Keep customers", "Gross retention above 94%."),
)
ORG = Org(teams=(Team("marketing", aliases=("mktg",)), Team("sales", aliases=("SDR",))), objectives=OBJECTIVES)
ORG3 = Org(teams=(*ORG.teams, Team("product")), objectives=OBJECTIVES)


def up(uid: str, team: str, text: str, *objectives: str, partners: tuple[str, ...] = ()) -> Update:
    return Update(uid, team, text, partners=partners, objectives=tuple(objectives))


def kinds(report: Report, kind: str) -> list[dict]:
    return [f for f in report.to_dict()["findings"] if f["kind"] == kind]


def brief(report: Report, kind: str) -> list[tuple]:
    return [(f["objective"], tuple(f["teams"]), tuple(f["updates"])) for f in kinds(report, kind)]


# --- objectives and tags ---------------------------------------------------------------------


def test_hand_tags_win_and_tagger_tags_fill_in() -> None:
    updates = [
        Update("a", "marketing", "x", objectives=("finserv",)),
        Update("b", "marketing", "y", objectives=()),
        Update("c", "sales", "z"),
        Update("d", "sales", "w"),
    ]
    tags = {"a": ["pipeline"], "b": ["pipeline"], "c": ["retention", "nope"], "d": [Match("pipeline", 0.7)]}
    got = {u["id"]: u["objectives"] for u in analyze(ORG, updates, tags=tags).to_dict()["updates"]}
    assert got == {"a": ["finserv"], "b": [], "c": ["retention"], "d": ["pipeline"]}


def test_unknown_objective_keys_are_ignored() -> None:
    report = analyze(ORG, [up("a", "marketing", "x", "margins")])
    assert report.to_dict()["updates"][0]["aligned"] is False
    assert "margins" not in report.coverage


# --- unaligned_work, silent_team, uncovered_objective ----------------------------------------


def test_unaligned_work_groups_a_teams_updates() -> None:
    report = analyze(
        ORG,
        [
            up("q1", "marketing", "Redesigned the office signage."),
            up("q2", "marketing", "Launched the bank compliance guide.", "finserv"),
            up("q3", "marketing", "Planned the offsite."),
            up("s1", "sales", "Cleaned my inbox."),
        ],
    )
    assert brief(report, "unaligned_work") == [
        (None, ("marketing",), ("q1", "q3")),
        (None, ("sales",), ("s1",)),
    ]
    assert "marketing" in kinds(report, "unaligned_work")[0]["summary"]


def test_silent_team_only_for_org_teams() -> None:
    report = analyze(ORG3, [up("a", "marketing", "x", "finserv"), up("b", "finance", "y", "finserv")])
    assert brief(report, "silent_team") == [(None, ("sales",), ()), (None, ("product",), ())]
    assert (
        analyze(ORG, [up("a", "Marketing", "x"), up("b", "SDR", "y")]).to_dict()["findings"][0]["kind"] != "silent_team"
    )
    assert not kinds(analyze(ORG, [up("a", "Marketing", "x"), up("b", "SDR", "y")]), "silent_team")


def test_uncovered_objective_for_every_objective_nobody_worked_on() -> None:
    report = analyze(ORG, [up("a", "marketing", "x", "finserv")])
    assert brief(report, "uncovered_objective") == [("pipeline", (), ()), ("retention", (), ())]
    assert report.coverage == {"pipeline": {}, "finserv": {"marketing": 1}, "retention": {}}
    assert "Build enterprise pipeline" in kinds(report, "uncovered_objective")[0]["summary"]


def test_no_updates_at_all() -> None:
    data = analyze(ORG, []).to_dict()
    assert data["scores"] == {"alignment": 0.0, "interdependence": 0.0, "teams": {}}
    assert [f["kind"] for f in data["findings"]] == ["silent_team"] * 2 + ["uncovered_objective"] * 3


# --- solo, uncoordinated and joint objectives ------------------------------------------------


def test_solo_objective() -> None:
    report = analyze(
        ORG,
        [
            up("m1", "marketing", "Dropped two martech tools.", "retention"),
            up("m2", "marketing", "More tools dropped.", "retention"),
            up("s1", "sales", "Signed a 2,000-seat insurer.", "finserv"),
        ],
    )
    assert brief(report, "solo_objective") == [
        ("finserv", ("sales",), ("s1",)),
        ("retention", ("marketing",), ("m1", "m2")),
    ]
    assert "Only sales" in kinds(report, "solo_objective")[0]["summary"]
    assert "Win in financial services" in kinds(report, "solo_objective")[0]["summary"]


def test_solo_objective_needs_another_team_to_have_checked_in() -> None:
    report = analyze(ORG, [up("m1", "marketing", "Launched the bank guide.", "finserv")])
    assert not kinds(report, "solo_objective")
    # A team outside the org file that checked in counts as another team.
    report = analyze(
        ORG, [up("m1", "marketing", "Launched the bank guide.", "finserv"), up("f1", "finance", "Closed the books")]
    )
    assert brief(report, "solo_objective") == [("finserv", ("marketing",), ("m1",))]


def test_solo_objective_not_when_an_update_on_it_references_another_team() -> None:
    updates = [
        up("m1", "marketing", "Sent the bundle pricing sheet to the sales team.", "finserv"),
        up("m2", "marketing", "Something else on it.", "finserv"),
        up("s1", "sales", "Renewed three credit unions.", "retention"),
    ]
    report = analyze(ORG, updates)
    assert [f["objective"] for f in kinds(report, "solo_objective")] == ["retention"]
    # Even a reference to a team that did not check in, or one named only as a partner.
    updates = [up("m1", "marketing", "Did the thing", "finserv", partners=("product",)), up("s1", "sales", "x")]
    assert not kinds(analyze(ORG3, updates), "solo_objective")


def test_uncoordinated_objective() -> None:
    updates = [
        up("m1", "marketing", "Ran a webinar for banks.", "finserv"),
        up("s1", "sales", "Signed a bank.", "finserv"),
        up("s2", "sales", "Signed an insurer.", "finserv"),
    ]
    report = analyze(ORG, updates)
    assert brief(report, "uncoordinated_objective") == [("finserv", ("marketing", "sales"), ("m1", "s1", "s2"))]
    assert not kinds(report, "joint_objective")
    assert not kinds(report, "solo_objective")
    assert not kinds(report, "parallel_work")


def test_joint_objective() -> None:
    updates = [
        up("n1", "marketing", "Passed the 40 roundtable contacts to sales with notes.", "pipeline"),
        up("n2", "sales", "Followed up on marketing's roundtable contacts; 6 meetings set.", "pipeline"),
        up("p1", "product", "Shipped SSO for enterprise trials.", "pipeline"),
    ]
    report = analyze(ORG3, updates)
    assert brief(report, "joint_objective") == [("pipeline", ("marketing", "product", "sales"), ("n1", "n2", "p1"))]
    assert not kinds(report, "uncoordinated_objective")
    assert not kinds(report, "one_way_handoff")
    assert "worked together" in kinds(report, "joint_objective")[0]["summary"]


def test_joint_objective_through_a_partner_channel_or_member() -> None:
    org = Org(
        teams=(Team("marketing", channel="C0MKTG01"), Team("sales", members=("U0SAM001",))),
        objectives=OBJECTIVES,
    )
    for first, second in (
        (
            up("a", "marketing", "Briefed <@U0SAM001> on the campaign", "finserv"),
            up("b", "sales", "Closed a bank", "finserv"),
        ),
        (
            up("a", "marketing", "Campaign live", "finserv"),
            up("b", "sales", "Asked <#C0MKTG01|mk> for a deck", "finserv"),
        ),
        (up("a", "marketing", "Campaign live", "finserv", partners=("Sales",)), up("b", "sales", "Closed", "finserv")),
    ):
        assert brief(analyze(org, [first, second]), "joint_objective") == [
            ("finserv", ("marketing", "sales"), ("a", "b"))
        ]


def test_references_only_outside_the_group_are_neither_joint_nor_uncoordinated() -> None:
    updates = [
        up("m1", "marketing", "Asked product for a bank-ready audit log.", "finserv"),
        up("s1", "sales", "Signed a bank.", "finserv"),
        up("p1", "product", "Roadmap review"),
    ]
    report = analyze(ORG3, updates)
    assert not kinds(report, "joint_objective")
    assert not kinds(report, "uncoordinated_objective")


# --- one_way_handoff -------------------------------------------------------------------------


def test_one_way_handoff() -> None:
    updates = [
        up("o1", "marketing", "Sent the new bundle pricing sheet to the sales team.", "retention"),
        up("o2", "sales", "Renewed three credit unions.", "finserv"),
    ]
    report = analyze(ORG, updates)
    assert brief(report, "one_way_handoff") == [(None, ("marketing", "sales"), ("o1",))]
    summary = kinds(report, "one_way_handoff")[0]["summary"]
    assert "marketing" in summary and "sales" in summary


def test_one_way_handoff_groups_updates_and_names_a_shared_objective() -> None:
    updates = [
        up("m1", "marketing", "Sent bank leads to sales.", "finserv"),
        up("m2", "marketing", "Waiting on the SDRs for feedback on the bank list.", "finserv", "pipeline"),
        up("s1", "sales", "Signed an insurer.", "finserv"),
    ]
    report = analyze(ORG, updates)
    assert brief(report, "one_way_handoff") == [("finserv", ("marketing", "sales"), ("m1", "m2"))]
    # The objective is named only when the receiving team worked on it too.
    updates[2] = up("s1", "sales", "Renewed a customer.", "retention")
    assert brief(analyze(ORG, updates), "one_way_handoff") == [(None, ("marketing", "sales"), ("m1", "m2"))]


def test_no_handoff_when_the_other_team_answers_or_did_not_check_in() -> None:
    answered = [
        up("m1", "marketing", "Sent bank leads to sales.", "finserv"),
        up("s1", "sales", "Unrelated, but thanked mktg for the swag.", "retention"),
    ]
    assert not kinds(analyze(ORG, answered), "one_way_handoff")
    silent = [up("m1", "marketing", "Sent bank leads to sales.", "finserv"), up("m2", "marketing", "x")]
    report = analyze(ORG, silent)
    assert not kinds(report, "one_way_handoff")
    assert brief(report, "silent_team") == [(None, ("sales",), ())]


def test_handoffs_both_ways_between_three_teams() -> None:
    updates = [
        up("m1", "marketing", "Asked product for screenshots.", "finserv"),
        up("p1", "product", "Sent release notes to sales.", "retention"),
        up("s1", "sales", "Asked marketing for a deck.", "pipeline"),
    ]
    report = analyze(ORG3, updates)
    assert brief(report, "one_way_handoff") == [
        (None, ("marketing", "product"), ("m1",)),
        (None, ("product", "sales"), ("p1",)),
        (None, ("sales", "marketing"), ("s1",)),
    ]


# --- parallel_work ---------------------------------------------------------------------------


def test_parallel_work() -> None:
    updates = [
        up("p1", "marketing", "Writing an ROI calculator for bank CISOs.", "finserv"),
        up("p2", "sales", "Built a spreadsheet ROI calculator for the bank CISOs I am selling to.", "finserv"),
    ]
    report = analyze(ORG, updates)
    assert brief(report, "parallel_work") == [("finserv", ("marketing", "sales"), ("p1", "p2"))]
    finding = kinds(report, "parallel_work")[0]
    assert "calculator" in finding["shared_terms"]
    # The pair still counts normally everywhere else.
    assert report.coverage["finserv"] == {"marketing": 1, "sales": 1}
    assert brief(report, "uncoordinated_objective") == [("finserv", ("marketing", "sales"), ("p1", "p2"))]


def test_parallel_work_objective_is_null_unless_exactly_one_is_shared() -> None:
    updates = [
        up("p1", "sales", "Wrote our own battlecard vs Acme for the reps", "pipeline", "finserv"),
        up("p2", "marketing", "Built a competitor battlecard against Acme", "pipeline", "finserv"),
        up("p3", "marketing", "Built a second battlecard against Acme"),
    ]
    report = analyze(ORG, updates)
    # p1 is like p2 and like p3: one cluster, its updates by team, and no objective all three share.
    assert brief(report, "parallel_work") == [(None, ("marketing", "sales"), ("p2", "p3", "p1"))]


def test_parallel_work_clusters_similar_work_into_one_finding() -> None:
    teams = ["marketing", "sales", "product", "support", "finance", "legal"]
    updates = [
        up(f"b{n}", team, f"Built a battlecard against Acme for the {n} deals", "pipeline")
        for n, team in enumerate(teams)
    ] + [
        up("c1", "marketing", "Writing an ROI calculator for bank CISOs.", "finserv"),
        up("c2", "sales", "Built a spreadsheet ROI calculator for the bank CISOs I am selling to.", "finserv"),
    ]
    org = Org(teams=tuple(Team(t) for t in teams), objectives=ORG.objectives)
    report = analyze(org, updates)
    found = kinds(report, "parallel_work")
    assert [(f["objective"], f["teams"], sorted(f["updates"])) for f in found] == [
        ("pipeline", sorted(teams), sorted(u.id for u in updates[:6])),
        ("finserv", ["marketing", "sales"], ["c1", "c2"]),
    ]
    assert "6 updates" in found[0]["summary"] and "3 other teams" in found[0]["summary"]
    assert "battlecard" in found[0]["shared_terms"]


def test_findings_never_outnumber_updates_in_a_busy_week() -> None:
    teams = [f"team{n:02d}" for n in range(40)]
    # 100 pieces of work, each done by four teams: 600 similar pairs, 100 findings.
    updates = [
        up(f"u{n}", teams[n % 40], f"Built a battlecard against rival{n // 4} in zone{n // 4}", "pipeline")
        for n in range(400)
    ]
    org = Org(teams=tuple(Team(t) for t in teams), objectives=ORG.objectives)
    report = analyze(org, updates)
    assert len(report.findings) <= len(updates)
    found = kinds(report, "parallel_work")
    assert len(found) == 100
    assert all(len(f["teams"]) == 4 and len(f["updates"]) == 4 for f in found)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Signed a bank", "Ran a webinar for banks"),
        ("Ran a webinar on email deliverability", "Wrote a blog post on email deliverability"),
        ("Ran the CISO roundtable dinner in Chicago", "Met the CISO of Atlas Mutual in Chicago"),
        ("Renewed three credit unions.", "Sent a newsletter to credit unions"),
        ("Booked 5 meetings with enterprise prospects", "Held 3 meetings with enterprise prospects at the summit"),
    ],
)
def test_not_parallel_when_only_the_topic_is_shared(a: str, b: str) -> None:
    assert not similar(ORG, a, b)
    assert not kinds(
        analyze(ORG, [up("a", "marketing", a, "finserv"), up("b", "sales", b, "finserv")]), "parallel_work"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Built a competitor battlecard against Acme", "Wrote our own battlecard vs Acme for the reps"),
        (
            "Building a pricing sheet for the multi-year bundle",
            "Put together my own bundle pricing sheet for multi-year deals",
        ),
        (
            "Planning a webinar on BEC fraud for bank CISOs",
            "Setting up a BEC fraud webinar for CISOs at my bank accounts",
        ),
        ("Drafted a one-pager on DMARC for insurers", "Made a DMARC one-pager to send insurance prospects"),
    ],
)
def test_similar_pieces_of_work(a: str, b: str) -> None:
    assert similar(ORG, a, b)


def test_not_parallel_when_either_references_the_other_team_or_same_team() -> None:
    handed = [
        up("p1", "marketing", "Built a battlecard against Acme for sales", "pipeline"),
        up("p2", "sales", "Rewrote the Acme battlecard", "pipeline"),
    ]
    report = analyze(ORG, handed)
    assert not kinds(report, "parallel_work")
    assert brief(report, "one_way_handoff") == [("pipeline", ("marketing", "sales"), ("p1",))]
    same_team = [
        up("p1", "marketing", "Built a battlecard against Acme", "pipeline"),
        up("p2", "marketing", "Wrote our own battlecard vs Acme", "pipeline"),
        up("s1", "sales", "Signed a bank", "finserv"),
    ]
    assert not kinds(analyze(ORG, same_team), "parallel_work")


# --- scores and output -----------------------------------------------------------------------


def test_scores() -> None:
    updates = [
        up("m1", "marketing", "Sent leads to sales", "pipeline"),
        up("m2", "marketing", "Office signage"),
        up("m3", "marketing", "Bank guide", "finserv"),
        up("s1", "sales", "Signed a bank", "finserv"),
        up("s2", "sales", "Inbox zero"),
        up("s3", "sales", "Thanked marketing", "pipeline"),
    ]
    scores = analyze(ORG, updates).to_dict()["scores"]
    assert scores == {
        "alignment": 0.67,
        "interdependence": 0.33,
        "teams": {
            "marketing": {"alignment": 0.67, "interdependence": 0.33},
            "sales": {"alignment": 0.67, "interdependence": 0.33},
        },
    }


def test_to_dict_shape_and_order() -> None:
    updates = [
        up("m1", "marketing", "Office signage"),
        up("m2", "marketing", "Sent the deck to sales", "retention"),
        up("m3", "marketing", "Built a competitor battlecard against Acme", "pipeline"),
        up("f1", "finance", "Wrote our own battlecard vs Acme for the reps", "pipeline"),
        up("f2", "finance", "Audit", "finserv"),
        up("f3", "finance", "Board pack", "finserv", partners=("marketing",)),
    ]
    org = Org(teams=(*ORG.teams, Team("product")), objectives=OBJECTIVES)
    data = json.loads(json.dumps(analyze(org, updates).to_dict()))
    assert list(data) == ["updates", "coverage", "findings", "scores"]
    assert data["updates"][1] == {
        "id": "m2",
        "team": "marketing",
        "objectives": ["retention"],
        "references": ["sales"],
        "aligned": True,
    }
    assert data["updates"][5]["references"] == ["marketing"]
    for finding in data["findings"]:
        assert {"kind", "objective", "teams", "updates", "summary"} <= set(finding)
        assert finding["summary"].endswith(".")
    order = [FINDING_ORDER.index(f["kind"]) for f in data["findings"]]
    assert order == sorted(order)
    assert [f["kind"] for f in data["findings"]] == [
        "unaligned_work",
        "silent_team",
        "silent_team",
        "one_way_handoff",
        "parallel_work",
        "uncoordinated_objective",
    ]
    # finance is not in the org file: it still checked in, and it is a team like any other.
    assert [f["teams"] for f in data["findings"][3:]] == [["finance", "marketing"]] * 3
    assert data["coverage"]["pipeline"] == {"finance": 1, "marketing": 1}


def test_to_text() -> None:
    updates = [
        up("p1", "marketing", "Writing an ROI calculator for bank CISOs.", "finserv"),
        up("p2", "sales", "Signed a bank."),
    ]
    text = analyze(ORG, updates).to_text()
    assert text.startswith("Alignment report\n")
    assert "2 updates from 2 teams" in text
    assert "Alignment 0.50" in text
    assert "Win in financial services" in text
    assert "marketing" in text and "sales" in text
    assert "\n- " in text


def test_teams_are_named_as_the_org_file_names_them() -> None:
    report = analyze(ORG, [up("a", "MARKETING", "x", "finserv"), up("b", "sdr", "Asked Mktg for help", "finserv")])
    data = report.to_dict()
    assert [u["team"] for u in data["updates"]] == ["marketing", "sales"]
    assert data["updates"][1]["references"] == ["marketing"]
    assert brief(report, "joint_objective") == [("finserv", ("marketing", "sales"), ("a", "b"))]


def test_a_large_random_week_is_analysed_and_stays_readable() -> None:
    # Its speed is measured by benchmarks/analysis_scale.py, not asserted here.
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(3000)]
    teams = tuple(
        Team(f"team{i}", aliases=(f"crew{i}",), channel=f"C{i:07d}", members=(f"U{i:07d}",)) for i in range(50)
    )
    objectives = tuple(Objective(f"obj-{i}", f"Objective {i}", " ".join(rng.sample(words, 12))) for i in range(30))
    org = Org(teams, objectives)
    updates = [
        Update(
            f"u{n}",
            f"team{rng.randrange(50)}",
            " ".join(rng.choice(words[:200]) if rng.random() < 0.5 else rng.choice(words) for _ in range(15))
            + (f" with team{rng.randrange(50)}" if n % 4 == 0 else ""),
            objectives=tuple(rng.sample([o.key for o in objectives], rng.randrange(3))),
        )
        for n in range(500)
    ]
    report = analyze(org, updates)
    assert len(report.findings) <= len(updates)
    assert len(report.to_dict()["updates"]) == len(updates) and report.to_text()


# --- unconfirmed guesses ---------------------------------------------------------------------


def test_an_unsure_guess_of_no_objective_is_not_unaligned_work_but_listed_apart() -> None:
    updates = [
        Update("sure", "marketing", "Refreshed the brand colours", objectives=()),
        Update("guess", "marketing", "Ran the partner summit", objectives=(), confident=False),
        Update("tagged-guess", "sales", "Called banks", objectives=("finserv",), confident=False),
    ]
    report = analyze(ORG, updates)
    assert brief(report, "unaligned_work") == [(None, ("marketing",), ("sure",))]
    assert [u.id for u in report.unconfirmed] == ["guess"]
    assert report.to_dict()["unconfirmed"] == ["guess"]
    assert report.coverage["finserv"] == {"sales": 1}
    assert "- marketing: 1 update waits for its author's answer" in report.to_text()


def test_the_teams_waiting_for_answers_are_named_in_the_text() -> None:
    updates = [
        Update("m1", "marketing", "Ran the partner summit", objectives=(), confident=False),
        Update("m2", "marketing", "Brand refresh: new fonts", objectives=(), confident=False),
        Update("s1", "sales", "Called banks", objectives=(), confident=False),
    ]
    text = analyze(ORG, updates).to_text()
    assert "- marketing: 2 updates wait for their authors' answers" in text
    assert "- sales: 1 update waits for its author's answer" in text


def test_once_a_teams_check_in_closed_an_unanswered_guess_counts_and_says_it_is_one() -> None:
    updates = [
        Update("sure", "marketing", "Refreshed the brand colours", objectives=()),
        Update("m1", "marketing", "Ran the partner summit", objectives=(), confident=False),
        Update("m2", "marketing", "Brand refresh: new fonts", objectives=(), confident=False),
        Update("s1", "sales", "Called banks", objectives=(), confident=False),
        Update("s2", "sales", "Pitched two banks", objectives=("finserv",), confident=False),
    ]
    report = analyze(ORG, updates, closed_teams={"marketing"})

    # Marketing's answers were due: its open questions count as the tagger guessed (no objective).
    [finding] = kinds(report, "unaligned_work")
    assert (finding["teams"], finding["updates"], finding["guessed"]) == (
        ["marketing"],
        ["sure", "m1", "m2"],
        ["m1", "m2"],
    )
    assert (
        "3 of marketing's 3 updates serve no stated objective (2 a guess: their authors didn't answer)"
        in finding["summary"]
    )
    # Sales' answers are not due yet: its guess still waits.
    assert [u.id for u in report.unconfirmed] == ["s1"]
    assert report.to_dict()["unconfirmed"] == ["s1"]
    assert [(u.id, u.guess) for u in report.updates] == [
        ("sure", False),
        ("m1", True),
        ("m2", True),
        ("s1", False),
        ("s2", False),
    ]
    text = report.to_text()
    assert "(2 a guess: their authors didn't answer)" in text and "- sales: 1 update waits" in text
    assert "marketing: 2 updates wait" not in text

    alone = analyze(ORG, updates[1:2], closed_teams={"marketing"})
    [finding] = kinds(alone, "unaligned_work")
    assert finding["summary"].startswith(
        "1 of marketing's 1 update serves no stated objective "
        "(guess: its author didn't answer): “Ran the partner summit”"
    )


def test_with_every_update_sure_the_json_has_no_unconfirmed_list() -> None:
    report = analyze(ORG, [up("a", "marketing", "x")])
    assert "unconfirmed" not in report.to_dict()
    assert brief(report, "unaligned_work") == [(None, ("marketing",), ("a",))]


def test_initiatives_are_counted_apart_from_check_in_answers():
    updates = [
        Update("u1", "marketing", "Planned the office party", objectives=()),
        Update("u2", "marketing", "Repainted the lobby", objectives=()),
        Update("u3", "sales", "Closed a deal", objectives=()),
        Update("i1", "marketing", "Initiative: new mascot", objectives=(), kind="initiative"),
    ]
    report = analyze(ORG, updates)
    [loose] = [f for f in report.findings if f.kind == "unaligned_work" and f.teams == ("marketing",)]
    assert "3 of marketing's 2 updates and 1 initiative serve no stated objective" in loose.summary
    assert report.to_text().splitlines()[1].startswith("3 updates and 1 initiative from 2 teams")
    only = analyze(ORG, [Update("i1", "sales", "Initiative: x", objectives=(), kind="initiative")])
    assert any("1 of sales's 1 initiative serves" in f.summary for f in only.findings)
