"""The learning side of the demo organisation, filled by `app.demo` once its people, lounges and
sessions exist: who manages whom (five teams under managers who report to the head, never in a
circle), two Workplace Learning Advisors, the business goals the administrator published, and
goals written as learning contracts — each with a plan (resources, activities, people to talk
to, a lounge, demo sessions: some ticked by attendance, some overdue), check-ins spread over the
last weeks, and the comments and suggestions of the people it is shared with.

Everything is dated relative to today, so the demo looks lived-in whenever it is made. A goal's
history lies in the past, which the services rightly only ever stamp "now", so goals, check-ins
and attendance at sessions already held are written as rows (after the schemas have checked
their text). Plan items go through `goal_plans.stage_item`, and comments and suggestions
through `goal_support`, so the services still decide what they own: ticking a session item by
attendance, and who may see and support a goal.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import BusinessGoal, Goal, GoalCheckIn, LearningSession, Lounge, Rsvp, User
from app.schemas.goals import CheckInCreate, CommentCreate, GoalCreate, PlanItemCreate, SuggestionCreate
from app.services import goal_plans, goal_support, lounges
from app.services.goals import today_for

# --- who manages whom ------------------------------------------------------------------------------

HEAD = "Amara"  # the first demo account: the administrator in a fresh database
TEAMS = {  # manager: direct reports (first names); every manager reports to HEAD
    "Ben": ["Grace", "Ibrahim", "Julia", "Kofi", "Mateo", "Oliver"],  # platform engineering
    "Chloé": ["Laura", "Priya", "Quentin", "Rosa", "Tomás"],  # product and design
    "Daniel": ["Uma", "Victor", "Wen", "Ximena", "Yusuf"],  # customer operations
    "Farid": ["Zoe", "Aisha", "Bruno", "Carmen"],  # data and insight
    "Hannah": ["Elena", "Felix", "Nadia", "Sam"],  # people and learning
}
ADVISORS = ("Nadia", "Sam")  # Workplace Learning Advisors, in the people and learning team
# David and Emma joined last month and have not named a manager yet.

BUSINESS_GOALS = [
    ("Ship the self-serve onboarding by Q2",
     "New customers get from sign-up to their first working lounge without talking to us. "
     "Product, engineering and support share this one."),
    ("Every team can run its own incident review",
     "When something breaks, the team closest to it runs a blameless review within a week and "
     "shares what changed. No team should need to borrow a facilitator."),
    ("Every page we ship meets WCAG 2.2 AA",
     "Accessibility is part of done: new pages pass an audit before release, and the pages we "
     "already have are fixed by the end of the year."),
    ("Decisions that start from the data",
     "Teams read their own dashboards and answer their own questions, so the data team can "
     "spend its time on the hard problems."),
    ("Answer Spanish-speaking customers in Spanish",
     "A third of our new customers write to us in Spanish. Support and onboarding answer them "
     "in their own language."),
]
ONBOARDING, INCIDENTS, ACCESSIBILITY, DATA, SPANISH = range(len(BUSINESS_GOALS))


# --- goals as learning contracts ------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One plan item. `due` is in days from the owner's today (negative: already passed) and
    `done` in days ago. A session step names a demo session by title: `attended` (the owner was
    checked in to its latest occurrence so far, which ticks the item), `missed` (they said they
    would go and did not: overdue), or `upcoming` (its next occurrence)."""

    kind: str
    title: str = ""
    url: str = ""
    person: str = ""
    target: str = ""  # a session's or a lounge's title
    attendance: str = ""  # "attended" | "missed" | "upcoming"
    due: int | None = None
    done: int | None = None


def resource(title: str, url: str, *, due: int | None = None, done: int | None = None) -> Step:
    return Step("resource", title=title, url=url, due=due, done=done)


def activity(title: str, *, due: int | None = None, done: int | None = None) -> Step:
    return Step("activity", title=title, due=due, done=done)


def talk_to(person: str, title: str = "", *, due: int | None = None, done: int | None = None) -> Step:
    return Step("person", title=title, person=person, due=due, done=done)


def lounge(name: str) -> Step:
    return Step("lounge", target=name)


def attended(session: str) -> Step:
    return Step("session", target=session, attendance="attended")


def missed(session: str) -> Step:
    """Use only with a one-off session: attending any occurrence of a series ticks the item."""
    return Step("session", target=session, attendance="missed")


def upcoming(session: str) -> Step:
    return Step("session", target=session, attendance="upcoming")


@dataclass(frozen=True)
class Note:
    """A check-in `days_ago`, with the minutes spent and the goal's status after it."""

    days_ago: int
    minutes: int
    text: str
    status: str = "active"


@dataclass(frozen=True)
class Contract:
    owner: str  # first name
    title: str
    why: str
    where_i_am: str
    where_i_want_to_be: str
    how_i_will_get_there: str
    how_i_will_know: str
    skills: tuple[str, ...]
    business_goal: int | None
    started: int  # days ago the contract was written
    target: int  # target date, in days from today
    weekly_minutes: int
    weekday: int  # 0 = Monday
    start: str
    visibility: str
    plan: tuple[Step, ...]
    checkins: tuple[Note, ...]

    @property
    def status(self) -> str:
        return self.checkins[-1].status if self.checkins else "active"


SQLBOLT = "https://sqlbolt.com/"

CONTRACTS = [
    Contract(
        owner="Grace", title="Lead our first blameless incident review",
        why="Our last two outages were reviewed by people from another team, and the fixes never "
            "quite stuck. I want the review to happen where the work happens.",
        where_i_am="I have sat in three reviews and taken notes in one. I have never facilitated "
                   "one, and I tend to jump straight to the fix.",
        where_i_want_to_be="I run a 60-minute review of a real incident, keep it blameless, and "
                           "leave with an owner and a date for every action.",
        how_i_will_get_there="The guild's incident review workshop, the SRE book chapter, learning "
                             "from Kofi who ran reviews at his last job, then co-facilitating one "
                             "with Ben before I run one alone.",
        how_i_will_know="I have led a review on my own, its actions are tracked to done, and two "
                        "people who were there say it felt safe to be honest.",
        skills=("facilitation", "incident management", "blameless culture"),
        business_goal=INCIDENTS, started=30, target=45, weekly_minutes=90, weekday=3, start="14:00",
        visibility="team",
        plan=(attended("Running a blameless incident review"),
              resource("SRE book: Postmortem culture", "https://sre.google/sre-book/postmortem-culture/",
                       done=25),
              talk_to("Kofi", "Ask Kofi how he ran reviews at his last job", done=19),
              activity("Write our review template for the wiki", due=-4),
              activity("Co-facilitate the next review with Ben", due=16)),
        checkins=(Note(25, 45, "Read the postmortem chapter. The part about thanking people for "
                               "reporting their own mistakes stuck with me."),
                  Note(19, 60, "Coffee with Kofi: he always builds the timeline together with the "
                               "room before anyone is allowed to ask why."),
                  Note(10, 90, "The workshop was great. We practised on a made-up outage and I caught "
                               "myself asking *who* instead of *what* twice."),
                  Note(3, 30, "The template is half done; I want Ben to read it before I share it."),
                  Note(0, 30, "Finished the template and sent it to Ben."))),
    Contract(
        owner="Ibrahim", title="Write Python others can pick up: types and tests",
        why="I wrote most of the onboarding service alone, fast. Now three people need to change "
            "it and they are scared to.",
        where_i_am="Most functions take dicts and return dicts. Coverage is 31% and nothing "
                   "checks types in CI.",
        where_i_want_to_be="The onboarding service is fully typed and checked by mypy in CI, and a "
                           "new teammate can change a step with the tests to guide them.",
        how_i_will_get_there="The guild's pairing hours, the pytest fixtures and typing talks, and "
                             "typing one module a week, starting with the billing export.",
        how_i_will_know="mypy --strict passes on the service, coverage is above 70%, and Julia "
                        "ships a change to it without asking me.",
        skills=("Python", "typing", "testing", "mypy"),
        business_goal=ONBOARDING, started=21, target=60, weekly_minutes=120, weekday=1, start="10:00",
        visibility="org",
        plan=(attended("Python guild: pairing hour"),
              upcoming("Intro to pytest fixtures"),
              upcoming("Typing in practice: from Any to Protocols"),
              resource("pytest: how to use fixtures", "https://docs.pytest.org/en/stable/how-to/fixtures.html",
                       done=16),
              resource("mypy: Protocols and structural subtyping",
                       "https://mypy.readthedocs.io/en/stable/protocols.html"),
              activity("Type the billing export module", due=-2)),
        checkins=(Note(16, 30, "Read the pytest fixtures guide. Our tests build the same three "
                               "accounts by hand in every file; fixtures will fix that."),
                  Note(8, 120, "Added mypy to CI in warn-only mode. 412 errors. Deep breath."),
                  Note(1, 60, "Pairing hour: Oliver showed me TypedDict, a gentle first step for our "
                              "dicts. Down to 240 errors; the billing export is harder than it looked."))),
    Contract(
        owner="Julia", title="Find out where our onboarding funnel leaks",
        why="We keep arguing about which onboarding step loses people. I would like to bring "
            "numbers instead of opinions.",
        where_i_am="I read the weekly dashboard, but I could not tell you how any number on it is "
                   "calculated.",
        where_i_want_to_be="I build the funnel for any cohort myself and explain each drop-off to "
                           "the team.",
        how_i_will_get_there="The dashboard talk at Data literacy, an hour with Farid on our event "
                             "data, and a SQL course at my own pace.",
        how_i_will_know="I present the funnel at the onboarding retro and the team picks its next "
                        "fix from it.",
        skills=("SQL", "product analytics", "data literacy"),
        business_goal=ONBOARDING, started=25, target=40, weekly_minutes=60, weekday=2, start="15:00",
        visibility="team",
        plan=(attended("Reading a dashboard like an analyst"),
              resource("SQLBolt: interactive SQL lessons", SQLBOLT, done=10),
              talk_to("Farid", "Walk through our event data with Farid", due=5),
              activity("Map the funnel with the drop-off at each step", due=12),
              upcoming("Lying with charts (and how to spot it)")),
        checkins=(Note(17, 45, "The dashboard talk: I finally understand why weekly actives jump "
                               "every Monday."),
                  Note(10, 90, "Finished SQLBolt. Joins make sense now; window functions, not yet."),
                  Note(4, 60, "First rough funnel: the biggest drop is at inviting colleagues, not at "
                              "sign-up as we all assumed."),
                  Note(0, 30, "Listed the events I do not understand, for my hour with Farid."))),
    Contract(
        owner="Kofi", title="Read query plans without guessing",
        why="Whenever a page is slow I add an index and hope. I want to know what the database is "
            "actually doing.",
        where_i_am="I can run EXPLAIN, but its output is a wall of numbers to me.",
        where_i_want_to_be="I read an EXPLAIN ANALYZE plan, say where the time goes, and fix the "
                           "query or the index on purpose.",
        how_i_will_get_there="The PostgreSQL documentation on EXPLAIN, the five slowest queries of "
                             "last week as practice, and an hour with Bruno, who tunes the warehouse.",
        how_i_will_know="I have fixed two of the slow queries and can explain the plan before and "
                        "after to someone else.",
        skills=("PostgreSQL", "performance"),
        business_goal=None, started=14, target=30, weekly_minutes=60, weekday=4, start="09:00",
        visibility="private",
        plan=(resource("PostgreSQL: Using EXPLAIN", "https://www.postgresql.org/docs/current/using-explain.html",
                       done=9),
              activity("EXPLAIN the five slowest queries from last week's report", due=6),
              talk_to("Bruno", due=10)),
        checkins=(Note(9, 60, "Read the EXPLAIN chapter twice. A sequential scan is not always the "
                              "villain, apparently."),
                  Note(2, 45, "Two of the five slow queries sort in memory and spill to disk. That "
                              "is my lead."))),
    Contract(
        owner="Mateo", title="Present the platform roadmap at the all-hands",
        why="I explain our roadmap well one-to-one and badly to a room, and the all-hands is where "
            "the rest of the company hears about our work.",
        where_i_am="I have presented to our own team. At the last demo day I read from my slides.",
        where_i_want_to_be="I give a ten-minute talk to the whole company without notes and take "
                           "questions calmly.",
        how_i_will_get_there="Record myself, get feedback from Chloé, who presents well, and "
                             "rehearse at a guild lightning talk.",
        how_i_will_know="I give the roadmap talk at the all-hands and people ask about the content, "
                        "not the slides.",
        skills=("public speaking", "storytelling"),
        business_goal=None, started=35, target=50, weekly_minutes=45, weekday=0, start="11:00",
        visibility="team",
        plan=(activity("Record a ten-minute run-through and watch it back", done=27),
              talk_to("Chloé", "Ask Chloé for feedback on the recording", done=24),
              activity("Rehearse at a guild lightning talk", due=-6)),
        checkins=(Note(27, 30, "Recorded a run-through. I say *basically* every twenty seconds."),
                  Note(24, 20, "Chloé's advice: one idea per slide, and start with the customer, not "
                               "the architecture."),
                  Note(8, 0, "Pausing this: the all-hands moved to next quarter, and the reorg will "
                             "change the roadmap anyway.", status="paused"))),
    Contract(
        owner="Oliver", title="Get the checkout flow to WCAG 2.2 AA",
        why="Two customers told us they could not finish checkout with a screen reader. That is a "
            "bug, not a nice-to-have.",
        where_i_am="I know what alt text is. I have never audited a page or used a screen reader "
                   "myself.",
        where_i_want_to_be="I audit a flow against WCAG 2.2 AA, fix what fails, and keep it passing.",
        how_i_will_get_there="The WCAG quick reference, the axe workshop at Accessibility "
                             "champions, a weekly NVDA run, and fixing issues as I find them.",
        how_i_will_know="Checkout passes an axe audit and a manual screen-reader run with no AA "
                        "failures, and the customers who reported it confirm it works.",
        skills=("accessibility", "WCAG", "front-end"),
        business_goal=ACCESSIBILITY, started=42, target=10, weekly_minutes=90, weekday=3, start="10:00",
        visibility="org",
        plan=(resource("How to meet WCAG 2.2 (quick reference)", "https://www.w3.org/WAI/WCAG22/quickref/",
                       done=37),
              attended("Auditing a page with axe"),
              activity("Fix the 14 issues the audit found", done=4),
              activity("Test checkout end to end with NVDA", done=3)),
        checkins=(Note(37, 60, "Went through the quick reference for forms: our error messages fail "
                               "three criteria."),
                  Note(28, 90, "First NVDA run. The card number field has no label at all; fixed it "
                               "in an afternoon."),
                  Note(7, 90, "The axe workshop gave me an audit I can repeat. 14 issues on checkout, "
                              "9 fixed already."),
                  Note(3, 120, "All 14 fixed, the NVDA run is clean, and both customers confirmed they "
                               "can pay now. Done!", status="achieved"))),
    Contract(
        owner="Ben", title="Coach in one-to-ones instead of handing out answers",
        why="My team brings me problems and leaves with my solutions. They learn less, and I have "
            "become the bottleneck.",
        where_i_am="I talk for most of a one-to-one and usually give an answer within the first "
                   "five minutes.",
        where_i_want_to_be="I ask before I tell, my reports leave with their own next step, and "
                           "they need me a little less each month.",
        how_i_will_get_there="The feedback action learning set, a list of coaching questions on my "
                             "desk, and a monthly talk with Hannah about what I tried.",
        how_i_will_know="'My manager helps me think problems through' goes up in the next team "
                        "survey, and I talk for less than half of each one-to-one.",
        skills=("coaching", "feedback", "management"),
        business_goal=None, started=28, target=70, weekly_minutes=60, weekday=4, start="16:00",
        visibility="team",
        plan=(attended("Giving feedback that lands"),
              talk_to("Hannah", "Monthly coaching chat with Hannah", done=13),
              activity("Tally my talk time in five one-to-ones", due=3),
              lounge("Leading without authority")),
        checkins=(Note(14, 90, "The action learning set was uncomfortable in a good way: I offered "
                               "advice three times before anyone had finished their question."),
                  Note(6, 30, "Tried \"what have you tried already?\" with Grace. She had the answer; "
                              "I just had not let her say it."))),
    Contract(
        owner="Priya", title="Write interface copy in plain language",
        why="Our settings pages read like a contract, and the support tickets show people do not "
            "understand what the switches do.",
        where_i_am="I write copy last, in a hurry, in developer words.",
        where_i_want_to_be="I write copy first, in words a twelve-year-old could follow, and test "
                           "it with real people.",
        how_i_will_get_there="The GOV.UK writing guide, the plain language review at Accessibility "
                             "champions, and rewriting one settings page a week.",
        how_i_will_know="Tickets about settings drop by a third, and the rewritten pages read at "
                        "grade 9 or below.",
        skills=("content design", "plain language", "accessibility"),
        business_goal=ACCESSIBILITY, started=20, target=35, weekly_minutes=60, weekday=2, start="11:00",
        visibility="org",
        plan=(resource("GOV.UK: Writing for GOV.UK",
                       "https://www.gov.uk/guidance/content-design/writing-for-gov-uk", done=16),
              activity("Rewrite the notification settings page", done=5),
              upcoming("Plain language review"),
              activity("Rewrite the privacy settings page", due=9)),
        checkins=(Note(16, 45, "The GOV.UK guide is brilliant. *Do not write utilise* is now on a "
                               "sticky note on my screen."),
                  Note(5, 90, "Notification settings rewritten: 412 words down to 180. Laura will "
                              "test it with three people."))),
    Contract(
        owner="Quentin", title="Lead a project I do not manage",
        why="I lead the design system work across three teams and none of them report to me. I "
            "want to get better at it before it stalls.",
        where_i_am="People are friendly in meetings and then nothing moves. I chase by message and "
                   "feel like a nag.",
        where_i_want_to_be="The three teams agree a plan, own their parts, and come to me with "
                           "progress instead of me chasing them.",
        how_i_will_get_there="The action learning sets in Leading without authority, and asking "
                             "Chloé how she won support for the last redesign.",
        how_i_will_know="The design system reaches its first release with a part shipped by each "
                        "of the three teams.",
        skills=("influence", "stakeholder management"),
        business_goal=None, started=10, target=90, weekly_minutes=60, weekday=1, start="09:30",
        visibility="private",
        plan=(lounge("Leading without authority"),
              upcoming("Action learning set"),
              activity("Write a one-page why for the design system and share it", due=4),
              talk_to("Chloé", "Ask Chloé how she won support for the last redesign", due=8)),
        checkins=(Note(6, 30, "Wrote down who cares about what in each team. The mobile team cares "
                              "about build time, not consistency."),)),
    Contract(
        owner="Tomás", title="Hold a twenty-minute conversation in Spanish",
        why="Many of the customers in our beta write in Spanish. I can read their feedback with a "
            "translator, but I cannot talk to them.",
        where_i_am="Portuguese helps me read Spanish, but when I speak it comes out as portuñol "
                   "and I freeze on the verbs.",
        where_i_want_to_be="I run a twenty-minute user interview in Spanish without switching to "
                           "English.",
        how_i_will_get_there="The lunchtime conversation group every week, ten minutes of listening "
                             "a day, and a practice interview with Laura.",
        how_i_will_know="I run two real user interviews in Spanish and my notes are good enough to "
                        "share with the team.",
        skills=("Spanish", "user interviews"),
        business_goal=SPANISH, started=33, target=80, weekly_minutes=45, weekday=2, start="12:30",
        visibility="team",
        plan=(resource("Centro Virtual Cervantes", "https://cvc.cervantes.es/", done=30),
              attended("Conversación: ¿qué tal el fin de semana?"),
              upcoming("Conversación en la comida"),
              talk_to("Laura", "Practice interview in Spanish with Laura", due=20)),
        checkins=(Note(30, 30, "Found the Cervantes listening exercises: ten minutes a day on the "
                               "train."),
                  Note(4, 45, "First conversation lunch! I talked about my weekend for five whole "
                              "minutes, and Rosa corrected my *fui* very kindly."))),
    Contract(
        owner="Ximena", title="Teach the support team to answer in Spanish",
        why="I answer every Spanish ticket because I am the only native speaker. When I am away, "
            "customers wait or get a machine translation.",
        where_i_am="I have never taught anyone. My replies are good, but I could not tell you why.",
        where_i_want_to_be="Three colleagues answer routine Spanish tickets with a playbook I "
                           "wrote, and I review rather than reply.",
        how_i_will_get_there="Reply templates for the twenty most common tickets, the support "
                             "corner of the Spanish lunches, and pairing with Uma and Victor on "
                             "real tickets.",
        how_i_will_know="Without me, 80% of routine Spanish tickets are answered within a day with "
                        "the same satisfaction score.",
        skills=("Spanish", "teaching", "customer support"),
        business_goal=SPANISH, started=18, target=45, weekly_minutes=60, weekday=0, start="15:00",
        visibility="org",
        plan=(activity("Write reply templates for the 20 most common tickets", done=6),
              talk_to("Uma", "Pair with Uma on real Spanish tickets", due=3),
              upcoming("Conversación en la comida"),
              talk_to("Victor", "Pair with Victor on real Spanish tickets", due=10)),
        checkins=(Note(13, 60, "Pulled the twenty most common ticket types. Half are about invoices."),
                  Note(6, 90, "The templates are in the help desk, and Uma has already used two."))),
    Contract(
        owner="Wen", title="Build my own support dashboard",
        why="Every Monday I ask the data team for the same ticket numbers. I would like to answer "
            "my own questions.",
        where_i_am="I can filter a spreadsheet. I have never written SQL.",
        where_i_want_to_be="I keep a dashboard of ticket volume, response times and reasons, and "
                           "change it myself when the questions change.",
        how_i_will_get_there="SQL basics, the dashboard talk at Data literacy, and Aisha's help "
                             "with our warehouse tables.",
        how_i_will_know="The Monday request to the data team stops because the dashboard answers it.",
        skills=("SQL", "dashboards"),
        business_goal=DATA, started=40, target=30, weekly_minutes=60, weekday=3, start="16:00",
        visibility="team",
        plan=(resource("SQLBolt: interactive SQL lessons", SQLBOLT, done=33),
              missed("Reading a dashboard like an analyst"),
              talk_to("Aisha", "Ask Aisha which warehouse tables hold ticket data", due=-10)),
        checkins=(Note(33, 60, "SQLBolt lessons 1 to 6 done. SELECT is fun."),
                  Note(20, 0, "Pausing until the help desk migration is over: no time for anything "
                              "else this month.", status="paused"))),
    Contract(
        owner="Yusuf", title="Answer my own questions with SQL",
        why="I run the escalations queue and wait days for the numbers I need to make a case.",
        where_i_am="I knew SELECT * and nothing else.",
        where_i_want_to_be="I join tickets to accounts and write the queries behind my monthly "
                           "escalations report.",
        how_i_will_get_there="SQLBolt, the dashboard talk, pairing with Aisha, and writing the "
                             "report's queries myself.",
        how_i_will_know="My monthly report runs on my own queries, checked once by Farid's team.",
        skills=("SQL", "reporting"),
        business_goal=DATA, started=45, target=-3, weekly_minutes=60, weekday=1, start="14:00",
        visibility="team",
        plan=(resource("SQLBolt: interactive SQL lessons", SQLBOLT, done=38),
              attended("Reading a dashboard like an analyst"),
              talk_to("Aisha", "Pair with Aisha on the escalations queries", done=12),
              activity("Write the queries behind the monthly escalations report", done=5)),
        checkins=(Note(40, 60, "Through SQLBolt up to the joins."),
                  Note(17, 45, "The dashboard talk showed me why our *average* response time hides "
                               "the worst cases. Medians from now on."),
                  Note(12, 90, "Paired with Aisha: she showed me CTEs and suddenly my queries are "
                               "readable."),
                  Note(5, 120, "The monthly report runs on my queries now; Farid's team checked them "
                               "and found one off-by-one. Achieved!", status="achieved"))),
    Contract(
        owner="Carmen", title="Make our dashboards usable with a screen reader",
        why="A colleague who uses a screen reader cannot read our charts. Every chart we publish "
            "shuts someone out.",
        where_i_am="I pick chart colours by taste and have never heard what a screen reader says "
                   "about a chart.",
        where_i_want_to_be="Every dashboard we publish has a text summary, accessible colours and "
                           "a data table behind each chart.",
        how_i_will_get_there="The axe workshop, the screen reader basics session, and reviewing our "
                             "five most-used dashboards.",
        how_i_will_know="Our five most-used dashboards pass an audit and my colleague reads them "
                        "without help.",
        skills=("accessibility", "data visualisation"),
        business_goal=ACCESSIBILITY, started=16, target=50, weekly_minutes=60, weekday=3, start="14:00",
        visibility="team",
        plan=(attended("Auditing a page with axe"),
              upcoming("Screen reader basics"),
              resource("MDN: Accessibility", "https://developer.mozilla.org/en-US/docs/Web/Accessibility"),
              activity("Audit the five most-used dashboards", due=14)),
        checkins=(Note(7, 60, "The axe workshop: our main dashboard has 23 issues, mostly contrast "
                              "and missing labels."),
                  Note(2, 30, "Fixed the palette in the shared theme, which fixes the contrast of "
                              "every dashboard at once."))),
    Contract(
        owner="Elena", title="Facilitate an action learning set on my own",
        why="People ask for more action learning sets than Chloé can run. I would like to run the "
            "next cohort.",
        where_i_am="I have been a member of a set twice. I have never held the process, or the "
                   "silence.",
        where_i_want_to_be="I facilitate a set of six for three meetings, and its members say it "
                           "helped with a real challenge.",
        how_i_will_get_there="Join a set again with facilitation in mind, co-facilitate with Chloé, "
                             "and learn from Nadia, who trains facilitators.",
        how_i_will_know="I run a three-meeting set and at least four of its six members say their "
                        "challenge moved.",
        skills=("facilitation", "coaching", "questioning"),
        business_goal=None, started=22, target=60, weekly_minutes=90, weekday=4, start="10:00",
        visibility="team",
        plan=(attended("Giving feedback that lands"),
              activity("Write my own facilitator's notes from the last set", due=-3),
              upcoming("Action learning set")),
        checkins=(Note(14, 90, "Watched how the facilitator used silence after a question. I counted "
                               "eight seconds once, and it was fine."),
                  Note(6, 30, "Chloé agreed that I co-facilitate the next set."))),
    Contract(
        owner="Nadia", title="Set up mentoring for new managers",
        why="New managers tell us their first six months are lonely. The New managers circle "
            "helps, but they also ask for one person they can call.",
        where_i_am="I have matched mentors by hand, twice, with no structure and no follow-up.",
        where_i_want_to_be="Every new manager has a trained mentor within their first month and a "
                           "simple structure for six meetings.",
        how_i_will_get_there="Interview managers about their first year, draft a six-meeting guide, "
                             "and pilot it with two pairs.",
        how_i_will_know="Two pilot pairs finish their six meetings and both new managers would "
                        "recommend it.",
        skills=("programme design", "mentoring", "interviewing"),
        business_goal=None, started=26, target=75, weekly_minutes=120, weekday=0, start="10:00",
        visibility="org",
        plan=(talk_to("Farid", "Interview Farid about his first year as a manager", done=18),
              talk_to("Ben", "Interview Ben about what he wishes he had known", done=11),
              activity("Draft the six-meeting mentoring guide", due=7),
              activity("Choose two pilot pairs", due=21)),
        checkins=(Note(18, 60, "Farid: \"I needed someone to tell me that feeling like a fraud is "
                               "normal.\" That goes in the guide."),
                  Note(11, 60, "Ben: the hardest part was the first difficult conversation, not the "
                               "process."),
                  Note(3, 90, "First draft of the guide: six meetings, one theme each. Sam will "
                              "review it."),
                  Note(1, 45, "Sam's review: let the new manager set the agenda from the fourth "
                              "meeting on. Rewrote those three."))),
]

# (author, goal owner, days ago, comment): managers and teammates supporting a shared goal
COMMENTS = [
    ("Kofi", "Grace", 9, "Ping me when you run the first one: I can take notes so you can focus on "
                         "the room."),
    ("Ben", "Grace", 2, "Happy to read the template before you share it. Let's book the "
                        "co-facilitation for the next incident, whatever it turns out to be."),
    ("Ben", "Ibrahim", 6, "412 to 240 in a week is great. Type the billing export with Julia: "
                          "she will be the first to change it."),
    ("Amara", "Ben", 5, "I have noticed it in our own one-to-ones too. Feel free to practise on me."),
    ("Chloé", "Tomás", 3, "¡Muy bien! Rosa says you were the most fearless one at the table."),
    ("Daniel", "Yusuf", 4, "Congratulations! The new report has already changed how we staff "
                           "escalations."),
    ("Farid", "Carmen", 1, "The palette fix is a great lever. Could the text summary become part of "
                           "our dashboard template too?"),
]

# (author, goal owner, days ago, kind, session title or person, note): left pending for the owner
SUGGESTIONS = [
    ("Ben", "Ibrahim", 1, "session", "Code review clinic",
     "Bring the billing export: Grace and Oliver will be there."),
    ("Hannah", "Elena", 2, "person", "Nadia", "Nadia trains facilitators and would love to help you "
                                              "prepare."),
]


# --- writing it --------------------------------------------------------------------------------------

def first_name(person: User) -> str:
    return person.display_name.split()[0]


async def attend(db: AsyncSession, *, session: LearningSession, person: User, checked_in: bool) -> Rsvp:
    """Write `person`'s answer to a session already held (the services take RSVPs only for
    sessions still to come): going, and checked in by the host a few minutes after the start
    unless `checked_in` is false (a no-show). Staged in the caller's transaction."""
    rsvp = await db.get(Rsvp, (session.id, person.id))
    if rsvp is None:
        rsvp = Rsvp(session_id=session.id, user_id=person.id, status="going",
                    created_at=session.starts_at - timedelta(days=3))
        db.add(rsvp)
    rsvp.status, rsvp.queue_no = "going", None
    rsvp.checked_in_at = session.starts_at + timedelta(minutes=4) if checked_in else None
    rsvp.updated_at = rsvp.checked_in_at or rsvp.created_at
    return rsvp


async def _org_chart(db: AsyncSession, people: dict[str, User]) -> int:
    for manager, reports in TEAMS.items():
        people[manager].manager_id = people[HEAD].id
        for report in reports:
            people[report].manager_id = people[manager].id
    for name in ADVISORS:
        people[name].is_advisor = True
    await db.commit()
    return len(TEAMS) + 1


async def _publish_business_goals(db: AsyncSession, *, now: datetime) -> list[BusinessGoal]:
    admin = await db.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.created_at, User.id))
    assert admin is not None, "the first account registered is an administrator"
    published = [BusinessGoal(title=title, description=description, created_by=admin.id,
                              created_at=now - timedelta(days=56, hours=n))
                 for n, (title, description) in enumerate(BUSINESS_GOALS)]
    db.add_all(published)
    await db.commit()
    return published


class _Calendar:
    """The demo's sessions by title, each title's occurrences in start order."""

    def __init__(self, sessions: list[LearningSession], now: datetime) -> None:
        self.now = now
        self.by_title: dict[str, list[LearningSession]] = {}
        for session in sessions:
            self.by_title.setdefault(session.title, []).append(session)

    def last_held(self, title: str) -> LearningSession:
        return [s for s in self.by_title[title] if s.ends_at <= self.now][-1]

    def next(self, title: str) -> LearningSession | None:
        return next((s for s in self.by_title[title] if s.ends_at > self.now), None)


async def _step(db: AsyncSession, *, goal: Goal, owner: User, step: Step, people: dict[str, User],
                calendar: _Calendar, lounge_ids: dict[str, str], rng: random.Random) -> bool:
    """Add one plan item through `goal_plans.stage_item`, then date it; True when ticked by
    attendance."""
    today = today_for(owner)
    data: dict[str, object] = {"kind": step.kind, "title": step.title, "url": step.url}
    held: Rsvp | None = None
    if step.kind == "person":
        data["person_id"] = people[step.person].id
    elif step.kind == "lounge":
        data["lounge_id"] = lounge_ids[step.target]
    elif step.kind == "session":
        if step.attendance == "upcoming":
            session = calendar.next(step.target)
            assert session is not None, step.target
        else:
            past = calendar.last_held(step.target)
            await lounges.join_lounge(db, user=owner, lounge_id=past.lounge_id)
            held = await attend(db, session=past, person=owner, checked_in=step.attendance == "attended")
            session = past
            if step.attendance == "attended":
                # A series' item points at what comes next; attending any occurrence ticks it.
                session = calendar.next(step.target) or past
        data["session_id"] = session.id
        data["due_on"] = session.starts_at.astimezone(ZoneInfo(owner.time_zone)).date()
    if step.due is not None:
        data["due_on"] = today + timedelta(days=step.due)
    item = await goal_plans.stage_item(db, user=owner, goal=goal, data=PlanItemCreate.model_validate(data))
    item.created_at = goal.created_at + timedelta(minutes=5 * (item.position + 1))
    if item.done_by == "attendance":
        assert held is not None and held.checked_in_at is not None
        item.done_at = held.checked_in_at
        item.created_at = min(item.created_at, held.checked_in_at - timedelta(days=1))
    elif step.done is not None:
        item.done, item.done_by = True, "owner"
        item.done_at = calendar.now - timedelta(days=step.done, hours=rng.randint(1, 8))
        assert item.created_at < item.done_at, f"{goal.title}: an item done before it was planned"
    return item.done_by == "attendance"


async def _goal(db: AsyncSession, contract: Contract, *, people: dict[str, User],
                business: list[BusinessGoal], calendar: _Calendar, lounge_ids: dict[str, str],
                rng: random.Random) -> tuple[Goal, int, int]:
    """Write one contract with its plan and check-ins; returns it, its plan size and how many
    items attendance ticked."""
    owner, now = people[contract.owner], calendar.now
    data = GoalCreate(
        title=contract.title, why=contract.why, where_i_am=contract.where_i_am,
        where_i_want_to_be=contract.where_i_want_to_be,
        how_i_will_get_there=contract.how_i_will_get_there, how_i_will_know=contract.how_i_will_know,
        skills=list(contract.skills), target_date=today_for(owner) + timedelta(days=contract.target),
        business_goal_id=business[contract.business_goal].id if contract.business_goal is not None else None,
        weekly_minutes=contract.weekly_minutes, learning_weekday=contract.weekday,
        learning_start=contract.start, visibility=contract.visibility)
    created = now - timedelta(days=contract.started, hours=rng.randint(1, 6))
    goal = Goal(owner_id=owner.id, **data.model_dump(), status=contract.status, created_at=created,
                updated_at=created)
    db.add(goal)
    await db.flush()
    ticked = 0
    for step in contract.plan:
        ticked += await _step(db, goal=goal, owner=owner, step=step, people=people, calendar=calendar,
                              lounge_ids=lounge_ids, rng=rng)
    for note in contract.checkins:
        checked = CheckInCreate(note=note.text, status=note.status, minutes=note.minutes)
        at = now - timedelta(days=note.days_ago, hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
        assert created < at, f"{contract.title}: a check-in before the goal was written"
        db.add(GoalCheckIn(goal_id=goal.id, author_id=owner.id, note=checked.note, status=note.status,
                           minutes=checked.minutes, created_at=at))
        goal.last_checkin_at = goal.updated_at = at
        if note.status == "achieved":
            goal.achieved_at = at
    await db.commit()
    return goal, len(contract.plan), ticked


async def _support(db: AsyncSession, *, goals: dict[str, Goal], people: dict[str, User],
                   calendar: _Calendar) -> None:
    """Comments and pending suggestions, through the services that check who may give them."""
    for author, owner, days_ago, body in COMMENTS:
        view = await goal_support.add_comment(db, user=people[author], goal_id=goals[owner].id,
                                              data=CommentCreate(body=body))
        view.comment.created_at = calendar.now - timedelta(days=days_ago, hours=2)
    for author, owner, days_ago, kind, target, note in SUGGESTIONS:
        if kind == "session":
            session = calendar.next(target)
            assert session is not None, target
            data = SuggestionCreate(kind="session", session_id=session.id, note=note)
        else:
            data = SuggestionCreate(kind="person", person_id=people[target].id, note=note)
        suggested = await goal_support.suggest(db, user=people[author], goal_id=goals[owner].id, data=data)
        suggested.suggestion.created_at = calendar.now - timedelta(days=days_ago, hours=3)
    await db.commit()


async def fill_learning(db: AsyncSession, *, people: list[User], rng: random.Random) -> dict[str, int]:
    """Managers, advisors, business goals and goals for the demo people (see the module's
    docstring); `app.demo.fill` calls it once, after the sessions."""
    now = datetime.now(UTC)
    by_name = {first_name(person): person for person in people}
    managers = await _org_chart(db, by_name)
    business = await _publish_business_goals(db, now=now)
    calendar = _Calendar(list(await db.scalars(select(LearningSession).order_by(
        LearningSession.starts_at, LearningSession.id))), now)
    lounge_ids = {row.name: row.id for row in await db.execute(select(Lounge.name, Lounge.id))}
    goals: dict[str, Goal] = {}
    items = ticked = 0
    for contract in CONTRACTS:
        goal, planned, by_attendance = await _goal(db, contract, people=by_name, business=business,
                                                   calendar=calendar, lounge_ids=lounge_ids, rng=rng)
        goals[contract.owner] = goal
        items, ticked = items + planned, ticked + by_attendance
    await _support(db, goals=goals, people=by_name, calendar=calendar)
    return {"managers": managers, "advisors": len(ADVISORS), "business_goals": len(business),
            "goals": len(goals), "plan_items": items, "ticked_by_attendance": ticked,
            "checkins": sum(len(c.checkins) for c in CONTRACTS)}
