"""Session models for the API: scheduling (one-off or an RRULE series), editing, the public
shape, RSVPs and attendees, and what follows a session (notes, resources, feedback)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.schemas.common import (
    BLANK,
    JsonBool,
    Matches,
    StrictModel,
    Text,
    TimeZone,
    WallTime,
    json_int,
    omittable,
)
from app.web.markdown import render_markdown

Kind = Literal["lunch_and_learn", "chat", "workshop", "action_learning_set", "other"]
Scope = Literal["this", "following"]
KIND_LABELS: dict[str, str] = {
    "lunch_and_learn": "Lunch and learn", "chat": "Chat", "workshop": "Workshop",
    "action_learning_set": "Action learning set", "other": "Other",
}

Title = Annotated[str, Text(maximum=120, minimum=2, what="a title")]
Description = Annotated[str, Text(maximum=5000, multiline=True)]
Location = Annotated[str, Text(maximum=200)]
Capacity = json_int(ge=1, le=10000)
Rating = json_int(ge=1, le=5)
UserIds = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=10)]

# An http(s) address with a host (letters, digits, dots and dashes, and a port), then a path,
# query or fragment without blanks; javascript:, data: and the like are refused. Blanks around
# it are dropped.
_ADDRESS = "https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^" + BLANK + "]*)?"


A_LINK = Matches(f"^[{BLANK}]*{_ADDRESS}[{BLANK}]*$", "Enter a web address starting with https://")
LINK_OR_NOTHING = Matches(f"^[{BLANK}]*(?:{_ADDRESS})?[{BLANK}]*$", A_LINK.message)


def link(*, maximum: int, required: bool = False) -> Any:
    """A web address field, at most `maximum` characters; empty allowed unless `required`."""
    return Annotated[str, Field(max_length=maximum), A_LINK if required else LINK_OR_NOTHING,
                     AfterValidator(str.strip)]


Link = link(maximum=500)
RequiredLink = link(maximum=500, required=True)


ENDS_BEFORE_START = "The session must end after it starts."
_WALL_TIME: TypeAdapter[datetime] = TypeAdapter(WallTime)


def _ends_before_start(data: Any) -> bool:
    """Whether both times in `data` are valid and the end is not after the start (a mix of a
    local time and one with an offset needs the time zone; the service compares those)."""
    try:
        start, end = (_WALL_TIME.validate_python(data[name]) for name in ("starts_at", "ends_at"))
    except (KeyError, TypeError, ValidationError):
        return False
    return (start.tzinfo is None) == (end.tzinfo is None) and end <= start


def _also_the_span(exc: ValidationError, data: Any) -> ValidationError:
    """`exc` with the end-before-start error added, when the times themselves are valid, so a
    form hears of every error at once (with no other error, `sessions._span` reports it)."""
    errors = exc.errors()
    if {"starts_at", "ends_at"} & {e["loc"][0] for e in errors if e["loc"]} or not _ends_before_start(data):
        return exc
    kept = [{"type": PydanticCustomError(e["type"], e["msg"].replace("{", "{{").replace("}", "}}"),
                                         e.get("ctx")), "loc": e["loc"], "input": e["input"]} for e in errors]
    kept.append({"type": PydanticCustomError("value_error", ENDS_BEFORE_START), "loc": ("ends_at",),
                 "input": data["ends_at"]})
    return ValidationError.from_exception_data(exc.title, kept)  # type: ignore[arg-type]


class _SpanChecked(StrictModel):
    @model_validator(mode="wrap")
    @classmethod
    def _span_with_other_errors(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise _also_the_span(exc, data) from None


class SessionCreate(_SpanChecked):
    title: Title
    description: Description = ""
    kind: Kind = "lunch_and_learn"
    starts_at: WallTime = Field(description="ISO 8601 with an offset, or local time in `time_zone`")
    ends_at: WallTime = Field(description="ISO 8601 with an offset, or local time in `time_zone`")
    time_zone: TimeZone
    capacity: Capacity | None = None
    location: Location = ""
    join_url: Link = ""
    cohost_ids: UserIds = Field(default_factory=list)
    recurrence: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="An RFC 5545 RRULE with COUNT or UNTIL, e.g. FREQ=WEEKLY;COUNT=10")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Intro to pytest fixtures", "description": "Bring a laptop.", "kind": "lunch_and_learn",
        "starts_at": "2027-03-04T12:30:00+00:00", "ends_at": "2027-03-04T13:15:00+00:00",
        "time_zone": "Europe/London", "capacity": 12, "location": "Room 4.01",
        "join_url": "https://meet.example.com/pytest", "recurrence": "FREQ=WEEKLY;COUNT=6"}]})

    @field_validator("recurrence")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class SessionUpdate(_SpanChecked):
    """Leave out what stays; null clears the description, place, link or seat limit."""

    title: Title = omittable()
    description: Description | None = None
    kind: Kind = omittable()
    starts_at: WallTime = omittable()
    ends_at: WallTime = omittable()
    time_zone: TimeZone = omittable()
    capacity: Capacity | None = None
    location: Location | None = None
    join_url: Link | None = None
    cohost_ids: UserIds = omittable()
    # The edit form shows these filled in; emptying one there removes the limit, place or link.
    form_blank_clears: ClassVar[frozenset[str]] = frozenset({"capacity", "location", "join_url"})

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "starts_at": "2027-03-04T13:00:00+00:00", "ends_at": "2027-03-04T13:45:00+00:00",
        "capacity": 20}]})


class MyRsvp(BaseModel):
    status: Literal["going", "waitlisted", "not_going"]
    waitlist_position: int | None = None
    checked_in: bool = False


class SessionPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "lsn_x1Y2z3A4b5C6", "lounge_id": "lng_Qm3xT0aZ1x2y", "lounge_name": "Python guild",
        "lounge_slug": "python-guild", "series_id": "ser_Pq8rS7tU6vW5", "recurrence": "FREQ=WEEKLY;COUNT=6",
        "repeats": "Every Thursday, 6 times, until 8 Apr 2027", "title": "Intro to pytest fixtures",
        "description": "Bring a laptop.",
        "description_html": "<p>Bring a laptop.</p>", "kind": "lunch_and_learn",
        "starts_at": "2027-03-04T12:30:00Z", "ends_at": "2027-03-04T13:15:00Z", "time_zone": "Europe/London",
        "capacity": 12, "location": "Room 4.01", "join_url": None, "has_join_url": True,
        "status": "scheduled", "sequence": 0, "ical_uid": "lsn_x1Y2z3A4b5C6@lounge",
        "channel_id": "chn_Zz9yX8wV7uT6", "host_id": "usr_3kTbq9sX0aLm", "host_name": "Ana Lima",
        "cohost_ids": [], "going_count": 12, "waitlist_count": 3, "seats_left": 0,
        "my_rsvp": {"status": "waitlisted", "waitlist_position": 2, "checked_in": False},
        "can_manage": False, "hosting": False, "can_check_in": False, "notes": "", "notes_html": "",
        "created_at": "2027-02-20T10:00:00Z",
        "updated_at": "2027-02-20T10:00:00Z"}]})

    id: str
    lounge_id: str
    lounge_name: str
    lounge_slug: str
    series_id: str | None
    recurrence: str | None
    repeats: str | None = Field(description="The series' rule in plain English, from its first session")
    title: str
    description: str
    description_html: str
    kind: Kind
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    capacity: int | None
    location: str
    join_url: str | None = Field(description="Only for people going and for the hosts")
    has_join_url: bool
    status: Literal["scheduled", "cancelled"]
    sequence: int
    ical_uid: str
    channel_id: str
    host_id: str
    host_name: str
    cohost_ids: list[str]
    going_count: int
    waitlist_count: int
    seats_left: int | None
    my_rsvp: MyRsvp | None
    can_manage: bool
    hosting: bool = Field(description="Whether I host or co-host it")
    can_check_in: bool = Field(description="Whether I may check people in now: a host, from 15 minutes "
                                           "before the start until a day after the end")
    notes: str
    notes_html: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: Any) -> SessionPublic:
        """From a `SessionView` (the session as one viewer sees it)."""
        s = view.session
        my_rsvp = None
        if view.my_status is not None:
            my_rsvp = MyRsvp(status=view.my_status, waitlist_position=view.my_position,
                             checked_in=view.my_checked_in)
        return cls(
            id=s.id, lounge_id=s.lounge_id, lounge_name=view.lounge.name, lounge_slug=view.lounge.slug,
            series_id=s.series_id, recurrence=view.rrule,
            repeats=view.series.words if view.series else None, title=s.title, description=s.description,
            description_html=str(render_markdown(s.description)), kind=s.kind, starts_at=s.starts_at,
            ends_at=s.ends_at, time_zone=s.time_zone, capacity=s.capacity, location=s.location,
            join_url=view.join_url, has_join_url=bool(s.join_url), status=s.status, sequence=s.sequence,
            ical_uid=s.ical_uid, channel_id=s.channel_id, host_id=s.host_id, host_name=view.host_name,
            cohost_ids=view.cohost_ids, going_count=view.going_count, waitlist_count=view.waitlist_count,
            seats_left=view.seats_left, my_rsvp=my_rsvp, can_manage=view.can_manage,
            hosting=view.hosting, can_check_in=view.can_check_in, notes=s.notes,
            notes_html=str(render_markdown(s.notes)), created_at=s.created_at, updated_at=s.updated_at)


class RsvpUpdate(StrictModel):
    status: Literal["going", "not_going"]

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "going"}]})


class RsvpPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "session_id": "lsn_x1Y2z3A4b5C6", "status": "waitlisted", "waitlist_position": 2}]})

    session_id: str
    status: Literal["going", "waitlisted", "not_going"]
    waitlist_position: int | None = None


class AttendeePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "user_id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima", "status": "going",
        "waitlist_position": None, "checked_in": True}]})

    user_id: str
    display_name: str
    status: Literal["going", "waitlisted", "not_going"]
    waitlist_position: int | None = None
    checked_in: bool


class AttendanceUpdate(StrictModel):
    attended: JsonBool

    model_config = ConfigDict(json_schema_extra={"examples": [{"attended": True}]})


class NotesUpdate(StrictModel):
    notes: Annotated[str, Text(maximum=10000, multiline=True)]

    model_config = ConfigDict(json_schema_extra={"examples": [{"notes": "Slides and the kata repo below."}]})


class ResourceCreate(StrictModel):
    title: Title
    url: RequiredLink

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "title": "Slides", "url": "https://docs.example.com/pytest-fixtures"}]})


class ResourcePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "res_Ab1Cd2Ef3Gh4", "session_id": "lsn_x1Y2z3A4b5C6", "title": "Slides",
        "url": "https://docs.example.com/pytest-fixtures", "added_by": "usr_3kTbq9sX0aLm",
        "created_at": "2027-03-04T14:00:00Z"}]})

    id: str
    session_id: str
    title: str
    url: str
    added_by: str
    created_at: datetime


class FeedbackUpsert(StrictModel):
    rating: Rating
    comment: Annotated[str, Text(maximum=2000, multiline=True)] = ""
    takeaway: Annotated[str, Text(maximum=500, multiline=True)] = ""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rating": 5, "comment": "Great pace.", "takeaway": "Fixtures can yield, so teardown lives "
                                                          "next to setup."}]})


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "session_id": "lsn_x1Y2z3A4b5C6", "user_id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima",
        "rating": 5, "comment": "Great pace.", "takeaway": "Fixtures can yield.",
        "updated_at": "2027-03-04T14:00:00Z"}]})

    session_id: str
    user_id: str
    display_name: str
    rating: int
    comment: str
    takeaway: str
    updated_at: datetime
