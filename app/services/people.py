"""People and their roles: who manages whom (never in a circle) and who is a Workplace Learning
Advisor. Administrators set both for anyone; a person may name their own manager through their
profile (`accounts.update_profile`), which checks the same rule, `check_manager`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.errors import Conflict, NotFound
from app.models import User

# Any fixed 64-bit number: PostgreSQL's advisory lock that serialises manager changes.
_MANAGER_LOCK = 0x4C6F756E67654D67


@dataclass(frozen=True)
class PersonView:
    """A person with their manager (None when they have not named one)."""

    user: User
    manager: User | None


async def _serialise_manager_changes(db: AsyncSession, *, user_id: str) -> None:
    """Two changes checked at the same time could each pass and together close a circle
    (A under B while B goes under A), so manager changes take turns until their commit: an
    advisory lock on PostgreSQL, the database's write lock on SQLite (a no-op update)."""
    if db.bind.dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MANAGER_LOCK})
    else:
        users = User.__table__
        await db.execute(update(users).where(users.c.id == user_id).values(manager_id=users.c.manager_id))


async def _chain_above(db: AsyncSession, person_id: str) -> list[str]:
    """`person_id` and everyone above them: their manager, that manager's manager, and so on
    (one recursive query; UNION rather than UNION ALL, so even a circle ends)."""
    chain = (select(User.id, User.manager_id).where(User.id == person_id)
             .cte("chain", recursive=True))
    above = aliased(User)
    chain = chain.union(select(above.id, above.manager_id).join(chain, above.id == chain.c.manager_id))
    return list(await db.scalars(select(chain.c.id)))


def _refusal(chain: list[str], *, user_id: str) -> Conflict | None:
    if not chain:
        return Conflict("No person has this id.", field="manager_id")
    if user_id in chain:
        return Conflict("That would make a circle: the person named as manager already reports, "
                            "directly or through others, to this person.", field="manager_id")
    return None


async def check_manager(db: AsyncSession, *, user_id: str, manager_id: str | None) -> None:
    """Refuse (409 on `manager_id`) a manager who does not exist, the person themself, or
    anyone who reports to the person, however indirectly. None (no manager) always passes.

    Call it in the transaction that writes the change and commit soon after: once the change
    is allowed, other manager changes wait until that transaction ends. A refusal writes
    nothing."""
    if manager_id is None:
        return
    if manager_id == user_id:
        raise Conflict("Nobody can be their own manager.", field="manager_id")
    refusal = _refusal(await _chain_above(db, manager_id), user_id=user_id)
    if refusal is None:
        # Checked again in turn, in case a change committed meanwhile closes the circle.
        await _serialise_manager_changes(db, user_id=user_id)
        refusal = _refusal(await _chain_above(db, manager_id), user_id=user_id)
    if refusal is not None:
        raise refusal


async def get_person(db: AsyncSession, *, user_id: str) -> PersonView:
    manager = aliased(User)
    row = (await db.execute(
        select(User, manager).outerjoin(manager, manager.id == User.manager_id).where(User.id == user_id)
    )).first()
    if row is None:
        raise NotFound("No person has this id.")
    return PersonView(user=row[0], manager=row[1])


async def manager_of(db: AsyncSession, *, user: User) -> User | None:
    """The person's manager, or None."""
    return await db.get(User, user.manager_id) if user.manager_id else None


async def set_manager(db: AsyncSession, *, user_id: str, manager_id: str | None) -> PersonView:
    """An administrator names (or with None clears) someone's manager."""
    person = await get_person(db, user_id=user_id)
    if manager_id == person.user.manager_id:
        return person
    await check_manager(db, user_id=user_id, manager_id=manager_id)
    person.user.manager_id = manager_id
    await db.commit()
    return PersonView(user=person.user, manager=await manager_of(db, user=person.user))


async def set_advisor(db: AsyncSession, *, user_id: str, advisor: bool) -> PersonView:
    """An administrator gives or takes away the Workplace Learning Advisor role."""
    person = await get_person(db, user_id=user_id)
    if person.user.is_advisor != advisor:
        person.user.is_advisor = advisor
        await db.commit()
    return person
