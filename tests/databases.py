"""Test databases built only by Alembic migrations: one migrated template per run, and a fresh
copy of it for every test (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL).

`LOUNGE_DATABASE_URL` chooses the backend: a PostgreSQL URL runs the suite on PostgreSQL,
anything else (or nothing) on the embedded SQLite default.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from argparse import Namespace
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get(
    "LOUNGE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.cmd_opts = Namespace(x=[f"url={url}"])
    config.attributes["configure_logger"] = False
    return config


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "heads")


def service_missing(what: str, error: Exception) -> None:
    """Under CI a missing service fails the test; on a laptop it skips with the reason."""
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def pg_admin(url: str = POSTGRES_URL) -> asyncpg.Connection:
    return await asyncpg.connect(plain_dsn(url), timeout=5)


class SqliteDatabases:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.db"
        migrate(f"sqlite+aiosqlite:///{self.template}")
        self._n = itertools.count()

    async def create(self) -> str:
        path = self.workdir / f"test-{next(self._n)}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def drop(self, url: str) -> None:
        Path(url.split(":///", 1)[1]).unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.prefix = f"lounge_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_tpl"
        asyncio.run(self._run(f'CREATE DATABASE "{self.template}"'))
        migrate(with_database(base_url, self.template))
        self._n = itertools.count()

    async def _run(self, *statements: str) -> None:
        conn = await pg_admin(self.base_url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def create(self) -> str:
        name = f"{self.prefix}_{next(self._n)}"
        await self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return with_database(self.base_url, name)

    async def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        await self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        asyncio.run(self._run(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
