"""Employee-owned development: the business goals admins publish, personal goals written as
learning contracts, their plan items and check-ins, and the support others give on a shared
goal (comments and suggestions). Every goal has an owner and a visibility the owner sets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow

GOAL_VISIBILITIES = ("private", "team", "org")
GOAL_STATUSES = ("active", "achieved", "paused", "dropped")
PLAN_KINDS = ("resource", "activity", "person", "session", "lounge", "challenge")
SUGGESTION_KINDS = ("session", "person")
SUGGESTION_STATUSES = ("pending", "accepted", "ignored")


class BusinessGoal(SQLModel, table=True):
    """A goal the business publishes so personal goals can say what they serve."""

    __tablename__ = "business_goals"

    id: str = IdField("bgl")
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)
    created_by: str = Field(foreign_key="users.id", max_length=40)
    created_at: datetime = TimestampField(default_factory=utcnow)
    archived_at: datetime | None = TimestampField(default=None, nullable=True)


class Goal(SQLModel, table=True):
    """A learning contract: why, the four questions, skills, a target date and the learning
    time its owner protects (`weekly_minutes`, as a weekly block starting at
    `learning_weekday`/`learning_start` in the owner's time zone)."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_owner", "owner_id", "created_at"),)

    id: str = IdField("gol")
    owner_id: str = Field(foreign_key="users.id", max_length=40)
    title: str = Field(max_length=120)
    why: str = Field(default="", max_length=5000)
    where_i_am: str = Field(default="", max_length=5000)
    where_i_want_to_be: str = Field(default="", max_length=5000)
    how_i_will_get_there: str = Field(default="", max_length=5000)
    how_i_will_know: str = Field(default="", max_length=5000)
    skills: list[str] = Field(sa_column=Column(JSON, nullable=False))
    business_goal_id: str | None = Field(default=None, foreign_key="business_goals.id", max_length=40,
                                         index=True)
    target_date: date | None = Field(default=None)
    weekly_minutes: int | None = Field(default=None)
    learning_weekday: int = Field(default=4)  # 0 = Monday … 6 = Sunday
    learning_start: str = Field(default="14:00", max_length=5)  # HH:MM, owner's time zone
    visibility: str = Field(default="private", max_length=8)  # one of GOAL_VISIBILITIES
    status: str = Field(default="active", max_length=8)  # one of GOAL_STATUSES
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)
    achieved_at: datetime | None = TimestampField(default=None, nullable=True)
    last_checkin_at: datetime | None = TimestampField(default=None, nullable=True)


class PlanItem(SQLModel, table=True):
    """One step of a goal's plan. A `session` item keeps the session's series, so attending
    any occurrence of it ticks the item (`done_by` = "attendance")."""

    __tablename__ = "plan_items"
    __table_args__ = (Index("ix_plan_items_goal", "goal_id", "position"),)

    id: str = IdField("pln")
    goal_id: str = Field(foreign_key="goals.id", max_length=40)
    kind: str = Field(max_length=10)  # one of PLAN_KINDS
    title: str = Field(max_length=200)
    url: str = Field(default="", max_length=2000)
    session_id: str | None = Field(default=None, foreign_key="learning_sessions.id", max_length=40,
                                   index=True)
    series_id: str | None = Field(default=None, foreign_key="session_series.id", max_length=40,
                                  index=True)
    lounge_id: str | None = Field(default=None, foreign_key="lounges.id", max_length=40)
    person_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    challenge_id: str | None = Field(default=None, max_length=40)
    due_on: date | None = Field(default=None)
    position: int = Field(default=0)
    done: bool = Field(default=False)
    done_at: datetime | None = TimestampField(default=None, nullable=True)
    done_by: str | None = Field(default=None, max_length=12)  # "owner" | "attendance"
    created_at: datetime = TimestampField(default_factory=utcnow)


class GoalCheckIn(SQLModel, table=True):
    """A short progress note, the goal's status after it, and the minutes spent learning."""

    __tablename__ = "goal_checkins"
    __table_args__ = (Index("ix_goal_checkins_goal", "goal_id", "created_at"),)

    id: str = IdField("chk")
    goal_id: str = Field(foreign_key="goals.id", max_length=40)
    author_id: str = Field(foreign_key="users.id", max_length=40)
    note: str = Field(max_length=2000)
    status: str = Field(max_length=8)
    minutes: int = Field(default=0)
    created_at: datetime = TimestampField(default_factory=utcnow)


class GoalComment(SQLModel, table=True):
    """Support on a goal from someone who can see it (a manager, a teammate)."""

    __tablename__ = "goal_comments"
    __table_args__ = (Index("ix_goal_comments_goal", "goal_id", "created_at"),)

    id: str = IdField("gcm")
    goal_id: str = Field(foreign_key="goals.id", max_length=40)
    author_id: str = Field(foreign_key="users.id", max_length=40)
    body: str = Field(max_length=2000)
    created_at: datetime = TimestampField(default_factory=utcnow)


class GoalSuggestion(SQLModel, table=True):
    """A session or a person someone suggests for a goal; the owner accepts it (it becomes a
    plan item) or ignores it."""

    __tablename__ = "goal_suggestions"
    __table_args__ = (Index("ix_goal_suggestions_goal", "goal_id", "created_at"),)

    id: str = IdField("sug")
    goal_id: str = Field(foreign_key="goals.id", max_length=40)
    author_id: str = Field(foreign_key="users.id", max_length=40)
    kind: str = Field(max_length=8)  # one of SUGGESTION_KINDS
    session_id: str | None = Field(default=None, foreign_key="learning_sessions.id", max_length=40)
    person_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=8)  # one of SUGGESTION_STATUSES
    plan_item_id: str | None = Field(default=None, foreign_key="plan_items.id", max_length=40)
    created_at: datetime = TimestampField(default_factory=utcnow)
