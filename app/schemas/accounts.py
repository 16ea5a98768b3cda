"""Account models: registration, login, profile, personal API tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.schemas.common import BLANK, Day, Instant, JsonBool, Matches, StrictModel, Text, TimeZone, omittable
from app.services.handles import HANDLE_PATTERN, HANDLE_RULE, check_handle

Scope = Literal["read", "write", "chat", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "chat", "admin")

DisplayName = Annotated[str, Text(maximum=80, minimum=1, what="a display name")]
Password = Annotated[str, Field(max_length=1024)]
NewPassword = Annotated[str, Field(min_length=10, max_length=1024)]
Handle = Annotated[str, Field(description="@mention handle, e.g. ana.lima"),
                   Matches(HANDLE_PATTERN, HANDLE_RULE), AfterValidator(check_handle)]
Id = Annotated[str, Field(max_length=40)]
# An address of ASCII letters, digits and the usual signs before the @, and a domain of dotted
# labels after it; blanks around it are dropped.
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
Email = Annotated[str, Field(max_length=254),
                  Matches(f"^[{BLANK}]*[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-]{{1,64}}@{_LABEL}(?:\\.{_LABEL})+[{BLANK}]*$",
                          "Enter a valid email address, such as ana@example.com"),
                  AfterValidator(str.strip)]


class UserRegister(StrictModel):
    email: Email
    password: NewPassword
    display_name: DisplayName
    handle: Handle | None = None
    time_zone: TimeZone = "UTC"

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "email": "ana@example.com", "password": "correct horse battery",
        "display_name": "Ana Lima", "handle": "ana.lima", "time_zone": "Europe/Lisbon"}]})


class UserLogin(StrictModel):
    email: Email
    password: Password

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "email": "ana@example.com", "password": "correct horse battery"}]})


class MeUpdate(StrictModel):
    # The manager picker's "remove" button sends an empty manager_id: no manager.
    form_blank_clears: ClassVar[tuple[str, ...]] = ("manager_id",)

    display_name: DisplayName = omittable()
    handle: Handle = omittable()
    time_zone: TimeZone = omittable()
    bio: Annotated[str, Text(maximum=500, multiline=True)] | None = None
    manager_id: Id | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "display_name": "Ana Lima", "time_zone": "America/Sao_Paulo",
        "bio": "Learning Rust one lunch at a time."}]})


_PERSON = {"id": "usr_3kTbq9sX0aLm", "display_name": "Ana Lima", "handle": "ana.lima",
           "time_zone": "Europe/Lisbon",
           "bio": "Learning Rust one lunch at a time.", "is_admin": False, "is_advisor": False,
           "manager_id": "usr_Hq7vR2mW9cTe"}


class UserAdminUpdate(StrictModel):
    """What an administrator changes about a person (`null` clears the manager)."""

    form_blank_clears: ClassVar[tuple[str, ...]] = ("manager_id",)

    manager_id: Id | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"manager_id": "usr_Hq7vR2mW9cTe"}]})


class RolesUpdate(StrictModel):
    """The roles an administrator gives or takes away (administrator itself is not one of them)."""

    advisor: JsonBool = Field(description="A Workplace Learning Advisor: works the concierge queue")

    model_config = ConfigDict(json_schema_extra={"examples": [{"advisor": True}]})


class UserPublic(BaseModel):
    """What anyone signed in may see of a person."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_PERSON]})

    id: str
    display_name: str
    handle: str
    time_zone: str
    bio: str
    is_admin: bool
    is_advisor: bool = False
    manager_id: str | None = None


class MePublic(UserPublic):
    """What I see of myself."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        **_PERSON, "email": "ana@example.com", "created_at": "2026-09-01T08:30:00Z"}]})

    email: str
    created_at: datetime


class LoginResult(BaseModel):
    user: MePublic
    csrf_token: str


class TokenCreate(StrictModel):
    name: Annotated[str, Text(maximum=80, minimum=1, what="a name")]
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    expires_at: Instant | Day | None = Field(
        default=None, description="When it stops working; a date means the end of that day, UTC")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "calendar bot", "scopes": ["read", "chat"], "expires_at": "2027-06-30T00:00:00Z"}]})

    @field_validator("scopes")
    @classmethod
    def _distinct(cls, value: list[Scope]) -> list[Scope]:
        return [s for s in SCOPES if s in value]

    @field_validator("expires_at")
    @classmethod
    def _in_future(cls, value: datetime | date | None) -> datetime | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, time(23, 59, 59), tzinfo=UTC)  # a date picker's answer
        if value is not None and value <= datetime.now(UTC):
            raise ValueError("must be in the future")
        return value


_TOKEN = {
    "id": "tok_Qm2x8Lr0aP1z", "name": "calendar bot", "prefix": "lng_7fK2aQ",
    "scopes": ["read", "chat"], "created_at": "2026-11-02T09:00:00Z",
    "expires_at": None, "revoked_at": None, "last_used_at": None}


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_TOKEN]})

    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class TokenCreated(TokenPublic):
    """Returned once, at creation: `token` is never shown again."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **_TOKEN, "token": "lng_7fK2aQ2yaZw0g9mujchgtErlXoJEbeHmVP65HFLt8x8"}]})

    token: str
