"""@mention handles: short, unique, and impossible to fake with look-alike characters.

A handle is 1–30 ASCII letters, digits, `.`, `_` and `-`, starting and ending with a letter or
digit, kept in lower case (a leading `@` is allowed and dropped). Uniqueness is
enforced on its *skeleton* (in the spirit of Unicode TS #39): the handle with look-alike
characters folded together (`0`→`o`, `1`/`i`→`l`, `rn`→`m`, `vv`→`w`, separators dropped), so
`ana.lima`, `ana_lima`, `anaIima` and `ana1ima` cannot belong to different people.
"""

from __future__ import annotations

import re
import unicodedata

# What a caller may send: the schema publishes it, `check_handle` applies it.
HANDLE_PATTERN = "^@?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,28}[A-Za-z0-9])?$"
HANDLE_RULE = ("Use 1–30 letters a–z, digits, dots, dashes or underscores, starting and ending "
               "with a letter or digit")
_HANDLE = re.compile(HANDLE_PATTERN)
_FOLDS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_CHAR_FOLDS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "8": "b"})
_SEPARATORS = re.compile(r"[._-]+")


def check_handle(value: str) -> str:
    """A requested handle as kept (without `@`, in lower case); ValueError unless it matches
    `HANDLE_PATTERN`."""
    if not _HANDLE.fullmatch(value):
        raise ValueError(HANDLE_RULE)
    return value.removeprefix("@").lower()


def skeleton(handle: str) -> str:
    folded = _SEPARATORS.sub("", handle.lower()).translate(_CHAR_FOLDS)
    for pair, single in _FOLDS:
        folded = folded.replace(pair, single)
    return folded


def handle_from_name(display_name: str) -> str:
    """A first suggestion derived from a display name: "Ana Lima" → "ana.lima"."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    candidate = ".".join(words)[:30].strip("._-")
    return candidate or "member"
