"""Two runs against gold, and the reviews' verdicts, against numbers worked out by hand."""

import pytest
from reviewed_db import ARTICLE, RECORDS, review
from sqlmodel import Session

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.extractions import Provenance, start_run, store_extraction
from db.review_stats import field_verdicts, misses
from extractor.compare import compare, run_documents
from schemas.gold import gold_document
from schemas.records import count_value


def test_review_verdicts_per_field_and_misses(sqlite_engine):
    review(sqlite_engine)
    with Session(sqlite_engine) as session:
        verdicts = {v.field: v for v in field_verdicts(session)}
        added = misses(session)
    assert {(v.backend, v.model, v.prompt_version) for v in verdicts.values()} == {
        ("llm", "m-1", "p1")
    }
    share = {f: (v.accepted, v.edited, v.rejected) for f, v in verdicts.items()}
    # F1 F2 F3 accepted, F4 rejected (its category)
    assert share["category"] == (3, 0, 1)
    # F3 edited; F1 F2 E1 E2 accepted; F4 left undecided in its rejected record
    assert share["reported_by"] == (4, 1, 1)
    assert share["actor2"] == (1, 0, 1)
    # E1 E2 of the done document and the open document's accepted event type
    assert share["event_type"] == (3, 0, 0)
    # the open document's location is still pending: not a verdict
    assert share["location"] == (2, 0, 0)
    assert verdicts["reported_by"].share("edited") == pytest.approx(1 / 6)
    assert [(m.kind, m.added) for m in added] == [("figure", 1)]


def _run(session, document, name: str, records) -> int:
    run = start_run(session, backend="llm", model=name, prompt_version="p1", schema_version="1")
    store_extraction(session, document, run, records, Provenance())
    return run.id


def test_compare_two_runs_against_gold(sqlite_engine):
    worse = [r for r in RECORDS if r.key != "F3"]
    f1 = worse[1]
    count = next(v for v in f1.values if v.field == "count")
    wrong = count.model_copy(update={"value": count_value(8, 8, None, "at_least", None)})
    worse[1] = f1.model_copy(update={"values": [wrong if v is count else v for v in f1.values]})
    with session_scope(sqlite_engine) as session:
        document = add_document(session, NewDocument(text=ARTICLE, external_id="t-1"))
        run_a = _run(session, document, "a", RECORDS)
        run_b = _run(session, document, "b", worse)
        gold = [gold_document("t-1", document.sha256, RECORDS)]
    with Session(sqlite_engine) as session:
        assert len(run_documents(session, run_b)[0].figures) == 3
        result = compare(session, gold, run_a, run_b)
    a, b = result.scores
    assert (a.figures.f1, a.events.f1) == (1.0, 1.0)
    # B: 3 figures proposed, 2 right (F2, F4), 4 in gold
    assert b.figures.precision == pytest.approx(2 / 3)
    assert b.figures.recall == pytest.approx(1 / 2)
    assert b.figures.f1 == pytest.approx(4 / 7)
    rows = {metric: (x, y) for metric, x, y in result.rows()}
    assert rows["figures f1"] == (1.0, pytest.approx(4 / 7))
    assert rows["events f1"] == (1.0, 1.0)
    assert "run 2: llm b p1" in result.runs[1]
