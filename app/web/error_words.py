"""Plain words for validation errors: one mapping from a pydantic error type (and its `ctx`) to
the sentence a colleague would write, used for the API's `errors[].msg` and beside a page's
fields alike. Only dates differ: a page's date inputs show dates as people write them, while
tools must send ISO 8601, so the API's sentence names that form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Error = dict[str, Any]

_DATE_TIME = "Enter a date and time, such as 4 March 2027, 12:30."
_DATE = "Enter a date, such as 4 March 2027."
_ISO_DATE_TIME = "Enter a date and time in ISO 8601, such as 2027-03-04T12:30:00Z."
_ISO_DATE = "Enter a date in ISO 8601, such as 2027-03-04."
_DATE_TYPES = frozenset({"iso_text", "datetime_parsing", "datetime_from_date_parsing", "datetime_type",
                         "date_parsing", "date_from_datetime_parsing", "date_type",
                         "timezone_aware", "datetime_past", "datetime_future"})


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _count(n: Any, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _choices(ctx: dict[str, Any]) -> str:
    expected = str(ctx.get("expected", "")).replace("'", "")
    return f"Choose one of: {expected}." if expected else "Choose one of the options offered."


def _too_short(ctx: dict[str, Any]) -> str:
    least = ctx.get("min_length", 1)
    return "This field cannot be empty." if least == 1 else f"Use at least {least} characters."


def _own_words(error: Error) -> str:
    """Our own validators already speak plainly; pydantic only puts a prefix before them."""
    message = str(error.get("msg") or "This value is not valid.")
    if message.startswith("value is not a valid email address"):
        reason = message.partition(": ")[2]
        return "Enter a valid email address, such as ana@example.com" + (f". {reason}" if reason else ".")
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return sentence(message)


_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: "This field is required.",
    "greater_than_equal": lambda ctx: f"Use a number of {_number(ctx['ge'])} or more.",
    "greater_than": lambda ctx: f"Use a number above {_number(ctx['gt'])}.",
    "less_than_equal": lambda ctx: f"Use a number of {_number(ctx['le'])} or less.",
    "less_than": lambda ctx: f"Use a number below {_number(ctx['lt'])}.",
    "int_parsing": lambda ctx: "Enter a whole number, such as 12.",
    "int_type": lambda ctx: "Enter a whole number, such as 12.",
    "int_from_float": lambda ctx: "Enter a whole number, such as 12.",
    "float_parsing": lambda ctx: "Enter a number, such as 1.5.",
    "bool_parsing": lambda ctx: "Answer yes or no (true or false).",
    "bool_type": lambda ctx: "Answer yes or no (true or false).",
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: f"Use at most {ctx.get('max_length')} characters.",
    "string_type": lambda ctx: "Enter text here.",
    "string_pattern_mismatch": lambda ctx: "This is not in the form this field needs.",
    "too_short": lambda ctx: f"Choose at least {_count(ctx.get('min_length'), 'item')}.",
    "too_long": lambda ctx: f"Choose at most {_count(ctx.get('max_length'), 'item')}.",
    "list_type": lambda ctx: "Give a list of values here.",
    "enum": _choices,
    "literal_error": _choices,
    "url_parsing": lambda ctx: "Enter a web address, such as https://example.com.",
    "url_scheme": lambda ctx: "Enter a web address starting with https://.",
    "extra_forbidden": lambda ctx: "This field is not known here; leave it out.",
    "json_invalid": lambda ctx: "The body is not valid JSON.",
}


def sentence(message: str) -> str:
    """A message as a sentence: capitalised, with its full stop."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message[-1] in ".!?" else message + "."


def _date_words(error: Error, field: str | None, *, for_tools: bool) -> str:
    # Our times are named `…_at` (starts_at, expires_at), dates `…_on`, `…_date` or `…_by`.
    with_time = "datetime" in str(error.get("type")) or (field or "").endswith("_at")
    if for_tools:
        return _ISO_DATE_TIME if with_time else _ISO_DATE
    if error.get("input") == "":
        return "This field is required."
    return _DATE_TIME if with_time else _DATE


def plain_message(error: Error, field: str | None = None, *, for_tools: bool = False) -> str:
    """The sentence for one pydantic error (`field` is the name it is about, if any)."""
    kind = str(error.get("type", ""))
    if kind in _DATE_TYPES:
        return _date_words(error, field, for_tools=for_tools)
    words = _WORDS.get(kind)
    if words is not None:
        try:
            return words(error.get("ctx") or {})
        except KeyError:  # a ctx without the value the sentence needs: our own words then
            pass
    return _own_words(error)
