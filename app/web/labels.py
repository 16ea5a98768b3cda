"""The label each form shows for each of its fields, written once: the form templates render
them (`label_of(form_id, name)`) and the htmx error answer's summary links to a field by them,
so a summary never shows an internal field name."""

from __future__ import annotations

FORM_LABELS: dict[str, dict[str, str]] = {
    "session-form": {
        "title": "Title", "kind": "Kind", "starts_at": "Starts", "ends_at": "Ends",
        "time_zone": "Time zone", "description": "Description (Markdown)",
        "capacity": "Seats (optional)", "location": "Location (optional)",
        "join_url": "Online join link (optional)", "recurrence": "Repeats", "repeat": "How often",
        "repeat_count": "How many sessions in all", "repeat_until": "Or the date of the last one",
    },
    "lounge-form": {"name": "Name", "description": "Description (Markdown)", "tags": "Tags",
                    "visibility": "Who can find it"},
    "token-form": {"name": "Token name", "scopes": "Scopes", "expires_at": "Expires on (optional)"},
    "register-form": {"display_name": "Display name", "handle": "Handle for @mentions (optional)",
                      "email": "Work email", "password": "Password", "time_zone": "Time zone"},
}


def label_of(form_id: str, name: str) -> str | None:
    """The label `form_id` shows for `name`, if that form has such a field."""
    return FORM_LABELS.get(form_id, {}).get(name)
