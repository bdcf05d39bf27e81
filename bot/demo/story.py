"""The demo company: its people, channels, objectives and six weeks of check-ins.

Kept as data so the story can be reworded without touching the code that plays it.
The arc, week by week, as the real tagger and analysis read it:

1-2  marketing drifts into a brand refresh no objective asked for (unaligned work: Alignbot
     is unsure of the long update it cannot place, asks its author, who answers "None of
     them") while sales carries the pipeline alone (a solo objective);
3    marketing builds a competitor battlecard and "sends it to sales"; Alignbot asks
     sales about it, sales marks it "Not useful", and no sales update mentions
     marketing (a one-way handoff);
4    sales writes its own comparison sheet while marketing publishes one
     (parallel work on an uncoordinated objective);
5-6  marketing hands its webinar leads to sales, sales presses "Picked up" and follows up on them,
     and the battlecard gets used in a deal: the loop closes (joint objectives).

Customer success never answers: the clock reminds its member every week, and the
digest names the team as silent. Each team set its own goals at the start; marketing's
brand refresh serves no objective, and the digest's Goals section says so. Along the way one answer is given through the
check-in form, one person corrects their tags with the Edit tags form, and at the
end Marketing's head opens Alignbot's App Home.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = "Fernwood"
PITCH = "Fernwood sells scheduling and dispatch software to field-service companies."


@dataclass(frozen=True)
class Person:
    """A member of the demo workspace."""

    id: str
    name: str
    real_name: str
    title: str


@dataclass(frozen=True)
class Channel:
    """A channel of the demo workspace; `team` is the Alignbot team mapped to it, if any."""

    id: str
    name: str
    members: tuple[str, ...]
    team: str | None = None


@dataclass(frozen=True)
class Objective:
    """An objective as leadership types it into `/objective add <title> | <description>`."""

    title: str
    description: str


@dataclass(frozen=True)
class Goal:
    """A team goal as someone types it into `/goal add <team> <title> #objective-key ...`."""

    team: str
    title: str
    serves: tuple[str, ...]  # objective keys; ("none",) for a goal that serves none on purpose


@dataclass(frozen=True)
class Answer:
    """One person's check-in answer in one week."""

    author: str
    text: str
    via: str = "thread"  # thread | form: a reply under the prompt, or the form its button opens
    retag: tuple[str, ...] = ()  # objective titles the author sets by hand with Edit tags afterwards
    tap: str = ""  # the button the author taps when Alignbot, unsure, asks which objective the answer serves


@dataclass(frozen=True)
class HandoffAnswer:
    """A receiving team member's answer to the handoff in `handed_by`'s update that week."""

    handed_by: str
    answered_by: str
    button: str  # picked_up | need_more | not_useful
    why: str = ""


@dataclass(frozen=True)
class Week:
    """One week of the story: a caption for the reader, every answer, then the answers to its handoffs."""

    caption: str
    answers: tuple[Answer, ...]
    handoffs: tuple[HandoffAnswer, ...] = ()


CEO = Person("U0DANA001", "dana", "Dana Whitfield", "CEO")
PRIYA = Person("U0PRIYA01", "priya", "Priya Natarajan", "Head of Marketing")
LEO = Person("U0LEO0001", "leo", "Leo Marsh", "Brand & Content")
MARCUS = Person("U0MARCUS1", "marcus", "Marcus Bell", "Account Executive")
JESS = Person("U0JESS001", "jess", "Jess Ortega", "Sales Development")

SAM = Person("U0SAM0001", "sam", "Sam Okafor", "Customer Success Manager")

PEOPLE = (CEO, PRIYA, LEO, MARCUS, JESS, SAM)

MARKETING = Channel("C0MARKET1", "marketing", (PRIYA.id, LEO.id), team="marketing")
SALES = Channel("C0SALES01", "sales", (MARCUS.id, JESS.id), team="sales")
# A third team that never sends an update: reminded every week, and flagged in the digest.
CUSTOMER_SUCCESS = Channel("C0CUSTSU1", "customer-success", (SAM.id,), team="customer-success")
LEADERSHIP = Channel("C0LEADER1", "leadership", (CEO.id,))

CHANNELS = (MARKETING, SALES, CUSTOMER_SUCCESS, LEADERSHIP)

# Whose App Home the story opens at the end.
HOME_VIEWER = PRIYA.id

OBJECTIVES = (
    Objective("Grow new-logo revenue", "Build qualified pipeline and close new customers."),
    Objective(
        "Win against Routewise", "Beat Routewise in head-to-head evaluations and raise our competitive win rate."
    ),
    Objective("Expand existing accounts", "Upsell the invoicing module and more seats to current customers."),
    Objective("Keep our customers", "Lower churn with faster onboarding and on-time renewals."),
    Objective("Improve gross margin", "Bring hosting costs and cost to serve down."),
)

# Each team's goals for the quarter, in its own words. The brand refresh serves no objective, and
# no team has a goal for gross margin: the digest's Goals section says both.
GOALS = (
    Goal("marketing", "Brand refresh: new logo, colours and website look", ("none",)),
    Goal("marketing", "Webinars that fill the pipeline: 40 sales-ready leads a quarter", ("grow-new-logo-revenue",)),
    Goal("marketing", "Routewise battlecards and comparison pages sales actually uses", ("win-against-routewise",)),
    Goal("sales", "Close 6 new mid-market HVAC and plumbing logos", ("grow-new-logo-revenue",)),
    Goal("sales", "Win half our head-to-head deals against Routewise", ("win-against-routewise",)),
    Goal("customer-success", "Every new customer live within 30 days", ("keep-our-customers",)),
    Goal("customer-success", "Invoicing module in 15 more accounts", ("expand-existing-accounts",)),
)

# Every team gets its prompt on Monday morning; answers are due a day later.
SCHEDULE = "mon 09:00 UTC"

WEEKS = (
    Week(
        "Marketing starts a brand refresh; sales works the pipeline on its own.",
        (
            Answer(
                PRIYA.id,
                "Kicked off the brand refresh with the design studio: three logo directions, "
                "a new colour palette and typography for the website.",
            ),
            Answer(LEO.id, "Drafted the new brand guidelines and rebuilt our slide template in the new colours."),
            Answer(
                MARCUS.id,
                "Booked 7 discovery calls with mid-market HVAC and plumbing firms; "
                "3 qualified opportunities added to the pipeline.",
            ),
            Answer(JESS.id, "Outbound sequence to 120 target accounts; 5 first meetings booked."),
        ),
    ),
    Week(
        "The brand refresh grows; sales closes a new logo, still alone.",
        (
            Answer(
                PRIYA.id,
                "Brand refresh: picked the final logo and colour palette; the studio is redrawing "
                "the icons and fonts across the website.",
            ),
            Answer(LEO.id, "Rolled the new visual identity out to our social banners and the About page."),
            Answer(
                MARCUS.id,
                "Pipeline review: 11 open opportunities, 2 in proof of concept. Closed Harlow Plumbing, "
                "our first new logo this quarter.",
            ),
            Answer(JESS.id, "Cold calling mid-market HVAC prospects; 6 intro calls booked for next week."),
        ),
    ),
    Week(
        "Marketing builds a Routewise battlecard and sends it to sales. Sales never mentions it.",
        (
            Answer(
                PRIYA.id,
                "Built a Routewise battlecard: their pricing, their integrations and the three questions "
                "that trip them up. Sent it to sales.",
            ),
            Answer(
                LEO.id,
                "Finished the brand refresh: the new fonts, colours and icons are on every page of the website.",
                tap="None of them",
            ),
            Answer(
                MARCUS.id,
                "Demoed to Oakridge Services and Crestline HVAC; both moved to evaluation. "
                "9 opportunities in the pipeline.",
            ),
            Answer(JESS.id, "Booked 4 demos from the outbound sequence; follow-ups scheduled."),
        ),
        (
            HandoffAnswer(
                PRIYA.id,
                MARCUS.id,
                "not_useful",
                "Too generic for the Oakridge evaluation: no head-to-head pricing. I'll write our own.",
            ),
        ),
    ),
    Week(
        "Sales writes its own Routewise comparison while marketing publishes one.",
        (
            Answer(PRIYA.id, "Published a Routewise comparison page and battlecard on the website."),
            Answer(
                LEO.id,
                "Wrote a blog post for teams switching from Routewise.",
                retag=("Win against Routewise", "Grow new-logo revenue"),
            ),
            Answer(
                MARCUS.id,
                "Wrote my own Routewise comparison sheet and battlecard for the Oakridge evaluation; "
                "we are head to head with them on Thursday.",
            ),
            Answer(JESS.id, "Follow-ups with last month's prospects: 3 more discovery calls booked."),
        ),
    ),
    Week(
        "Marketing hands its webinar leads to sales, and sales picks them up.",
        (
            Answer(
                PRIYA.id,
                "Ran the webinar 'Dispatch without the spreadsheets': 212 registrants, 64 attendees. "
                "Scored the leads and handed the 40 best to sales with notes.",
            ),
            Answer(LEO.id, "Reworked the Routewise battlecard with what the sales team heard in the Oakridge demo."),
            Answer(
                MARCUS.id,
                "Following up on marketing's webinar leads: 5 discovery calls booked, "
                "2 already look like qualified opportunities.",
            ),
            Answer(
                JESS.id,
                "Used marketing's new Routewise battlecard in the Oakridge bake-off; we won the technical evaluation.",
            ),
        ),
        (HandoffAnswer(PRIYA.id, MARCUS.id, "picked_up"),),
    ),
    Week(
        "The loop is closed: a win against Routewise, and pipeline from marketing's leads.",
        (
            Answer(
                PRIYA.id,
                "Planning the next webinar with sales: they pick the target accounts, "
                "we write the invitations and the nurture emails.",
            ),
            Answer(
                LEO.id,
                f"Writing the Harlow Plumbing case study with <@{MARCUS.id}> from sales "
                "for the next outbound sequence.",
            ),
            Answer(
                MARCUS.id,
                "Closed Oakridge Services, 40 seats: won head to head against Routewise with marketing's battlecard.",
            ),
            # The form checks in for the real clock's week only: the story's last week is that week.
            Answer(
                JESS.id,
                "3 of marketing's webinar leads are now qualified opportunities in the pipeline, $96k in all.",
                via="form",
            ),
        ),
    ),
)


def person(user_id: str) -> Person:
    """Return the demo person with this id."""
    return next(p for p in PEOPLE if p.id == user_id)


def team_of(user_id: str) -> Channel:
    """Return the team channel a demo person belongs to."""
    return next(c for c in CHANNELS if c.team and user_id in c.members)
