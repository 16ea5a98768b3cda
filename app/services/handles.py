"""@mention handles: short, unique, and impossible to fake with look-alike characters.

A handle is NFKC-normalised lowercase ASCII letters, digits, `.`, `_` and `-`. Uniqueness is
enforced on its *skeleton* (in the spirit of Unicode TS #39): the handle with look-alike
characters folded together (`0`→`o`, `1`/`i`→`l`, `rn`→`m`, `vv`→`w`, separators dropped), so
`ana.lima`, `ana_lima`, `anaIima` and `ana1ima` cannot belong to different people.
"""

from __future__ import annotations

import re
import unicodedata

HANDLE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,28}[a-z0-9])?$")
_FOLDS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_CHAR_FOLDS = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "8": "b"})
_SEPARATORS = re.compile(r"[._-]+")


def check_handle(value: str) -> str:
    """Validate a requested handle; raise ValueError with a message people understand."""
    handle = unicodedata.normalize("NFKC", value).strip().lstrip("@").lower()
    if not HANDLE_PATTERN.fullmatch(handle):
        raise ValueError(
            "Use 1–30 letters a–z, digits, dots, dashes or underscores, starting and ending "
            "with a letter or digit")
    return handle


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
