"""Shared fixtures: real SQLite files, a real PostgreSQL server, the shared dev data."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared_data import DEV_GOLD, DEV_TEXTS, read_jsonl
from sqlalchemy import Engine

from db.engine import make_engine, migrate

PG_USER = "athar-test"


@pytest.fixture(scope="session")
def dev_texts() -> list[dict]:
    if not DEV_TEXTS.exists():
        pytest.skip(f"{DEV_TEXTS} not found (../shared/data beside the project)")
    return read_jsonl(DEV_TEXTS)


@pytest.fixture(scope="session")
def dev_gold() -> list[dict]:
    if not DEV_GOLD.exists():
        pytest.skip(f"{DEV_GOLD} not found (../shared/data beside the project)")
    return read_jsonl(DEV_GOLD)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'athar.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Engine:
    engine = make_engine(sqlite_url)
    migrate(engine)
    return engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"PostgreSQL's {name} not found: run scripts/test-services.sh")
    return path


def _as_pg_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1, started for this test session."""
    base = Path(tempfile.mkdtemp(prefix="athar-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, PG_USER)
    port = _free_port()
    subprocess.run(
        _as_pg_user(
            [
                _pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "athar",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_pg_user(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-w",
                "-o",
                f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://athar@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_pg_user([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    import psycopg

    name = f"t{time.time_ns()}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, tmp_path: Path) -> Iterator[Engine]:
    """The same test on a real SQLite file and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'athar.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()
