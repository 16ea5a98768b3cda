"""Helpers the webhook service tests share: the loopback allowlist and making a person without
HTTP (`tests/services/conftest.py` holds the fixtures built on them)."""

from __future__ import annotations

from app.models import User
from app.schemas.accounts import UserRegister
from app.services import accounts
from app.services.ssrf import Allowlist

LOOPBACK = Allowlist.parse("127.0.0.1")


async def register(db, email: str, name: str) -> User:
    return await accounts.register_user(db, data=UserRegister(
        email=email, password="correct horse battery", display_name=name))
