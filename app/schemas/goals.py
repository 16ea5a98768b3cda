"""Goal models for the API: a learning contract (writing and editing it), its plan items,
check-ins, the support others give (comments, suggestions), and what a manager sees of a
report (`/team`, `/me/manager-view`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.common import (
    BLANK,
    REFUSED,
    CommaList,
    Day,
    JsonBool,
    Matches,
    StrictModel,
    Text,
    json_int,
    omittable,
    when,
)
from app.schemas.schedule import A_LINK, link
from app.web.markdown import render_markdown

Visibility = Literal["private", "team", "org"]
Status = Literal["active", "achieved", "paused", "dropped"]
PlanKind = Literal["resource", "activity", "person", "session", "lounge", "challenge"]
SuggestionKind = Literal["session", "person"]
VISIBILITY_LABELS = {"private": "Only you", "team": "You, your manager and your team",
                     "org": "Everyone in the organisation"}

GoalTitle = Annotated[str, Text(maximum=120, minimum=1, what="a title")]
ContractText = Annotated[str, Text(maximum=5000, multiline=True)]
WeeklyMinutes = json_int(ge=0, le=2400, description="Learning time protected each week")
Weekday = json_int(ge=0, le=6, description="0 = Monday")
Position = json_int(ge=0, le=1000)
Minutes = json_int(ge=0, le=1440, description="Minutes spent learning since the last")
ClockTime = Annotated[str, Field(description="HH:MM in my time zone"),
                      Matches("^(?:[01][0-9]|2[0-3]):[0-5][0-9]$", "Use a 24-hour time such as 14:00")]
Id = Annotated[str, Field(max_length=40)]
PlanLink = link(maximum=2000)
InRange = Annotated[Day, Matches("^(?:20[0-9]{2}|2100)-", "Choose a date between 2000 and 2100")]
# Up to 40 characters, no commas, starting and ending with a visible one.
_SKILL_CHAR = f"[^{REFUSED},]"
_SKILL_EDGE = f"[^{REFUSED}{BLANK},]"
Skills = Annotated[list[str], CommaList(
    item=f"{_SKILL_EDGE}(?:{_SKILL_CHAR}{{0,38}}{_SKILL_EDGE})?", most=12, what="skill",
    description="up to 40 characters without commas")]


def needs(mapping: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The schema of "this `kind` needs these fields": `{kind: {field: its schema}}`."""
    return {"allOf": [when("kind", {"const": kind}, {"required": list(fields), "properties": fields})
                      for kind, fields in mapping.items()]}


def missing(model: BaseModel, mapping: dict[str, dict[str, Any]]) -> str | None:
    """The first field `mapping` says the model's `kind` needs that it does not give."""
    return next((name for name in mapping.get(model.kind, {}) if not getattr(model, name)), None)


_AN_ID = {"type": "string", "minLength": 1}


class _GoalFields(StrictModel):
    form_blank_clears: ClassVar[tuple[str, ...]] = ("business_goal_id", "target_date", "weekly_minutes")


class GoalCreate(_GoalFields):
    title: GoalTitle
    why: ContractText = ""
    where_i_am: ContractText = ""
    where_i_want_to_be: ContractText = ""
    how_i_will_get_there: ContractText = ""
    how_i_will_know: ContractText = ""
    skills: Skills = Field(default_factory=list)
    business_goal_id: Id | None = None
    target_date: InRange | None = None
    weekly_minutes: WeeklyMinutes | None = None
    learning_weekday: Weekday = 4
    learning_start: ClockTime = "14:00"
    visibility: Visibility = "private"

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Run a design review on my own",
        "why": "Our team ships faster when reviews do not wait for the two seniors.",
        "where_i_am": "I take notes in reviews but have never led one.",
        "where_i_want_to_be": "I lead a review of a mid-sized change and the team acts on it.",
        "how_i_will_get_there": "Shadow two reviews, read the review guide, co-lead one in March.",
        "how_i_will_know": "I have led one review alone and two people say it was useful.",
        "skills": ["facilitation", "system design"], "target_date": "2027-04-30",
        "weekly_minutes": 90, "visibility": "team"}]})


class GoalUpdate(_GoalFields):
    # An edit form emptying a contract answer clears it (sent as null, stored as "").
    form_blank_clears: ClassVar[tuple[str, ...]] = (
        "business_goal_id", "target_date", "weekly_minutes", "why", "where_i_am", "where_i_want_to_be",
        "how_i_will_get_there", "how_i_will_know")
    title: GoalTitle = omittable()
    why: ContractText | None = None
    where_i_am: ContractText | None = None
    where_i_want_to_be: ContractText | None = None
    how_i_will_get_there: ContractText | None = None
    how_i_will_know: ContractText | None = None
    skills: Skills = omittable()
    business_goal_id: Id | None = None
    target_date: InRange | None = None
    weekly_minutes: WeeklyMinutes | None = None
    learning_weekday: Weekday = omittable()
    learning_start: ClockTime = omittable()
    visibility: Visibility = omittable()
    status: Status = omittable()

    model_config = ConfigDict(json_schema_extra={"examples": [{"visibility": "org"}]})


class PersonRef(BaseModel):
    id: str
    display_name: str


class BusinessGoalRef(BaseModel):
    id: str
    title: str


class PlanItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "pln_Vq2m8sLr0aPz", "goal_id": "gol_Qm2x8Lr0aP1z", "kind": "session",
        "title": "Intro to pytest fixtures", "url": "", "session_id": "lsn_Rk2q0sLm7aPz",
        "lounge_id": None, "person_id": None, "challenge_id": None, "due_on": "2027-03-04",
        "position": 0, "done": False, "done_at": None, "done_by": None, "overdue": False,
        "created_at": "2026-11-02T09:00:00Z"}]})

    id: str
    goal_id: str
    kind: PlanKind
    title: str
    url: str = ""
    session_id: str | None = None
    lounge_id: str | None = None
    person_id: str | None = None
    challenge_id: str | None = None
    due_on: date | None = None
    position: int
    done: bool
    done_at: datetime | None = None
    done_by: str | None = None
    overdue: bool = False
    created_at: datetime


class CheckInPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "chk_Vq2m8sLr0aPz", "goal_id": "gol_Qm2x8Lr0aP1z", "note": "Shadowed my first review.",
        "status": "active", "minutes": 60, "created_at": "2026-11-02T09:00:00Z"}]})

    id: str
    goal_id: str
    note: str
    status: Status
    minutes: int
    created_at: datetime


class GoalPublic(BaseModel):
    """A goal as a viewer allowed to see it sees it: the contract, and who can see it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **GoalCreate.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
        "id": "gol_Qm2x8Lr0aP1z", "owner": {"id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima"},
        "status": "active", "business_goal": None, "learning_weekday": 4, "learning_start": "14:00",
        "visible_to": "You, your manager and your team", "plan_done": 1, "plan_total": 3,
        "is_mine": True, "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z",
        "achieved_at": None, "last_checkin_at": None}]})

    id: str
    owner: PersonRef
    title: str
    why: str
    where_i_am: str
    where_i_want_to_be: str
    how_i_will_get_there: str
    how_i_will_know: str
    skills: list[str]
    business_goal: BusinessGoalRef | None = None
    target_date: date | None = None
    weekly_minutes: int | None = None
    learning_weekday: int
    learning_start: str
    visibility: Visibility
    visible_to: str
    status: Status
    plan_done: int
    plan_total: int
    is_mine: bool
    created_at: datetime
    updated_at: datetime
    achieved_at: datetime | None = None
    last_checkin_at: datetime | None = None

    @classmethod
    def of(cls, view: Any) -> GoalPublic:
        goal = view.goal
        return cls(
            id=goal.id, owner=PersonRef(id=goal.owner_id, display_name=view.owner_name),
            title=goal.title, why=goal.why, where_i_am=goal.where_i_am,
            where_i_want_to_be=goal.where_i_want_to_be, how_i_will_get_there=goal.how_i_will_get_there,
            how_i_will_know=goal.how_i_will_know, skills=list(goal.skills),
            business_goal=(BusinessGoalRef(id=goal.business_goal_id, title=view.business_goal_title)
                           if goal.business_goal_id else None),
            target_date=goal.target_date, weekly_minutes=goal.weekly_minutes,
            learning_weekday=goal.learning_weekday, learning_start=goal.learning_start,
            visibility=goal.visibility, visible_to=VISIBILITY_LABELS[goal.visibility],
            status=goal.status, plan_done=view.plan_done, plan_total=view.plan_total,
            is_mine=view.is_mine, created_at=goal.created_at, updated_at=goal.updated_at,
            achieved_at=goal.achieved_at, last_checkin_at=goal.last_checkin_at)

    def html(self, field: str) -> str:
        """A contract answer as safe HTML (the page reads it as a document)."""
        return render_markdown(getattr(self, field))


PlanTitle = Annotated[str, Text(maximum=200, minimum=1, what="a title")]
_A_TITLE = {"type": "string", "pattern": Text(maximum=200, minimum=1).pattern}
_PLAN_NEEDS: dict[str, dict[str, Any]] = {
    "resource": {"url": {"type": "string", "pattern": A_LINK.pattern},
                 "title": _A_TITLE},
    "activity": {"title": _A_TITLE},
    "session": {"session_id": _AN_ID}, "lounge": {"lounge_id": _AN_ID},
    "person": {"person_id": _AN_ID}, "challenge": {"challenge_id": _AN_ID},
}


class PlanItemCreate(StrictModel):
    """Each kind needs what it points at: a resource its `url` and a `title`, an activity its
    `title`, a session, lounge, person or challenge its id."""

    kind: PlanKind
    title: Annotated[str, Text(maximum=200)] = ""
    url: PlanLink = ""
    session_id: Id | None = None
    lounge_id: Id | None = None
    person_id: Id | None = None
    challenge_id: Id | None = None
    due_on: InRange | None = None

    model_config = ConfigDict(json_schema_extra={**needs(_PLAN_NEEDS), "examples": [
        {"kind": "session", "title": "", "session_id": "lsn_Rk2q0sLm7aPz"},
        {"kind": "resource", "title": "Design review guide", "url": "https://wiki.example.com/reviews",
         "due_on": "2027-01-15"}]})

    @model_validator(mode="after")
    def _what_it_points_at(self) -> PlanItemCreate:
        needed = missing(self, _PLAN_NEEDS)
        if needed == "title":
            raise ValueError("Enter a title")
        if needed:
            raise ValueError(f"A {self.kind} item needs `{needed}`")
        return self


class PlanItemUpdate(StrictModel):
    title: PlanTitle = omittable()
    done: JsonBool = omittable()
    due_on: InRange | None = None
    position: Position = omittable()

    model_config = ConfigDict(json_schema_extra={"examples": [{"done": True}, {"position": 0}]})


class CheckInCreate(StrictModel):
    note: Annotated[str, Text(maximum=2000, minimum=1, multiline=True, what="a note")]
    status: Status | None = None
    minutes: Minutes = 0

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "note": "Shadowed my first design review; took notes on how Priya framed the trade-offs.",
        "status": "active", "minutes": 60}]})


class CommentCreate(StrictModel):
    body: Annotated[str, Text(maximum=2000, minimum=1, multiline=True, what="a comment")]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "body": "Happy to pair on the March review if that helps."}]})


class CommentPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "gcm_Vq2m8sLr0aPz", "goal_id": "gol_Qm2x8Lr0aP1z",
        "author": {"id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima"},
        "body": "Happy to pair on it.", "created_at": "2026-11-02T09:00:00Z"}]})

    id: str
    goal_id: str
    author: PersonRef
    body: str
    created_at: datetime

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)


_SUGGESTION_NEEDS: dict[str, dict[str, Any]] = {
    "session": {"session_id": _AN_ID}, "person": {"person_id": _AN_ID}}


class SuggestionCreate(StrictModel):
    """A session suggestion needs `session_id`, a person suggestion `person_id`."""

    kind: SuggestionKind
    session_id: Id | None = None
    person_id: Id | None = None
    note: Annotated[str, Text(maximum=500, multiline=True)] = ""

    model_config = ConfigDict(json_schema_extra={**needs(_SUGGESTION_NEEDS), "examples": [{
        "kind": "person", "person_id": "usr_3kTbq9sX0aLm", "note": "Priya runs the best reviews."}]})

    @model_validator(mode="after")
    def _target(self) -> SuggestionCreate:
        needed = missing(self, _SUGGESTION_NEEDS)
        if needed:
            raise ValueError(f"A {self.kind} suggestion needs `{needed}`")
        return self


class SuggestionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "sug_Vq2m8sLr0aPz", "goal_id": "gol_Qm2x8Lr0aP1z", "kind": "person",
        "author": {"id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima"},
        "session_id": None, "person_id": "usr_Rk2q0sLm7aPz", "target_title": "Priya Shah",
        "note": "Priya runs the best reviews.", "status": "pending", "plan_item_id": None,
        "created_at": "2026-11-02T09:00:00Z"}]})

    id: str
    goal_id: str
    kind: SuggestionKind
    author: PersonRef
    session_id: str | None = None
    person_id: str | None = None
    target_title: str
    note: str
    status: Literal["pending", "accepted", "ignored"]
    plan_item_id: str | None = None
    created_at: datetime


class ParticipationPublic(BaseModel):
    sessions_attended: int
    sessions_hosted: int


class SharedGoalPublic(BaseModel):
    """A shared goal in a manager's view: the goal, its plan and its check-ins."""

    goal: GoalPublic
    plan: list[PlanItemPublic]
    checkins: list[CheckInPublic]


class ReportPublic(BaseModel):
    """What a manager sees of one direct report: only what the report shared."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "person": {"id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima"},
        "goals": [{"goal": GoalPublic.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
                   "plan": PlanItemPublic.model_config["json_schema_extra"]["examples"],  # type: ignore[index]
                   "checkins": CheckInPublic.model_config["json_schema_extra"]["examples"]}],  # type: ignore[index]
        "participation": {"sessions_attended": 4, "sessions_hosted": 1}}]})

    person: PersonRef
    goals: list[SharedGoalPublic]
    participation: ParticipationPublic
