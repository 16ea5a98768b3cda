"""Goal models for the API: a learning contract (writing and editing it), its plan items,
check-ins, the support others give (comments, suggestions), and what a manager sees of a
report (`/team`, `/me/manager-view`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.schemas.common import StrictModel, bounded, check_multiline_text, check_plain_text
from app.schemas.schedule import check_link
from app.web.markdown import render_markdown

Visibility = Literal["private", "team", "org"]
Status = Literal["active", "achieved", "paused", "dropped"]
PlanKind = Literal["resource", "activity", "person", "session", "lounge", "challenge"]
SuggestionKind = Literal["session", "person"]
VISIBILITY_LABELS = {"private": "Only you", "team": "You, your manager and your team",
                     "org": "Everyone in the organisation"}
MAX_SKILLS = 12
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")

GoalTitle = Annotated[str, Field(max_length=400),
                      bounded(check_plain_text, minimum=1, maximum=120, what="a title")]
ContractText = Annotated[str, Field(max_length=20000),
                         bounded(check_multiline_text, minimum=0, maximum=5000, what="some text")]
WeeklyMinutes = Annotated[int, Field(ge=0, le=2400, description="Learning time protected each week")]
Id = Annotated[str, Field(max_length=40)]


def clean_skills(value: object) -> object:
    """A list or one comma-separated string (a form's text input); trimmed, without repeats."""
    if value is None:
        return value
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list):
        return value
    skills: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            return value
        for part in item.split(","):
            skill = check_plain_text(part)
            if not skill:
                continue
            if len(skill) > 40:
                raise ValueError("Keep each skill under 40 characters")
            if skill.lower() not in (s.lower() for s in skills):
                skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise ValueError(f"Name at most {MAX_SKILLS} skills")
    return skills


def check_target_date(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValueError("Choose a date between 2000 and 2100")
    return value


def check_hhmm(value: str | None) -> str | None:
    if value is not None and not _HHMM.fullmatch(value):
        raise ValueError("Use a 24-hour time such as 14:00")
    return value


class _GoalFields(StrictModel):
    form_blank_clears: ClassVar[tuple[str, ...]] = ("business_goal_id", "target_date", "weekly_minutes")

    @field_validator("skills", mode="before", check_fields=False)
    @classmethod
    def _skills(cls, value: object) -> object:
        return clean_skills(value)

    @field_validator("target_date", check_fields=False)
    @classmethod
    def _target(cls, value: date | None) -> date | None:
        return check_target_date(value)

    @field_validator("learning_start", check_fields=False)
    @classmethod
    def _start(cls, value: str | None) -> str | None:
        return check_hhmm(value)


class GoalCreate(_GoalFields):
    title: GoalTitle
    why: ContractText = ""
    where_i_am: ContractText = ""
    where_i_want_to_be: ContractText = ""
    how_i_will_get_there: ContractText = ""
    how_i_will_know: ContractText = ""
    skills: list[str] = Field(default_factory=list)
    business_goal_id: Id | None = None
    target_date: date | None = None
    weekly_minutes: WeeklyMinutes | None = None
    learning_weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday")] = 4
    learning_start: Annotated[str, Field(max_length=5, description="HH:MM in my time zone")] = "14:00"
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
    title: GoalTitle | None = None
    why: ContractText | None = None
    where_i_am: ContractText | None = None
    where_i_want_to_be: ContractText | None = None
    how_i_will_get_there: ContractText | None = None
    how_i_will_know: ContractText | None = None
    skills: list[str] | None = None
    business_goal_id: Id | None = None
    target_date: date | None = None
    weekly_minutes: WeeklyMinutes | None = None
    learning_weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    learning_start: Annotated[str, Field(max_length=5)] | None = None
    visibility: Visibility | None = None
    status: Status | None = None

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


class PlanItemCreate(StrictModel):
    kind: PlanKind
    title: Annotated[str, Field(max_length=800),
                     bounded(check_plain_text, minimum=0, maximum=200, what="a title")] = ""
    url: Annotated[str, Field(max_length=2000)] = ""
    session_id: Id | None = None
    lounge_id: Id | None = None
    person_id: Id | None = None
    challenge_id: Id | None = None
    due_on: date | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "session", "title": "", "session_id": "lsn_Rk2q0sLm7aPz"},
        {"kind": "resource", "title": "Design review guide", "url": "https://wiki.example.com/reviews",
         "due_on": "2027-01-15"}]})

    @field_validator("url")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_link(value)

    @field_validator("due_on")
    @classmethod
    def _due(cls, value: date | None) -> date | None:
        return check_target_date(value)

    @model_validator(mode="after")
    def _what_it_points_at(self) -> PlanItemCreate:
        needs = {"resource": "url", "session": "session_id", "lounge": "lounge_id",
                 "person": "person_id", "challenge": "challenge_id"}
        needed = needs.get(self.kind)
        if needed and not getattr(self, needed):
            raise ValueError(f"A {self.kind} item needs `{needed}`")
        if self.kind in ("activity", "resource") and not self.title:
            raise ValueError("Enter a title")
        return self


class PlanItemUpdate(StrictModel):
    form_blank_clears: ClassVar[tuple[str, ...]] = ("due_on",)

    title: Annotated[str, Field(max_length=800),
                     bounded(check_plain_text, minimum=1, maximum=200, what="a title")] | None = None
    done: bool | None = None
    due_on: date | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"done": True}, {"position": 0}]})

    @field_validator("due_on")
    @classmethod
    def _due(cls, value: date | None) -> date | None:
        return check_target_date(value)


class CheckInCreate(StrictModel):
    note: Annotated[str, Field(max_length=8000),
                    bounded(check_multiline_text, minimum=1, maximum=2000, what="a note")]
    status: Status | None = None
    minutes: Annotated[int, Field(ge=0, le=1440, description="Minutes spent learning since the last")] = 0

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "note": "Shadowed my first design review; took notes on how Priya framed the trade-offs.",
        "status": "active", "minutes": 60}]})


class CommentCreate(StrictModel):
    body: Annotated[str, Field(max_length=8000),
                    bounded(check_multiline_text, minimum=1, maximum=2000, what="a comment")]

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


class SuggestionCreate(StrictModel):
    kind: SuggestionKind
    session_id: Id | None = None
    person_id: Id | None = None
    note: Annotated[str, Field(max_length=2000),
                    bounded(check_multiline_text, minimum=0, maximum=500, what="a note")] = ""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "person", "person_id": "usr_3kTbq9sX0aLm", "note": "Priya runs the best reviews."}]})

    @model_validator(mode="after")
    def _target(self) -> SuggestionCreate:
        needed = "session_id" if self.kind == "session" else "person_id"
        if not getattr(self, needed):
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
