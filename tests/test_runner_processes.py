"""`athar extract` as real processes: kill -9 and Ctrl-C mid-run, two workers on one
PostgreSQL database, and the whole dev set against the stub server."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from llm_stub import StubServer, answer, extraction_from_gold
from llm_support import SYRIA_ANSWER, stub
from shared_data import DEV_TEXTS
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from test_runner import add_texts, script_variants, variants

from db.claims import claim_documents, claimed_by_others
from db.engine import make_engine, migrate, session_scope
from db.extractions import start_run
from db.models import Document, Extraction, ExtractionClaim, Record, Run, Value
from extractor.numbers import parse_count
from schemas.codebook import SCHEMA_VERSION

__all__ = ["stub"]

ROOT = Path(__file__).resolve().parents[1]
RECORDS_PER_DOC = len(SYRIA_ANSWER["figures"]) + len(SYRIA_ANSWER["events"])


def athar(url: str, stub: StubServer, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "OPENAI_BASE_URL": stub.url,
        "OPENAI_API_KEY": "sk-test",
        "ATHAR_MODEL": "gpt-4.1-mini",
        "COLUMNS": "120",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "extractor", "--db", url, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def extract(url: str, stub: StubServer, *args: str) -> subprocess.Popen:
    return athar(url, stub, "extract", "--backend", "llm", *args)


def ok_count(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Extraction).where(Extraction.status == "ok")
        return session.exec(query).one()


def wait_for_stored(engine: Engine, n: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while ok_count(engine) < n:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run stored nothing in time"
        time.sleep(0.05)


def assert_each_document_once(engine: Engine, documents: int) -> None:
    """Exactly one ok extraction per document, each with all its records, no claim left."""
    with Session(engine) as session:
        per_doc = Counter(
            session.exec(select(Extraction.document_id).where(Extraction.status == "ok")).all()
        )
        assert len(per_doc) == documents and set(per_doc.values()) == {1}
        records = session.exec(select(func.count()).select_from(Record)).one()
        assert records == documents * RECORDS_PER_DOC
        assert session.exec(select(func.count()).select_from(ExtractionClaim)).one() == 0


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_kill_9_then_rerun_extracts_each_document_once(
    stub: StubServer, sqlite_url: str, sqlite_engine: Engine
) -> None:
    texts = variants(16)
    add_texts(sqlite_engine, texts)
    script_variants(stub, texts)
    stub.state.script.latency_s = 0.25
    first = extract(sqlite_url, stub, "--concurrency", "3")
    wait_for_stored(sqlite_engine, 4, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    stored = ok_count(sqlite_engine)
    assert 4 <= stored < 16
    with Session(sqlite_engine) as session:
        # The dead worker's in-flight documents are still claimed.
        assert session.exec(select(func.count()).select_from(ExtractionClaim)).one() > 0

    started = time.monotonic()
    code, _, err = finish(extract(sqlite_url, stub, "--concurrency", "3"))
    assert code == 0, err
    assert time.monotonic() - started < 60  # the dead worker's claims did not wait for the lease
    assert_each_document_once(sqlite_engine, 16)
    with Session(sqlite_engine) as session:
        second = session.exec(select(Run).order_by(Run.id.desc())).first()
        rerun = select(func.count()).select_from(Extraction).where(Extraction.run_id == second.id)
        assert session.exec(rerun).one() == 16 - stored


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(
    stub: StubServer, sqlite_url: str, sqlite_engine: Engine
) -> None:
    texts = variants(16)
    add_texts(sqlite_engine, texts)
    script_variants(stub, texts)
    stub.state.script.latency_s = 0.3
    first = extract(sqlite_url, stub, "--concurrency", "2")
    wait_for_stored(sqlite_engine, 2, first)
    first.send_signal(signal.SIGINT)
    code, _, err = finish(first, timeout=30)
    assert code == 130, err
    assert "interrupted" in err
    with Session(sqlite_engine) as session:
        (run,) = session.exec(select(Run)).all()
        assert run.status == "interrupted" and run.finished_at is not None
        assert session.exec(select(func.count()).select_from(ExtractionClaim)).one() == 0
    assert ok_count(sqlite_engine) < 16
    code, _, err = finish(extract(sqlite_url, stub, "--concurrency", "4"))
    assert code == 0, err
    assert_each_document_once(sqlite_engine, 16)


def test_two_workers_on_postgresql_never_take_the_same_document(
    stub: StubServer, postgres_url: str
) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    texts = variants(40)
    add_texts(engine, texts)
    script_variants(stub, texts)
    stub.state.script.latency_s = 0.15
    workers = [extract(postgres_url, stub, "--concurrency", "4") for _ in range(2)]
    for worker in workers:
        code, _, err = finish(worker)
        assert code == 0, err
    assert_each_document_once(engine, 40)
    with Session(engine) as session:
        by_run = Counter(session.exec(select(Extraction.run_id)).all())
        assert len(by_run) == 2 and all(n > 0 for n in by_run.values())
        assert sum(by_run.values()) == 40
    # Each document was asked for once: no document was worked on by both.
    assert len(stub.state.requests) == 40
    engine.dispose()


def _planned_run(engine: Engine) -> Run:
    with session_scope(engine) as session:
        return start_run(
            session,
            backend="llm",
            model="m",
            prompt_version="p",
            schema_version=SCHEMA_VERSION,
            params={},
        )


def test_skip_locked_claims_hand_out_disjoint_documents(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    add_texts(engine, variants(6))
    run = _planned_run(engine)
    with Session(engine) as a, Session(engine) as b:
        got_a = claim_documents(a, run, "host:1:a", limit=3, lease_s=60)
        # a has not committed: its rows are locked, and b passes over them without waiting.
        started = time.monotonic()
        got_b = claim_documents(b, run, "host:2:b", limit=6, lease_s=60)
        assert time.monotonic() - started < 2
        ids_a, ids_b = {d.id for d in got_a}, {d.id for d in got_b}
        assert len(ids_a) == 3 and len(ids_b) == 3 and not ids_a & ids_b
        a.commit()
        b.commit()
    with Session(engine) as c:
        assert claim_documents(c, run, "host:3:c", limit=6, lease_s=60) == []
        assert claimed_by_others(c, run, "host:3:c") == 6
    engine.dispose()


def test_a_lapsed_claim_is_taken_over_a_live_one_is_not(any_engine: Engine) -> None:
    add_texts(any_engine, variants(4))
    run = _planned_run(any_engine)
    with session_scope(any_engine) as session:
        lapsed = claim_documents(session, run, "gone:1:x", limit=2, lease_s=-1)
        after = max(d.id for d in lapsed)
        live = claim_documents(session, run, "alive:2:y", limit=2, lease_s=60, after_id=after)
    assert {d.id for d in lapsed} | {d.id for d in live} == set(range(1, 5))
    with session_scope(any_engine) as session:
        taken = claim_documents(session, run, "new:3:z", limit=4, lease_s=60)
        assert {d.id for d in taken} == {d.id for d in lapsed}
        holders = dict(
            session.exec(select(ExtractionClaim.document_id, ExtractionClaim.worker)).all()
        )
        assert {holders[d.id] for d in live} == {"alive:2:y"}


@pytest.mark.timeout(300)
def test_extract_over_the_dev_articles_stores_every_gold_record(
    stub: StubServer, sqlite_url: str, dev_texts: list[dict], dev_gold: list[dict]
) -> None:
    by_sha = {t["text_sha256"]: t["text"] for t in dev_texts}
    for gold in dev_gold:
        stub.state.script.add(by_sha[gold["text_sha256"]], answer(extraction_from_gold(gold)))
    code, out, err = finish(athar(sqlite_url, stub, "ingest", str(DEV_TEXTS)))
    assert code == 0 and "added 20" in out, err
    code, out, err = finish(extract(sqlite_url, stub, "--concurrency", "4"))
    assert code == 0, err
    assert "documents extracted" in out

    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        for gold in dev_gold:
            document = session.exec(
                select(Document).where(Document.sha256 == gold["text_sha256"])
            ).one()
            records = session.exec(select(Record).where(Record.document_id == document.id)).all()
            found = Counter()
            for record in records:
                assert record.evidence_match == "exact"
                evidence = (record.evidence_start, record.evidence_end)
                values = {
                    v.field: v
                    for v in session.exec(select(Value).where(Value.record_id == record.id))
                }
                for value in values.values():
                    if value.quote is not None:
                        assert value.match in ("exact", "normalized"), (gold["doc_id"], value)
                        assert document.text[value.start : value.end] == value.source
                if record.kind == "figure":
                    count = values["count"]
                    span = (count.start, count.end) if count.quote is not None else None
                    n = count.value
                    found[
                        (evidence, values["category"].value, n["best"], n["low"], n["high"], span)
                    ] += 1
                else:
                    trigger = values["event_type"]
                    found[(evidence, trigger.value, (trigger.start, trigger.end))] += 1
            wanted = Counter(
                [
                    (
                        tuple(f["evidence_span"]),
                        f["category"],
                        f["best"],
                        f["low"],
                        f["high"],
                        tuple(f["count_span"]) if f["count_span"] else None,
                    )
                    for f in gold["figures"]
                ]
                + [
                    (tuple(e["evidence_span"]), e["event_type"], tuple(e["trigger_span"]))
                    for e in gold["events"]
                ]
            )
            assert found == wanted, gold["doc_id"]
    code, out, err = finish(athar(sqlite_url, stub, "status"))
    assert code == 0, err
    status = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in out.splitlines()
        if line.count("│") == 3
    }
    total = sum(len(g["figures"]) + len(g["events"]) for g in dev_gold)
    assert status["documents extracted"] == "20"
    assert status["records"] == str(total)
    assert status["quote none"] == "0"
    # A gold count that disagrees with its quote was re-asked, then stored with the problem kept.
    disagreeing = {
        (gold["doc_id"], f["id"])
        for gold in dev_gold
        for f in gold["figures"]
        if f["count_quote"] is not None
        and (parsed := parse_count(f["count_quote"])) is not None
        and (parsed.best, parsed.low, parsed.high, parsed.qualifier.value)
        != (f["best"], f["low"], f["high"], f["qualifier"])
    }
    with Session(engine) as session:
        flagged = {
            (document.external_id, problem.split(" ")[0])
            for extraction, document in session.exec(
                select(Extraction, Document).where(Extraction.document_id == Document.id)
            )
            for attempt in extraction.attempts
            for problem in attempt.get("unresolved", [])
            if " count: " in problem
        }
    assert flagged == disagreeing
