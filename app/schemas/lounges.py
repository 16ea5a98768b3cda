"""Lounge models for the API: creating and editing a lounge, its public shape, members, roles
and invitations, and the takeaways its sessions left behind."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import CommaList, Matches, StrictModel, Text, omittable
from app.web.markdown import render_markdown

Visibility = Literal["open", "private"]
Role = Literal["host", "moderator", "member"]

LoungeName = Annotated[str, Text(maximum=80, minimum=2, what="a name")]
Description = Annotated[str, Text(maximum=5000, multiline=True)]
Slug = Annotated[str, Matches("^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$",
                              "Use lower-case letters, digits and dashes (e.g. python-guild)")]
Tags = Annotated[list[str], CommaList(
    item="#?[A-Za-z0-9][A-Za-z0-9+#.-]{0,31}", most=10, what="tag",
    fold=lambda tag: tag.removeprefix("#").lower(),
    description="up to 32 letters, digits or `+ # . -`, starting with a letter or digit (a "
                "leading `#` is dropped; kept in lower case)")]


class LoungeCreate(StrictModel):
    name: LoungeName
    slug: Slug | None = Field(default=None, description="Derived from the name when left out")
    description: Description = ""
    tags: Tags = Field(default_factory=list)
    visibility: Visibility = "open"

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Python guild", "description": "Lunchtime talks and pairing on **Python**.",
        "tags": ["python", "engineering"], "visibility": "open"}]})


class LoungeUpdate(StrictModel):
    name: LoungeName = omittable()
    description: Description = omittable()
    tags: Tags | None = Field(default=None, description="null removes every tag")
    visibility: Visibility = omittable()

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "description": "Fortnightly talks, monthly code review clinic.", "tags": ["python"]}]})


class LoungePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "lng_Qm3xT0aZ1x2y", "slug": "python-guild", "name": "Python guild", "visibility": "open",
        "channel_id": "chn_8fKq0aZ1x2yB", "description": "Talks on **Python**.",
        "description_html": "<p>Talks on <strong>Python</strong>.</p>", "tags": ["python"],
        "member_count": 14, "my_role": "member", "archived": False, "created_at": "2027-01-04T09:00:00Z"}]})

    id: str
    slug: str
    name: str
    visibility: Visibility
    channel_id: str
    description: str
    description_html: str
    tags: list[str]
    member_count: int
    my_role: Role | None = None
    archived: bool
    created_at: datetime

    @classmethod
    def of(cls, view: Any) -> LoungePublic:
        """From a `LoungeView` (the lounge as one viewer sees it). The values come from our
        own rows, already of the right types, so they are not validated again."""
        lounge = view.lounge
        return cls.model_construct(
            id=lounge.id, slug=lounge.slug, name=lounge.name, visibility=lounge.visibility,
            channel_id=lounge.channel_id, description=lounge.description,
            description_html=str(render_markdown(lounge.description)), tags=view.tags,
            member_count=view.member_count, my_role=view.my_role,
            archived=lounge.archived_at is not None, created_at=lounge.created_at)


class MemberPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "user_id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima", "role": "host",
        "joined_at": "2027-01-04T09:00:00Z"}]})

    user_id: str
    display_name: str
    role: Role
    joined_at: datetime


class MemberRoleUpdate(StrictModel):
    role: Role

    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "moderator"}]})


class InviteCreate(StrictModel):
    user_id: Annotated[str, Field(min_length=1, max_length=40)]

    model_config = ConfigDict(json_schema_extra={"examples": [{"user_id": "usr_3kTbq0aZ1x2y"}]})


class TakeawayPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "session_id": "lsn_x1Y2z3A4b5C6", "session_title": "Intro to pytest fixtures",
        "user_id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima",
        "takeaway": "Fixtures can yield, so teardown sits next to setup.",
        "created_at": "2027-03-04T14:00:00Z"}]})

    session_id: str
    session_title: str
    user_id: str
    display_name: str
    takeaway: str
    created_at: datetime
