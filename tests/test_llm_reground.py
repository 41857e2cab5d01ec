"""`athar reground`: stored answers grounded again with a better grounder, no model called,
review decisions kept."""

import asyncio

import pytest
from llm_stub import StubServer, answer
from llm_support import IRAQ, IRAQ_ANSWER, changed, stub, stub_settings
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_runner import add_texts
from typer.testing import CliRunner

import extractor.llm.validation
from db.engine import session_scope
from db.models import Extraction, Record, Value
from extractor.cli import app
from extractor.grounding import NOT_FOUND, Grounding
from extractor.llm.backend import LLMBackend
from extractor.runner import Runner, RunOptions
from schemas.codebook import MatchKind

__all__ = ["stub"]

# "الجيش العراقي" stands in the article as "للجيش العراقي": found only after normalisation.
NORMALIZED_ONLY = changed(IRAQ_ANSWER, "F2", group_quote="الجيش العراقي")


def exact_only(text: str, quote: str, within=None, near=None) -> Grounding:
    """A weaker grounder, as an older version might have been: verbatim matches only."""
    at = text.find(quote)
    if at < 0:
        return NOT_FOUND
    return Grounding(quote, at, at + len(quote), MatchKind.EXACT, 1.0)


def values_by_field(session: Session, key: str) -> dict[str, Value]:
    record = session.exec(select(Record).where(Record.key == key)).one()
    return {v.field: v for v in session.exec(select(Value).where(Value.record_id == record.id))}


def test_reground_upgrades_stored_answers_without_calling_the_model(
    stub: StubServer, sqlite_url: str, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.state.script.add(IRAQ, answer(NORMALIZED_ONLY))
    add_texts(sqlite_engine, [IRAQ])
    with monkeypatch.context() as weak:
        weak.setattr(extractor.llm.validation, "ground", exact_only)
        backend = LLMBackend(stub_settings(stub.url, reasks=1))
        stats = asyncio.run(Runner(sqlite_engine, backend, RunOptions()).run())
    assert stats.done == 1
    requests = len(stub.state.requests)
    with session_scope(sqlite_engine) as session:
        before = values_by_field(session, "F2")
        assert before["group"].match == MatchKind.NONE and before["group"].start is None
        # A reviewer already decided another value of the record.
        decided = before["count"]
        decided.decision, decided.quote, decided.start, decided.end = "edited", "x", 0, 1
        decided.model_start = decided.match = None
        session.add(decided)
        extraction = session.exec(select(Extraction)).one()
        assert any("الجيش العراقي" in p for p in extraction.attempts[-1]["unresolved"])

    result = CliRunner().invoke(app, ["--db", sqlite_url, "reground", "--run", "1"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "values not found in the article: 2 before, 0 after" in said  # F2 group, E2 actor1
    assert len(stub.state.requests) == requests  # no model call

    with Session(sqlite_engine) as session:
        after = values_by_field(session, "F2")
        group = after["group"]
        assert group.match == MatchKind.NORMALIZED
        assert IRAQ[group.start : group.end] == group.source == "جيش العراقي"
        assert group.version == before["group"].version + 1  # a stale review write is refused
        assert (group.id, group.record_id) == (before["group"].id, before["group"].record_id)
        count = after["count"]
        assert (count.decision, count.quote, count.start, count.end) == ("edited", "x", 0, 1)
        assert count.match == MatchKind.EXACT and IRAQ[count.model_start : count.model_end] == (
            "جنديين"
        )
        extraction = session.exec(select(Extraction)).one()
        assert extraction.attempts[-1]["unresolved"] == []
        assert len(session.exec(select(Record)).all()) == 4  # updated in place, not added


def test_reground_refuses_a_run_without_model_answers(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["--db", sqlite_url, "reground", "--run", "7"])
    assert result.exit_code == 2 and "no run 7" in result.output
