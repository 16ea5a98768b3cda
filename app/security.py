"""Secrets and their hashes: Argon2id passwords, random session and API token secrets, CSRF tokens.

Session and token secrets are 256-bit random values, so a fast SHA-256 is enough to store
them safely (no offline guessing is possible); passwords are low-entropy and get Argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1); a test pins these so they never drop.
_passwords = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1),))
# Verified against when the email is unknown, so both paths cost one Argon2 verification.
_DUMMY_HASH = _passwords.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "lng_"  # noqa: S105 - a label, not a secret


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash (unknown account) still spend the same time."""
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False
    return _passwords.verify(password, password_hash)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token_for(session_secret: str, key: str) -> str:
    """The CSRF token is bound to the login session, so nothing extra is stored."""
    return hmac.new(key.encode(), b"csrf:" + session_secret.encode(), hashlib.sha256).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
