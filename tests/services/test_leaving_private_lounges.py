"""Leaving a private lounge, with no HTTP in between: the leaver gives up their places in its
coming sessions (the waitlist moves up), keeps no way into its sessions' chat, and every chat
room of the lounge and its sessions is told to drop them at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import NotFound
from app.models import Rsvp
from app.realtime import protocol
from app.schemas.accounts import UserRegister
from app.schemas.lounges import LoungeCreate
from app.schemas.schedule import SessionCreate
from app.services import accounts, lounges, sessions


async def person(db, name: str):
    return await accounts.register_user(db, data=UserRegister(
        email=f"{name.lower()}@example.com", password="correct horse battery", display_name=name))


class RecordingHub:
    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []

    async def publish(self, topic: str, payload: bytes) -> None:
        self.published.append((topic, payload))


async def lounge_with_a_full_session(db, visibility: str):
    """Ana hosts; Ben has the only seat, Cy waits for it."""
    ana, ben, cy = await person(db, "Ana"), await person(db, "Ben"), await person(db, "Cy")
    lounge = (await lounges.create_lounge(db, user=ana, data=LoungeCreate(
        name="Circle", visibility=visibility))).lounge
    for who in (ben, cy):
        await lounges.invite_member(db, user=ana, lounge_id=lounge.id, invitee_id=who.id)
    starts = datetime.now(UTC) + timedelta(days=1)
    session = (await sessions.schedule_session(db, user=ana, lounge_id=lounge.id, data=SessionCreate(
        title="Kata", starts_at=starts, ends_at=starts + timedelta(hours=1), time_zone="UTC",
        capacity=1))).session
    for who, status in ((ben, "going"), (cy, "waitlisted")):
        assert (await sessions.set_rsvp(db, user=who, session_id=session.id, status="going")).status == status
    return lounge, session, ben, cy


async def test_leaving_a_private_lounge_frees_the_seat_and_closes_its_chats(db):
    lounge, session, ben, cy = await lounge_with_a_full_session(db, "private")
    hub = RecordingHub()
    await lounges.leave_lounge(db, user=ben, lounge_id=lounge.id, hub=hub)

    assert (await db.get(Rsvp, (session.id, ben.id), populate_existing=True)).status == "not_going"
    assert (await db.get(Rsvp, (session.id, cy.id), populate_existing=True)).status == "going"
    with pytest.raises(NotFound):
        await lounges.channel_access(db, channel_id=session.channel_id, user_id=ben.id)
    assert ben.id not in await lounges.channel_member_ids(db, channel_id=session.channel_id)
    assert sorted(hub.published) == sorted([(protocol.topic(lounge.channel_id), protocol.MEMBERS_CHANGED),
                                            (protocol.topic(session.channel_id), protocol.MEMBERS_CHANGED)])


async def test_leaving_an_open_lounge_keeps_the_seat_and_the_session_chat(db):
    lounge, session, ben, _ = await lounge_with_a_full_session(db, "open")
    await lounges.leave_lounge(db, user=ben, lounge_id=lounge.id)

    assert (await db.get(Rsvp, (session.id, ben.id), populate_existing=True)).status == "going"
    access = await lounges.channel_access(db, channel_id=session.channel_id, user_id=ben.id)
    assert access.role == "member"
    with pytest.raises(NotFound):
        await lounges.channel_access(db, channel_id=lounge.channel_id, user_id=ben.id)
