"""Webhook models: registering an endpoint (the `whsec_` secret appears only in the creation
answer), changing it, and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.schemas.common import BLANK, JsonBool, Matches, StrictModel, Text, omittable, when

EventType = Literal["lounge.created", "lounge.updated", "session.created", "session.updated",
                    "session.cancelled", "rsvp.changed", "message.created",
                    "goal.created", "goal.updated", "goal.achieved", "goal.checked_in", "plan_item.done"]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
# Events about someone's goal: sent only to administrators' endpoints for every lounge, and only
# while the goal is shared with the whole organisation.
GOAL_EVENT_TYPES: frozenset[str] = frozenset(
    {"goal.created", "goal.updated", "goal.achieved", "goal.checked_in", "plan_item.done"})
DeliveryStatus = Literal["pending", "succeeded", "failed", "dead"]

# An http(s) URL: a host name or address (an IPv6 one in brackets), a port, then a path, query
# or fragment without blanks; no user name or password.
_PORT = "(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
Url = Annotated[str, Field(max_length=2000, examples=["https://hooks.example.com/lounge"]),
                Matches(f"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::{_PORT})?"
                        f"(?:[/?#][^{BLANK}]*)?$",
                        "Use an http:// or https:// URL, with no user name or password")]
GOAL_EVENTS_ONLY_EVERYWHERE = ("Goal events go only to administrators' webhooks for every lounge; "
                               "leave them out of a lounge's webhook.")
Description = Annotated[str, Text(maximum=500)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]


def _in_catalogue_order(value: list[str]) -> list[str]:
    return [event for event in EVENT_TYPES if event in value]


_ENDPOINT = {"id": "whk_V2p8sQ0aLm3x", "owner_id": "usr_3kTbq9sX0aLm", "lounge_id": "lng_Rk2q0sLm7aPz",
             "url": "https://hooks.example.com/lounge", "description": "Sessions into the HR calendar",
             "events": ["session.created", "session.updated", "session.cancelled"],
             "enabled": True, "disabled_reason": None, "consecutive_failures": 0,
             "created_at": "2026-11-02T09:00:00Z"}


class WebhookCreate(StrictModel):
    """Leave `lounge_id` out for events of every lounge (administrators only); goal events
    (`goal.*`, `plan_item.done`) only go to such endpoints."""

    url: Url
    events: Events
    description: Description = ""
    lounge_id: Annotated[str, Field(max_length=40)] | None = None

    model_config = ConfigDict(json_schema_extra={
        # A lounge's webhook takes no goal events.
        **when("lounge_id", {"type": "string"},
               {"properties": {"events": {"items": {"not": {"enum": sorted(GOAL_EVENT_TYPES)}}}}}),
        "examples": [{
            "url": "https://hooks.example.com/lounge", "lounge_id": "lng_Rk2q0sLm7aPz",
            "events": ["session.created", "session.updated", "session.cancelled"],
            "description": "Sessions into the HR calendar"}]})

    _order = field_validator("events")(_in_catalogue_order)

    @model_validator(mode="after")
    def _goal_events_everywhere(self) -> WebhookCreate:
        if self.lounge_id is not None and GOAL_EVENT_TYPES.intersection(self.events):
            raise ValueError(GOAL_EVENTS_ONLY_EVERYWHERE)
        return self


class WebhookUpdate(StrictModel):
    url: Url = omittable()
    events: Events = omittable()
    description: Description = omittable()
    enabled: JsonBool = omittable()

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"events": ["rsvp.changed"]}, {"enabled": False}]})

    @field_validator("events")
    @classmethod
    def _order(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _in_catalogue_order(value)


class WebhookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_ENDPOINT]})

    id: str
    owner_id: str
    lounge_id: str | None
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int
    created_at: datetime


class WebhookCreated(WebhookPublic):
    """The creation answer: the only one that carries the signing `secret`."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        **_ENDPOINT, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]})

    secret: str


_DELIVERY = {
    "id": "msg_p5jXN8AQM9LWM0D4", "endpoint_id": "whk_V2p8sQ0aLm3x", "event_type": "session.created",
    "status": "succeeded", "attempts": 3, "last_status_code": 200, "last_error": None,
    "next_attempt_at": None, "created_at": "2026-11-02T09:00:00Z", "delivered_at": "2026-11-02T09:01:10Z",
    "payload": {"type": "session.created", "timestamp": "2026-11-02T09:00:00+00:00",
                "data": {"session_id": "ses_8Lq2xP0aZb1c", "lounge_id": "lng_Rk2q0sLm7aPz"}}}


class DeliveryPublic(BaseModel):
    """One message to one endpoint; `id` is the `webhook-id` header the receiver saw."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_DELIVERY]})

    id: str
    endpoint_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


class AttemptPublic(BaseModel):
    """One HTTP request of a delivery: the receiver's status code, or what went wrong."""

    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryDetail(DeliveryPublic):
    """A delivery with every attempt to send it, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**_DELIVERY, "attempt_log": [
        {"attempted_at": "2026-11-02T09:00:01Z", "status_code": 503,
         "error": "The receiver answered 503.", "duration_ms": 41},
        {"attempted_at": "2026-11-02T09:00:31Z", "status_code": None,
         "error": "Timed out after 5 s.", "duration_ms": 5001},
        {"attempted_at": "2026-11-02T09:01:10Z", "status_code": 200, "error": None, "duration_ms": 38},
    ]}]})

    attempt_log: list[AttemptPublic]
