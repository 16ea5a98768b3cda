"""Lounge models for the API: creating and editing a lounge, its public shape, members, roles
and invitations, and the takeaways its sessions left behind."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schemas.common import MultilineText, StrictModel, bounded, check_plain_text
from app.web.markdown import render_markdown

Visibility = Literal["open", "private"]
Role = Literal["host", "moderator", "member"]
MAX_TAGS = 10
_TAG = re.compile(r"[a-z0-9][a-z0-9+#.-]{0,31}")
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")

LoungeName = Annotated[str, Field(max_length=400),
                       bounded(check_plain_text, minimum=2, maximum=80, what="a name")]
Description = Annotated[MultilineText, Field(max_length=5000)]


def clean_tags(value: object) -> object:
    """Accept a list or one comma-separated string (a form's text input); lower-case, dedupe."""
    if value is None:
        return value
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list):
        return value
    tags: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            return value
        for part in item.split(","):
            tag = check_plain_text(part).lower().lstrip("#")
            if not tag:
                continue
            if not _TAG.fullmatch(tag):
                raise ValueError(f"'{tag[:40]}' is not a tag: use up to 32 letters, digits or dashes")
            if tag not in tags:
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"Use at most {MAX_TAGS} tags")
    return tags


def check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError("Use lower-case letters, digits and dashes (e.g. python-guild)")
    return value


class LoungeCreate(StrictModel):
    name: LoungeName
    slug: Annotated[str, Field(max_length=80)] | None = None
    description: Description = ""
    tags: list[str] = Field(default_factory=list)
    visibility: Visibility = "open"

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Python guild", "description": "Lunchtime talks and pairing on **Python**.",
        "tags": ["python", "engineering"], "visibility": "open"}]})

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return clean_tags(value)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        return None if value is None else check_slug(value)


class LoungeUpdate(StrictModel):
    name: LoungeName | None = None
    description: Description | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "description": "Fortnightly talks, monthly code review clinic.", "tags": ["python"]}]})

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return clean_tags(value)


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
