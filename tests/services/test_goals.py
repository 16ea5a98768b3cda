"""Goals without HTTP: who may see a goal (every actor against every visibility, on every read
path), check-ins, the plan's order, plan items ticked by attendance (and unticked when a
check-in is undone), and suggestions taken into the plan in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import BusinessGoal, GoalSuggestion, LearningSession, Notification, OutboxJob, PlanItem, User
from app.schemas.accounts import UserRegister
from app.schemas.goals import (
    CheckInCreate,
    CommentCreate,
    GoalCreate,
    GoalUpdate,
    PlanItemCreate,
    PlanItemUpdate,
    SuggestionCreate,
)
from app.schemas.lounges import LoungeCreate
from app.schemas.schedule import SessionCreate
from app.services import accounts, goal_plans, goal_support, goals, lounges, sessions, team
from tests.api.sessions_helpers import move_session

VISIBILITIES = ("private", "team", "org")
# Who sees a goal of each visibility. `report` has the owner as manager, `skip` is the owner's
# manager's manager, `peer` reports to someone else: none of them is on the owner's team.
SEES = {
    "private": {"owner"},
    "team": {"owner", "manager", "teammate"},
    "org": {"owner", "manager", "teammate", "report", "skip", "peer", "other", "advisor", "admin"},
}
ACTORS = sorted(SEES["org"])


async def person(db, name: str, *, manager: User | None = None, advisor: bool = False) -> User:
    user = await accounts.register_user(db, data=UserRegister(
        email=f"{name.lower()}@example.com", password="correct horse battery", display_name=name))
    user.manager_id = manager.id if manager else None
    user.is_advisor = advisor
    await db.commit()
    return user


@dataclass
class Org:
    people: dict[str, User]
    goals: dict[str, str]  # visibility -> goal id, all the owner's

    def __getattr__(self, name: str) -> User:
        return self.people[name]


@pytest.fixture
async def org(db) -> Org:
    """Ada (the first account, an administrator), Sam who manages Max, Max who manages Olive and
    Tess, Olive who manages Rae, Pia (managed by Sam), Otto and Avi (an advisor); Olive owns one
    goal of each visibility."""
    admin = await person(db, "Ada")
    skip = await person(db, "Sam")
    manager = await person(db, "Max", manager=skip)
    owner = await person(db, "Olive", manager=manager)
    people = {
        "admin": admin, "skip": skip, "manager": manager, "owner": owner,
        "teammate": await person(db, "Tess", manager=manager),
        "report": await person(db, "Rae", manager=owner),
        "peer": await person(db, "Pia", manager=skip),
        "other": await person(db, "Otto"),
        "advisor": await person(db, "Avi", advisor=True),
    }
    assert admin.is_admin and not owner.is_admin
    made = {}
    for visibility in VISIBILITIES:
        view = await goals.create_goal(db, user=owner, data=GoalCreate(
            title=f"A {visibility} goal", why="Because.", visibility=visibility))
        made[visibility] = view.goal.id
    return Org(people, made)


async def recorded(db, event_type: str) -> list[dict]:
    jobs = (await db.scalars(select(OutboxJob).where(OutboxJob.kind == f"event:{event_type}")
                             .order_by(OutboxJob.created_at))).all()
    return [job.payload["data"] for job in jobs]


async def count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)))


# --- visibility ----------------------------------------------------------------------------------

@pytest.mark.parametrize("visibility", VISIBILITIES)
async def test_who_sees_a_goal_on_every_read_path(db, org, visibility):
    goal_id = org.goals[visibility]
    for actor in ACTORS:
        viewer = org.people[actor]
        allowed = actor in SEES[visibility]
        listed = {v.goal.id for v in (await goals.list_goals(
            db, viewer=viewer, owner=None, status=None, cursor=None, limit=50))[0]}
        by_owner = {v.goal.id for v in (await goals.list_goals(
            db, viewer=viewer, owner=org.owner.id, status=None, cursor=None, limit=50))[0]}
        assert (goal_id in listed) is allowed, (actor, visibility)
        assert (goal_id in by_owner) is allowed, (actor, visibility)
        reads = [
            goals.get_goal(db, viewer=viewer, goal_id=goal_id),
            goals.visible_goal(db, viewer=viewer, goal_id=goal_id),
            goals.list_checkins(db, viewer=viewer, goal_id=goal_id, cursor=None, limit=10),
            goal_plans.list_plan(db, viewer=viewer, goal_id=goal_id),
            goal_support.list_comments(db, viewer=viewer, goal_id=goal_id, cursor=None, limit=10),
            goal_support.list_suggestions(db, viewer=viewer, goal_id=goal_id, cursor=None, limit=10),
        ]
        for read in reads:
            if allowed:
                await read
            else:
                with pytest.raises(NotFound):  # never Forbidden: its existence does not leak
                    await read


@pytest.mark.parametrize("visibility", VISIBILITIES)
async def test_only_the_owner_changes_a_goal_and_viewers_may_support_it(db, org, visibility):
    goal_id = org.goals[visibility]
    writes = {
        "update": lambda u: goals.update_goal(db, user=u, goal_id=goal_id, changes=GoalUpdate(why="Mine.")),
        "check in": lambda u: goals.check_in(db, user=u, goal_id=goal_id, data=CheckInCreate(note="Done")),
        "plan": lambda u: goal_plans.add_item(db, user=u, goal_id=goal_id, data=PlanItemCreate(
            kind="activity", title="Read")),
        "delete": lambda u: goals.delete_goal(db, user=u, goal_id=goal_id),
    }
    for actor in ACTORS:
        if actor == "owner":
            continue
        viewer = org.people[actor]
        expected = Forbidden if actor in SEES[visibility] else NotFound
        for write in writes.values():
            with pytest.raises(expected):
                await write(viewer)
        comment = goal_support.add_comment(db, user=viewer, goal_id=goal_id, data=CommentCreate(body="Go!"))
        suggestion = goal_support.suggest(db, user=viewer, goal_id=goal_id, data=SuggestionCreate(
            kind="person", person_id=org.admin.id))
        if actor in SEES[visibility]:
            assert (await comment).comment.goal_id == goal_id
            assert (await suggestion).suggestion.status == "pending"
        else:
            for attempt in (comment, suggestion):
                with pytest.raises(NotFound):
                    await attempt
    assert (await goals.get_goal(db, viewer=org.owner, goal_id=goal_id)).goal.why == "Because."


async def test_a_team_goal_of_someone_without_a_manager_is_for_them_alone(db, org):
    loner = org.other  # no manager, like the administrator and the advisor
    goal = (await goals.create_goal(db, user=loner, data=GoalCreate(title="Alone", visibility="team"))).goal
    for actor in ACTORS:
        viewer = org.people[actor]
        if actor == "other":
            continue
        with pytest.raises(NotFound):
            await goals.get_goal(db, viewer=viewer, goal_id=goal.id)


async def test_changing_visibility_or_manager_changes_who_sees_it_at_once(db, org):
    goal_id = org.goals["private"]
    await goals.update_goal(db, user=org.owner, goal_id=goal_id, changes=GoalUpdate(visibility="team"))
    assert await goals.get_goal(db, viewer=org.manager, goal_id=goal_id)
    org.owner.manager_id = org.other.id  # Olive moves to Otto's team: Max is no longer her manager
    await db.commit()
    for actor in ("manager", "teammate"):
        with pytest.raises(NotFound):
            await goals.get_goal(db, viewer=org.people[actor], goal_id=goal_id)
    assert await goals.get_goal(db, viewer=org.other, goal_id=goal_id)
    await goals.update_goal(db, user=org.owner, goal_id=goal_id, changes=GoalUpdate(visibility="private"))
    with pytest.raises(NotFound):
        await goals.get_goal(db, viewer=org.other, goal_id=goal_id)


async def test_the_manager_view_shows_only_shared_goals_and_equals_team(db, org):
    reports = await team.list_reports(db, manager=org.manager)
    assert [r.person.id for r in reports] == [org.owner.id, org.teammate.id]  # by name
    olive = next(r for r in reports if r.person.id == org.owner.id)
    assert {g.view.goal.id for g in olive.goals} == {org.goals["team"], org.goals["org"]}
    mine = await team.manager_view(db, user=org.owner)
    assert [g.view.goal.id for g in mine.goals] == [g.view.goal.id for g in olive.goals]
    assert await team.list_reports(db, manager=org.admin) == []
    assert await team.list_reports(db, manager=org.advisor) == []


# --- writing and checking in -----------------------------------------------------------------------

async def test_create_checks_the_business_goal_and_the_target_date(db, org):
    before = await count(db, OutboxJob)
    with pytest.raises(Conflict) as missing:
        await goals.create_goal(db, user=org.owner, data=GoalCreate(title="X", business_goal_id="bgl_nope"))
    assert missing.value.field == "business_goal_id"
    with pytest.raises(InvalidInput) as past:
        await goals.create_goal(db, user=org.owner, data=GoalCreate(
            title="X", target_date=date.today() - timedelta(days=2)))
    assert past.value.field == "target_date"
    archived = BusinessGoal(title="Old", created_by=org.admin.id, archived_at=datetime.now(UTC))
    live = BusinessGoal(title="Ship faster", created_by=org.admin.id)
    db.add_all([archived, live])
    await db.commit()
    with pytest.raises(Conflict):
        await goals.create_goal(db, user=org.owner, data=GoalCreate(title="X", business_goal_id=archived.id))
    assert await count(db, OutboxJob) == before
    view = await goals.create_goal(db, user=org.owner, data=GoalCreate(
        title="X", business_goal_id=live.id, target_date=date.today() + timedelta(days=30)))
    assert view.business_goal_title == "Ship faster" and view.goal.status == "active"
    assert (await recorded(db, "goal.created"))[-1] == {
        "goal_id": view.goal.id, "owner_id": org.owner.id, "visibility": "private"}


async def test_check_in_sets_status_and_time_and_records_events(db, org):
    goal_id = org.goals["team"]
    first = await goals.check_in(db, user=org.owner, goal_id=goal_id,
                                 data=CheckInCreate(note="Shadowed a review", minutes=45))
    goal = (await goals.get_goal(db, viewer=org.owner, goal_id=goal_id)).goal
    assert first.status == "active" and goal.status == "active" and first.minutes == 45
    assert goal.last_checkin_at == first.created_at and goal.achieved_at is None
    paused = await goals.check_in(db, user=org.owner, goal_id=goal_id,
                                  data=CheckInCreate(note="Away for a month", status="paused"))
    achieved = await goals.check_in(db, user=org.owner, goal_id=goal_id,
                                    data=CheckInCreate(note="Led one alone", status="achieved"))
    goal = (await goals.get_goal(db, viewer=org.manager, goal_id=goal_id)).goal
    assert goal.status == "achieved" and goal.achieved_at is not None
    assert goal.last_checkin_at == achieved.created_at
    timeline, _ = await goals.list_checkins(db, viewer=org.manager, goal_id=goal_id, cursor=None, limit=10)
    assert [c.id for c in timeline] == [achieved.id, paused.id, first.id]
    assert [c.status for c in timeline] == ["achieved", "paused", "active"]
    checked = await recorded(db, "goal.checked_in")
    assert [(e["checkin_id"], e["status"]) for e in checked] == [
        (first.id, "active"), (paused.id, "paused"), (achieved.id, "achieved")]
    assert [e["goal_id"] for e in await recorded(db, "goal.achieved")] == [goal_id]
    page, cursor = await goals.list_checkins(db, viewer=org.owner, goal_id=goal_id, cursor=None, limit=2)
    rest, end = await goals.list_checkins(db, viewer=org.owner, goal_id=goal_id, cursor=cursor, limit=2)
    assert [c.id for c in page + rest] == [achieved.id, paused.id, first.id] and end is None
    await goals.update_goal(db, user=org.owner, goal_id=goal_id, changes=GoalUpdate(status="active"))
    assert (await goals.get_goal(db, viewer=org.owner, goal_id=goal_id)).goal.achieved_at is None


async def test_update_refuses_emptying_required_fields_and_records_what_changed(db, org):
    goal_id = org.goals["org"]
    for field in ("title", "visibility", "status", "skills"):
        with pytest.raises(ValidationError):
            await goals.update_goal(db, user=org.owner, goal_id=goal_id, changes=GoalUpdate(**{field: None}))
    view = await goals.update_goal(db, user=org.owner, goal_id=goal_id, changes=GoalUpdate(
        title="Renamed", why="Because.", skills=["sql", "SQL", "facilitation"]))
    assert view.goal.title == "Renamed" and view.goal.skills == ["sql", "facilitation"]
    assert (await recorded(db, "goal.updated"))[-1]["changed"] == ["skills", "title"]


async def test_delete_takes_the_plan_check_ins_and_support_with_it(db, org):
    goal_id = org.goals["team"]
    await goal_plans.add_item(db, user=org.owner, goal_id=goal_id,
                              data=PlanItemCreate(kind="activity", title="Read"))
    await goals.check_in(db, user=org.owner, goal_id=goal_id, data=CheckInCreate(note="Started"))
    await goal_support.add_comment(db, user=org.teammate, goal_id=goal_id, data=CommentCreate(body="Nice"))
    suggested = await goal_support.suggest(db, user=org.manager, goal_id=goal_id, data=SuggestionCreate(
        kind="person", person_id=org.skip.id))
    await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                         suggestion_id=suggested.suggestion.id)
    await goals.delete_goal(db, user=org.owner, goal_id=goal_id)
    with pytest.raises(NotFound):
        await goals.get_goal(db, viewer=org.owner, goal_id=goal_id)
    assert await count(db, PlanItem) == 0 and await count(db, GoalSuggestion) == 0


# --- the plan ----------------------------------------------------------------------------------------

async def add(db, org, title: str, goal: str = "private", **fields) -> PlanItem:
    return await goal_plans.add_item(db, user=org.owner, goal_id=org.goals[goal],
                                     data=PlanItemCreate(kind="activity", title=title, **fields))


async def titles(db, org, goal: str = "private") -> list[str]:
    items = await goal_plans.list_plan(db, viewer=org.owner, goal_id=org.goals[goal])
    assert [i.position for i in items] == list(range(len(items)))  # always 0..n-1, no gaps
    return [i.title for i in items]


async def test_plan_items_keep_their_order_through_moves_and_removals(db, org):
    a, b, c, d = [await add(db, org, t) for t in "ABCD"]
    assert await titles(db, org) == ["A", "B", "C", "D"]
    goal_id = org.goals["private"]

    async def move(item, position):
        await goal_plans.update_item(db, user=org.owner, goal_id=goal_id, item_id=item.id,
                                     changes=PlanItemUpdate(position=position))

    await move(d, 0)
    assert await titles(db, org) == ["D", "A", "B", "C"]
    await move(d, 2)
    assert await titles(db, org) == ["A", "B", "D", "C"]
    await move(a, 1000)  # past the end: last
    assert await titles(db, org) == ["B", "D", "C", "A"]
    await goal_plans.remove_item(db, user=org.owner, goal_id=goal_id, item_id=d.id)
    assert await titles(db, org) == ["B", "C", "A"]
    assert (await add(db, org, "E")).position == 3
    assert await titles(db, org) == ["B", "C", "A", "E"]
    with pytest.raises(NotFound):  # an item of another goal is not this goal's
        await goal_plans.update_item(db, user=org.owner, goal_id=org.goals["org"], item_id=b.id,
                                     changes=PlanItemUpdate(done=True))
    with pytest.raises(ValidationError):
        await goal_plans.update_item(db, user=org.owner, goal_id=goal_id, item_id=b.id,
                                     changes=PlanItemUpdate(position=None))
    assert c.goal_id == goal_id


async def test_ticking_by_hand_and_overdue_flags(db, org):
    goal_id = org.goals["private"]
    late = await add(db, org, "Late", due_on=date.today() - timedelta(days=3))
    soon = await add(db, org, "Soon", due_on=date.today() + timedelta(days=3))
    items = await goal_plans.list_plan(db, viewer=org.owner, goal_id=goal_id)
    found = await goal_plans.entries(db, items=items, owner=org.owner, viewer_id=org.owner.id)
    assert {e.item.id: e.overdue for e in found} == {late.id: True, soon.id: False}
    ticked = await goal_plans.update_item(db, user=org.owner, goal_id=goal_id, item_id=late.id,
                                          changes=PlanItemUpdate(done=True))
    assert ticked.done and ticked.done_by == "owner" and ticked.done_at is not None
    assert not goal_plans.is_overdue(ticked, date.today())
    view = await goals.get_goal(db, viewer=org.owner, goal_id=goal_id)
    assert (view.plan_done, view.plan_total) == (1, 2)
    assert [e["plan_item_id"] for e in await recorded(db, "plan_item.done")] == [late.id]
    unticked = await goal_plans.update_item(db, user=org.owner, goal_id=goal_id, item_id=late.id,
                                            changes=PlanItemUpdate(done=False))
    assert not unticked.done and unticked.done_at is None and unticked.done_by is None


async def test_a_plan_holds_at_most_a_hundred_items(db, org):
    for n in range(goal_plans.MAX_ITEMS):
        await add(db, org, f"Step {n}")
    with pytest.raises(Conflict):
        await add(db, org, "One too many")
    assert len(await titles(db, org)) == goal_plans.MAX_ITEMS


# --- plan items of every kind, and attendance ---------------------------------------------------------

@dataclass
class Place:
    host: User
    lounge_id: str
    private_lounge_id: str
    single: LearningSession
    series: list[LearningSession]
    hidden: LearningSession  # in a private lounge the owner is not in


def session_data(title: str, *, days: int, recurrence: str | None = None) -> SessionCreate:
    starts = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return SessionCreate(title=title, starts_at=starts, ends_at=starts + timedelta(hours=1), time_zone="UTC",
                         recurrence=recurrence)


@pytest.fixture
async def place(db, org) -> Place:
    host = await person(db, "Hana")
    lounge = (await lounges.create_lounge(db, user=host, data=LoungeCreate(name="Guild"))).lounge
    private = (await lounges.create_lounge(db, user=host, data=LoungeCreate(
        name="Inner circle", visibility="private"))).lounge
    single = (await sessions.schedule_session(db, user=host, lounge_id=lounge.id,
                                              data=session_data("Pytest fixtures", days=2))).session
    first = (await sessions.schedule_session(db, user=host, lounge_id=lounge.id, data=session_data(
        "Review club", days=3, recurrence="FREQ=WEEKLY;COUNT=3"))).session
    series = list((await db.scalars(select(LearningSession).where(
        LearningSession.series_id == first.series_id).order_by(LearningSession.starts_at))).all())
    hidden = (await sessions.schedule_session(db, user=host, lounge_id=private.id,
                                              data=session_data("Secret", days=2))).session
    for session in [single, *series]:
        await sessions.set_rsvp(db, user=org.owner, session_id=session.id, status="going")
    return Place(host, lounge.id, private.id, single, series, hidden)


async def plan_item(db, org, goal: str = "private", **fields) -> PlanItem:
    return await goal_plans.add_item(db, user=org.owner, goal_id=org.goals[goal],
                                     data=PlanItemCreate(**fields))


async def item(db, item_id: str) -> PlanItem:
    found = await db.get(PlanItem, item_id, populate_existing=True)
    assert found is not None
    return found


async def attend(db, place: Place, who: User, session: LearningSession, attended: bool = True) -> None:
    """The host checks `who` in (or undoes it) with the session under way: check-in is open then."""
    await move_session(db, session.id, starts_at=datetime.now(UTC) - timedelta(minutes=5))
    await sessions.check_in(db, user=place.host, session_id=session.id, attendee_id=who.id, attended=attended)


async def test_plan_items_of_every_kind_take_their_titles_from_what_they_point_at(db, org, place):
    resource = await plan_item(db, org, kind="resource", title="Guide", url="https://example.com/guide")
    activity = await plan_item(db, org, kind="activity", title="Lead a review")
    talk = await plan_item(db, org, kind="person", person_id=org.manager.id)
    session = await plan_item(db, org, kind="session", session_id=place.single.id)
    lounge = await plan_item(db, org, kind="lounge", lounge_id=place.lounge_id)
    assert (resource.url, activity.title, talk.title) == ("https://example.com/guide", "Lead a review",
                                                          "Talk to Max")
    assert (session.title, session.session_id, session.series_id) == ("Pytest fixtures", place.single.id,
                                                                      None)
    assert (lounge.title, lounge.lounge_id) == ("Guild", place.lounge_id)
    assert not any(i.done for i in (resource, activity, talk, session, lounge))
    refusals = {
        "challenge_id": {"kind": "challenge", "challenge_id": "chl_x"},  # there are no challenges yet
        "session_id": {"kind": "session", "session_id": place.hidden.id},
        "lounge_id": {"kind": "lounge", "lounge_id": place.private_lounge_id},
        "person_id": {"kind": "person", "person_id": "usr_nobody"},
    }
    for field, data in refusals.items():
        with pytest.raises(Conflict) as refused:
            await plan_item(db, org, **data)
        assert refused.value.field == field
    with pytest.raises(Conflict):
        await plan_item(db, org, kind="session", session_id="lsn_nowhere")
    assert len(await goal_plans.list_plan(db, viewer=org.owner, goal_id=org.goals["private"])) == 5


async def test_checking_in_to_a_session_ticks_its_item_and_undoing_unticks_it(db, org, place):
    planned = await plan_item(db, org, kind="session", session_id=place.single.id)
    other_goal = await plan_item(db, org, goal="team", kind="session", session_id=place.single.id)
    by_hand = await plan_item(db, org, goal="org", kind="session", session_id=place.single.id)
    await goal_plans.update_item(db, user=org.owner, goal_id=org.goals["org"], item_id=by_hand.id,
                                 changes=PlanItemUpdate(done=True))
    await attend(db, place, org.owner, place.series[0])  # another session: nothing moves
    assert not (await item(db, planned.id)).done

    await attend(db, place, org.owner, place.single)
    for ticked in (await item(db, planned.id), await item(db, other_goal.id)):
        assert ticked.done and ticked.done_by == "attendance" and ticked.done_at is not None
    assert {e["plan_item_id"] for e in await recorded(db, "plan_item.done")
            if e["done_by"] == "attendance"} == {planned.id, other_goal.id}

    await attend(db, place, org.owner, place.single, attended=False)
    for unticked in (await item(db, planned.id), await item(db, other_goal.id)):
        assert not unticked.done and unticked.done_by is None and unticked.done_at is None
    assert (await item(db, by_hand.id)).done  # what the owner ticked stays ticked


async def test_someone_elses_check_in_ticks_nothing_of_mine(db, org, place):
    planned = await plan_item(db, org, kind="session", session_id=place.single.id)
    await sessions.set_rsvp(db, user=org.teammate, session_id=place.single.id, status="going")
    teammate_goal = (await goals.create_goal(db, user=org.teammate, data=GoalCreate(title="Mine"))).goal
    theirs = await goal_plans.add_item(db, user=org.teammate, goal_id=teammate_goal.id,
                                       data=PlanItemCreate(kind="session", session_id=place.single.id))
    await attend(db, place, org.teammate, place.single)
    assert (await item(db, theirs.id)).done and not (await item(db, planned.id)).done


async def test_any_occurrence_of_a_series_ticks_the_item_until_no_check_in_is_left(db, org, place):
    first, second, third = place.series
    planned = await plan_item(db, org, kind="session", session_id=first.id)
    assert planned.series_id == first.series_id and planned.title == "Review club"
    await attend(db, place, org.owner, second)
    assert (await item(db, planned.id)).done_by == "attendance"
    await attend(db, place, org.owner, third)
    await attend(db, place, org.owner, third, attended=False)
    assert (await item(db, planned.id)).done  # the second occurrence still counts
    await attend(db, place, org.owner, second, attended=False)
    assert not (await item(db, planned.id)).done


async def test_an_item_for_a_session_already_attended_starts_ticked(db, org, place):
    await attend(db, place, org.owner, place.series[1])
    planned = await plan_item(db, org, kind="session", session_id=place.series[2].id)
    assert planned.done and planned.done_by == "attendance"
    assert [e["plan_item_id"] for e in await recorded(db, "plan_item.done")] == [planned.id]


# --- comments and suggestions -----------------------------------------------------------------------

async def bell(db, user: User) -> list[Notification]:
    return list((await db.scalars(select(Notification).where(Notification.user_id == user.id)
                                  .order_by(Notification.created_at))).all())


async def test_comments_notify_the_owner_and_nobody_else(db, org):
    goal_id = org.goals["team"]
    await goal_support.add_comment(db, user=org.manager, goal_id=goal_id,
                                   data=CommentCreate(body="Happy to pair on it"))
    await goal_support.add_comment(db, user=org.owner, goal_id=goal_id, data=CommentCreate(body="Thanks!"))
    found, _ = await goal_support.list_comments(db, viewer=org.teammate, goal_id=goal_id, cursor=None,
                                                limit=10)
    assert [(v.comment.body, v.author_name) for v in found] == [("Happy to pair on it", "Max"),
                                                                ("Thanks!", "Olive")]
    [notice] = await bell(db, org.owner)
    assert notice.kind == "goal.comment" and notice.url == f"/goals/{goal_id}"
    assert notice.title == "Max commented on A team goal"
    assert await bell(db, org.manager) == [] and await bell(db, org.teammate) == []


async def test_an_accepted_suggestion_becomes_a_plan_item(db, org, place):
    goal_id = org.goals["team"]
    with pytest.raises(Forbidden):  # the owner adds to the plan instead
        await goal_support.suggest(db, user=org.owner, goal_id=goal_id, data=SuggestionCreate(
            kind="person", person_id=org.manager.id))
    session_tip = await goal_support.suggest(db, user=org.manager, goal_id=goal_id, data=SuggestionCreate(
        kind="session", session_id=place.single.id, note="Good one"))
    person_tip = await goal_support.suggest(db, user=org.teammate, goal_id=goal_id, data=SuggestionCreate(
        kind="person", person_id=org.skip.id))
    assert session_tip.target_title == "Pytest fixtures" and person_tip.target_title == "Sam"
    assert [n.title for n in await bell(db, org.owner)] == [
        "Max suggested Pytest fixtures for A team goal", "Tess suggested Sam for A team goal"]
    mine, _ = await goal_support.list_suggestions(db, viewer=org.teammate, goal_id=goal_id, cursor=None,
                                                  limit=10)
    assert [v.suggestion.id for v in mine] == [person_tip.suggestion.id]  # each sees only their own
    every, _ = await goal_support.list_suggestions(db, viewer=org.owner, goal_id=goal_id, cursor=None,
                                                   limit=10)
    assert {v.suggestion.id for v in every} == {session_tip.suggestion.id, person_tip.suggestion.id}

    for viewer in (org.manager, org.teammate):
        with pytest.raises(Forbidden):
            await goal_support.accept_suggestion(db, user=viewer, goal_id=goal_id,
                                                 suggestion_id=session_tip.suggestion.id)
    accepted, planned = await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                                             suggestion_id=session_tip.suggestion.id)
    assert accepted.suggestion.status == "accepted" and accepted.suggestion.plan_item_id == planned.id
    stored = await item(db, planned.id)
    assert (stored.kind, stored.session_id, stored.title, stored.goal_id) == (
        "session", place.single.id, "Pytest fixtures", goal_id)
    with pytest.raises(Conflict):
        await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                             suggestion_id=session_tip.suggestion.id)
    ignored = await goal_support.ignore_suggestion(db, user=org.owner, goal_id=goal_id,
                                                   suggestion_id=person_tip.suggestion.id)
    assert ignored.suggestion.status == "ignored" and ignored.suggestion.plan_item_id is None
    with pytest.raises(Conflict):
        await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                             suggestion_id=person_tip.suggestion.id)
    assert len(await goal_plans.list_plan(db, viewer=org.owner, goal_id=goal_id)) == 1
    with pytest.raises(NotFound):  # a suggestion is only found on its own goal
        await goal_support.ignore_suggestion(db, user=org.owner, goal_id=org.goals["org"],
                                             suggestion_id=person_tip.suggestion.id)


async def test_accepting_is_one_transaction(db, org, place):
    """A suggestion the plan cannot take stays pending, and no plan item is left behind."""
    goal_id = org.goals["team"]
    for who in (org.manager, org.owner):
        await lounges.invite_member(db, user=place.host, lounge_id=place.private_lounge_id, invitee_id=who.id)
    hidden_tip = await goal_support.suggest(db, user=org.manager, goal_id=goal_id, data=SuggestionCreate(
        kind="session", session_id=place.hidden.id))
    await lounges.leave_lounge(db, user=org.owner, lounge_id=place.private_lounge_id)  # Olive cannot see it
    with pytest.raises(Conflict):
        await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                             suggestion_id=hidden_tip.suggestion.id)
    person_tip = await goal_support.suggest(db, user=org.manager, goal_id=goal_id, data=SuggestionCreate(
        kind="person", person_id=org.skip.id))
    for n in range(goal_plans.MAX_ITEMS):
        await add(db, org, f"Step {n}", goal="team")
    with pytest.raises(Conflict):
        await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                             suggestion_id=person_tip.suggestion.id)
    for tip in (hidden_tip, person_tip):
        stored = await db.get(GoalSuggestion, tip.suggestion.id, populate_existing=True)
        assert stored.status == "pending" and stored.plan_item_id is None
    assert await count(db, PlanItem) == goal_plans.MAX_ITEMS


async def test_removing_an_item_that_came_from_a_suggestion_keeps_the_suggestion(db, org):
    goal_id = org.goals["team"]
    tip = await goal_support.suggest(db, user=org.manager, goal_id=goal_id, data=SuggestionCreate(
        kind="person", person_id=org.skip.id))
    _, planned = await goal_support.accept_suggestion(db, user=org.owner, goal_id=goal_id,
                                                      suggestion_id=tip.suggestion.id)
    await goal_plans.remove_item(db, user=org.owner, goal_id=goal_id, item_id=planned.id)
    stored = await db.get(GoalSuggestion, tip.suggestion.id, populate_existing=True)
    assert stored.status == "accepted" and stored.plan_item_id is None
    assert await goal_plans.list_plan(db, viewer=org.owner, goal_id=goal_id) == []


async def test_suggestions_must_point_at_something_both_people_can_see(db, org, place):
    goal_id = org.goals["org"]
    with pytest.raises(Conflict) as hidden:
        await goal_support.suggest(db, user=org.other, goal_id=goal_id, data=SuggestionCreate(
            kind="session", session_id=place.hidden.id))
    assert hidden.value.field == "session_id"
    await lounges.invite_member(db, user=place.host, lounge_id=place.private_lounge_id,
                                invitee_id=org.other.id)
    with pytest.raises(Conflict) as owner_cannot:  # Otto sees it now; Olive still does not
        await goal_support.suggest(db, user=org.other, goal_id=goal_id, data=SuggestionCreate(
            kind="session", session_id=place.hidden.id))
    assert owner_cannot.value.field == "session_id"
    with pytest.raises(Conflict) as nobody:
        await goal_support.suggest(db, user=org.other, goal_id=goal_id, data=SuggestionCreate(
            kind="person", person_id="usr_nobody"))
    assert nobody.value.field == "person_id"
    assert await count(db, GoalSuggestion) == 0 and await bell(db, org.owner) == []


async def test_a_step_in_a_private_lounge_is_hidden_from_viewers_outside_it(db, org, place):
    await lounges.invite_member(db, user=place.host, lounge_id=place.private_lounge_id,
                                invitee_id=org.owner.id)
    step = await plan_item(db, org, goal="team", kind="session", session_id=place.hidden.id)
    room = await plan_item(db, org, goal="team", kind="lounge", lounge_id=place.private_lounge_id)
    open_step = await plan_item(db, org, goal="team", kind="session", session_id=place.single.id)
    items = await goal_plans.list_plan(db, viewer=org.manager, goal_id=org.goals["team"])

    async def hidden(viewer: User) -> set[str]:
        found = await goal_plans.entries(db, items=items, owner=org.owner, viewer_id=viewer.id)
        return {e.item.id for e in found if e.hidden}

    assert await hidden(org.owner) == set()
    assert await hidden(org.manager) == await hidden(org.teammate) == {step.id, room.id}
    assert open_step.id not in await hidden(org.manager)
