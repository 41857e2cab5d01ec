"""The app's database: the URL `athar review` passes in the environment, one engine per process."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from db.engine import database_url, get_engine


def engine() -> Engine:
    # Keyed by the resolved URL, so a process serving one database never reuses another's engine.
    return get_engine(database_url())


@contextmanager
def db() -> Iterator[Session]:
    """A short session per read or step: nothing is held between reruns."""
    with Session(engine(), expire_on_commit=False) as session:
        yield session
