"""What every CLI command shares: where output goes and which database to use."""

from rich.console import Console
from sqlalchemy import Engine

from db.engine import get_engine

console = Console()
errors = Console(stderr=True)

_database_url: str | None = None


def use_database(url: str | None) -> None:
    """Set by the `--db` option before any command runs."""
    global _database_url
    _database_url = url


def engine() -> Engine:
    return get_engine(_database_url)
