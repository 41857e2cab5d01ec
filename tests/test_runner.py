"""The batch runner in-process: idempotent skips, --force, --limit, bounded concurrency,
failures that stay with their document, claims, and the backend choice."""

import asyncio
import re
from typing import Any, ClassVar

import pytest
from llm_stub import StubServer, answer, malformed
from llm_support import IRAQ, IRAQ_ANSWER, SYRIA, SYRIA_ANSWER, stub, stub_settings
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from typer.testing import CliRunner

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.models import Extraction, ExtractionClaim, Record, Run
from extractor import cli_extract
from extractor.backend import Article, BackendResult
from extractor.cli import app
from extractor.llm.backend import LLMBackend
from extractor.runner import Runner, RunOptions, RunStats
from schemas.codebook import MatchKind, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue

__all__ = ["stub"]


def add_texts(engine: Engine, texts: list[str]) -> None:
    with session_scope(engine) as session:
        for i, text in enumerate(texts):
            add_document(session, NewDocument(text=text, external_id=f"doc-{i}"))


def variants(n: int) -> list[str]:
    """Distinct articles whose scripted answer is SYRIA_ANSWER (every quote still grounds)."""
    return [f"{SYRIA}\nتحديث رقم {i}" for i in range(n)]


def script_variants(stub: StubServer, texts: list[str]) -> None:
    for text in texts:
        stub.state.script.add(text, answer(SYRIA_ANSWER))


def run(engine: Engine, backend: Any, **options: Any) -> RunStats:
    return asyncio.run(Runner(engine, backend, RunOptions(**options)).run())


def llm(stub: StubServer, **overrides: Any) -> LLMBackend:
    return LLMBackend(stub_settings(stub.url, **overrides))


def ok_extractions(session: Session) -> list[Extraction]:
    return list(session.exec(select(Extraction).where(Extraction.status == "ok")))


class FakeBackend:
    """A backend that answers after a pause and counts how many documents are in flight."""

    name = "fake"
    model = "fake-model"
    prompt_version = "fake-prompt"
    endpoint_host = None
    params: ClassVar[dict[str, Any]] = {}

    def __init__(self, delay_s: float = 0.02, fail_on: str | None = None) -> None:
        self.delay_s = delay_s
        self.fail_on = fail_on
        self.in_flight = 0
        self.most_in_flight = 0
        self.seen: list[str] = []

    async def extract(self, article: Article) -> BackendResult:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
            self.seen.append(article.text)
            if self.fail_on and self.fail_on in article.text:
                raise RuntimeError("backend broke on this one")
            start = article.text.index("تحديث")
            cite = Citation(
                quote="تحديث",
                source="تحديث",
                start=start,
                end=start + 5,
                match=MatchKind.EXACT,
                score=1.0,
            )
            value = GroundedValue(field="event_type", value="other", citation=cite)
            record = GroundedRecord(kind=RecordKind.EVENT, key="E1", evidence=cite, values=[value])
            return BackendResult([record])
        finally:
            self.in_flight -= 1


def test_rerun_skips_what_is_stored_and_force_redoes_it(
    stub: StubServer, sqlite_engine: Engine
) -> None:
    stub.state.script.add(SYRIA, answer(SYRIA_ANSWER))
    stub.state.script.add(IRAQ, answer(IRAQ_ANSWER))
    add_texts(sqlite_engine, [SYRIA, IRAQ])
    first = run(sqlite_engine, llm(stub))
    assert (first.done, first.failed, first.records) == (2, 0, 8)
    assert first.prompt_tokens > 0 and first.cost_usd > 0
    calls = len(stub.state.requests)

    again = run(sqlite_engine, llm(stub))
    assert (again.total, again.done, again.already_done) == (0, 0, 2)
    assert len(stub.state.requests) == calls  # no model call for a stored document

    # A different model is different work.
    other = run(sqlite_engine, llm(stub, model="gpt-4.1-nano"))
    assert other.done == 2

    forced = run(sqlite_engine, llm(stub), force=True)
    assert forced.done == 2
    with Session(sqlite_engine) as session:
        assert len(ok_extractions(session)) == 6
        runs = session.exec(select(Run)).all()
        assert [r.status for r in runs] == ["done"] * 4
        first_run = runs[0]
        assert first_run.model == "gpt-4.1-mini" and first_run.endpoint_host.startswith("127.0.0.1")
        assert first_run.params["temperature"] == 0 and first_run.params["reasks"] == 2
        assert "api_key" not in first_run.params
        assert session.exec(select(func.count()).select_from(ExtractionClaim)).one() == 0


def test_extraction_rows_carry_provenance(stub: StubServer, sqlite_engine: Engine) -> None:
    stub.state.script.add(IRAQ, malformed(), answer(IRAQ_ANSWER))
    add_texts(sqlite_engine, [IRAQ])
    run(sqlite_engine, llm(stub))
    with Session(sqlite_engine) as session:
        (extraction,) = ok_extractions(session)
        assert extraction.backend == "llm" and len(extraction.attempts) == 2
        assert extraction.prompt_tokens == sum(a["usage"]["prompt"] for a in extraction.attempts)
        assert extraction.cached_tokens > 0 and extraction.latency_s > 0
        assert extraction.attempts[0]["raw"].startswith("{")
        records = session.exec(select(Record).where(Record.extraction_id == extraction.id)).all()
        assert len(records) == 4


def test_limit_and_bounded_concurrency(sqlite_engine: Engine) -> None:
    add_texts(sqlite_engine, variants(12))
    backend = FakeBackend(delay_s=0.05)
    stats = run(sqlite_engine, backend, concurrency=3, limit=9)
    assert stats.done == 9 and stats.total == 9
    assert backend.most_in_flight == 3
    rest = run(sqlite_engine, FakeBackend(), concurrency=8)
    assert rest.done == 3 and rest.already_done == 9


def test_a_failing_document_fails_alone(sqlite_engine: Engine) -> None:
    texts = variants(5)
    add_texts(sqlite_engine, texts)
    stats = run(sqlite_engine, FakeBackend(fail_on="رقم 2"), concurrency=2)
    assert (stats.done, stats.failed) == (4, 1)
    assert stats.failures == [("doc-2", "RuntimeError: backend broke on this one")]
    with Session(sqlite_engine) as session:
        run_row = session.exec(select(Run)).one()
        assert run_row.status == "failed"
        failed = session.exec(select(Extraction).where(Extraction.status == "error")).one()
        assert "broke" in failed.error
    # The failure is retried by the next run, and only it.
    retry = FakeBackend()
    assert run(sqlite_engine, retry).done == 1
    assert retry.seen == [texts[2]]


def test_many_failures_in_a_row_stop_the_run(sqlite_engine: Engine) -> None:
    add_texts(sqlite_engine, variants(30))
    stats = run(
        sqlite_engine, FakeBackend(fail_on="تحديث"), concurrency=2, max_consecutive_failures=5
    )
    assert stats.failed < 30 and "5 failures in a row" in stats.stopped_early


def test_a_span_that_breaks_the_invariant_is_refused(sqlite_engine: Engine) -> None:
    class Liar(FakeBackend):
        async def extract(self, article: Article) -> BackendResult:
            result = await super().extract(article)
            bad = Citation(quote="x", source="x", start=0, end=1, match=MatchKind.EXACT)
            result.records[0].values[0] = GroundedValue(field="event_type", value="o", citation=bad)
            return result

    add_texts(sqlite_engine, variants(1))
    stats = run(sqlite_engine, Liar())
    assert stats.failed == 1
    with Session(sqlite_engine) as session:
        assert session.exec(select(func.count()).select_from(Record)).one() == 0
        assert "does not hold" in session.exec(select(Extraction)).one().error


def test_auto_takes_the_rules_backend_without_an_endpoint(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Rules(FakeBackend):
        name = "rules"

    import extractor.rules

    monkeypatch.setattr(extractor.rules, "RulesBackend", Rules, raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "offline rules backend" in result.output
    assert "no model calls" in result.output
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    backend = cli_extract.choose_backend(cli_extract.BackendChoice.AUTO, None, None)
    assert backend.name == "llm"


def test_dry_run_counts_and_estimates(stub: StubServer, sqlite_url: str, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    runner = CliRunner()
    from db.engine import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    add_texts(engine, [SYRIA, IRAQ, *variants(3)])
    result = runner.invoke(app, ["--db", sqlite_url, "extract", "--dry-run", "--limit", "4"])
    assert result.exit_code == 0, result.output
    assert "4 documents to extract with llm" in result.output
    assert "about 4 requests" in result.output and "$" in result.output
    assert stub.state.requests == []


def test_cli_exit_status_says_whether_a_document_failed(
    stub: StubServer, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ATHAR_REASKS", "0")
    stub.state.script.add(SYRIA, answer(SYRIA_ANSWER))
    stub.state.script.add(IRAQ, malformed("no"))
    from db.engine import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    add_texts(engine, [SYRIA, IRAQ])
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract", "--backend", "llm"])
    assert result.exit_code == 1, result.output
    assert "documents extracted" in result.output and "failed doc-1" in result.output
    stub.state.script.add(IRAQ, answer(IRAQ_ANSWER))
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract", "--backend", "llm"])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assert len(ok_extractions(session)) == 2


def test_a_bad_prompt_or_mode_is_refused_plainly(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract", "--prompt", "nope"])
    assert result.exit_code == 2
    assert "no prompt 'nope'" in result.output and "extract_v1" in result.output
    monkeypatch.setenv("ATHAR_LLM_MODE", "xml")
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract"])
    assert result.exit_code == 2 and "ATHAR_LLM_MODE" in result.output


def test_auto_runs_the_real_rules_backend_offline(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    from db.engine import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    add_texts(engine, [SYRIA, IRAQ])
    result = CliRunner().invoke(app, ["--db", sqlite_url, "extract"])
    assert result.exit_code == 0, result.output
    assert "offline rules backend" in result.output
    with Session(engine) as session:
        extractions = ok_extractions(session)
        assert len(extractions) == 2 and {e.backend for e in extractions} == {"rules"}
        assert session.exec(select(func.count()).select_from(Record)).one() > 0
    again = CliRunner().invoke(app, ["--db", sqlite_url, "extract", "--backend", "rules"])
    assert again.exit_code == 0, again.output
    assert re.search(r"skipped \(already extracted\) │\s+2 │", again.output)
