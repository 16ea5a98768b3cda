"""People rules without HTTP: managers never form a circle (directly or through a chain), an
unknown or self manager is refused, nothing is written on a refusal, and the advisor role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.models import User
from app.schemas.accounts import MeUpdate, UserRegister
from app.services import accounts, people
from tests.conftest import PASSWORD


async def person(db, name: str) -> User:
    return await accounts.register_user(db, data=UserRegister(
        email=f"{name.lower()}@example.com", password=PASSWORD, display_name=name))


async def manager_ids(db) -> dict[str, str | None]:
    rows = await db.execute(select(User.display_name, User.manager_id))
    return dict(rows.all())


@pytest.fixture
async def chain(db) -> dict[str, User]:
    """Ana manages Ben, Ben manages Cleo, Cleo manages Dev; Eve stands apart."""
    found = {name: await person(db, name) for name in ("Ana", "Ben", "Cleo", "Dev", "Eve")}
    for report, manager in (("Ben", "Ana"), ("Cleo", "Ben"), ("Dev", "Cleo")):
        await people.set_manager(db, user_id=found[report].id, manager_id=found[manager].id)
    return found


async def test_a_manager_is_set_and_cleared(db, chain):
    view = await people.set_manager(db, user_id=chain["Eve"].id, manager_id=chain["Dev"].id)
    assert view.manager is not None and view.manager.display_name == "Dev"
    assert (await manager_ids(db))["Eve"] == chain["Dev"].id
    cleared = await people.set_manager(db, user_id=chain["Eve"].id, manager_id=None)
    assert cleared.manager is None and (await manager_ids(db))["Eve"] is None


@pytest.mark.parametrize(("report", "manager"), [
    ("Ana", "Ben"),   # Ben reports to Ana directly
    ("Ana", "Dev"),   # Dev reports to Ana through Cleo and Ben
    ("Ben", "Cleo"),
    ("Cleo", "Dev"),
])
async def test_a_circle_is_refused_and_nothing_is_written(db, chain, report, manager):
    before = await manager_ids(db)
    with pytest.raises(Conflict) as refused:
        await people.set_manager(db, user_id=chain[report].id, manager_id=chain[manager].id)
    assert refused.value.field == "manager_id" and "circle" in refused.value.detail
    assert await manager_ids(db) == before


async def test_anyone_not_below_the_person_may_manage_them(db, chain):
    # Managers higher up, or beside, are fine: Dev under Ana directly, Eve under Ben.
    await people.set_manager(db, user_id=chain["Dev"].id, manager_id=chain["Ana"].id)
    await people.set_manager(db, user_id=chain["Eve"].id, manager_id=chain["Ben"].id)
    assert (await manager_ids(db))["Dev"] == chain["Ana"].id
    # Now Eve is below Ben and Ana, so neither may go under Eve.
    for name in ("Ben", "Ana"):
        with pytest.raises(Conflict):
            await people.set_manager(db, user_id=chain[name].id, manager_id=chain["Eve"].id)


async def test_self_and_unknown_managers_are_refused(db, chain):
    for manager_id, words in ((chain["Eve"].id, "own manager"), ("usr_nobody", "No person")):
        with pytest.raises(Conflict) as refused:
            await people.check_manager(db, user_id=chain["Eve"].id, manager_id=manager_id)
        assert refused.value.field == "manager_id" and words in refused.value.detail
    await people.check_manager(db, user_id=chain["Eve"].id, manager_id=None)  # clearing always passes


async def test_a_circle_in_old_data_does_not_hang_the_check(db, chain):
    # Written behind the service's back: Ana under Dev closes Ana → Ben → Cleo → Dev → Ana.
    ana = await db.get(User, chain["Ana"].id)
    ana.manager_id = chain["Dev"].id
    await db.commit()
    with pytest.raises(Conflict):
        await people.check_manager(db, user_id=chain["Cleo"].id, manager_id=chain["Ben"].id)
    await people.check_manager(db, user_id=chain["Eve"].id, manager_id=chain["Cleo"].id)


async def test_the_profile_path_uses_the_same_rule(db, chain):
    ana = await db.get(User, chain["Ana"].id)
    with pytest.raises(Conflict) as refused:
        await accounts.update_profile(db, user=ana, changes=MeUpdate(manager_id=chain["Cleo"].id,
                                                                      bio="Under Cleo now"))
    assert refused.value.field == "manager_id"
    stored = await db.scalar(select(User).where(User.id == chain["Ana"].id))
    assert stored.manager_id is None and stored.bio == ""
    eve = await db.get(User, chain["Eve"].id)
    updated = await accounts.update_profile(db, user=eve, changes=MeUpdate(manager_id=chain["Ana"].id))
    assert updated.manager_id == chain["Ana"].id


async def test_the_advisor_role_is_given_and_taken_away(db, chain):
    view = await people.set_advisor(db, user_id=chain["Eve"].id, advisor=True)
    assert view.user.is_advisor
    assert await db.scalar(select(User.is_advisor).where(User.id == chain["Eve"].id)) is True
    await people.set_advisor(db, user_id=chain["Eve"].id, advisor=False)
    assert await db.scalar(select(User.is_advisor).where(User.id == chain["Eve"].id)) is False


async def test_unknown_people_are_not_found(db):
    with pytest.raises(NotFound):
        await people.set_manager(db, user_id="usr_nobody", manager_id=None)
    with pytest.raises(NotFound):
        await people.set_advisor(db, user_id="usr_nobody", advisor=True)
