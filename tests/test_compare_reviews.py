"""Two runs against gold, and the reviews' verdicts, against numbers worked out by hand."""

import json

import pytest
from reviewed_db import ARTICLE, RECORDS, review
from sqlmodel import Session
from typer.testing import CliRunner

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.extractions import Provenance, start_run, store_extraction
from db.review_stats import field_verdicts, misses
from extractor.cli import app
from extractor.compare import compare
from extractor.predictions import run_predictions
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
        assert len(run_predictions(session, run_b)[0].figures) == 3
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


def _eval(url: str, *args: str) -> dict:
    result = CliRunner().invoke(app, ["--db", url, "eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_eval_reviews_command(sqlite_engine, sqlite_url):
    review(sqlite_engine)
    report = _eval(sqlite_url, "--reviews")
    rows = {r["field"]: r for r in report["fields"]}
    assert (rows["reported_by"]["accepted"], rows["reported_by"]["edited"]) == (4, 1)
    assert rows["reported_by"]["edited_share"] == pytest.approx(1 / 6)
    assert report["added_records"][0]["added"] == 1
    assert _eval(sqlite_url, "--reviews", "--run", "999")["fields"] == []


def test_eval_compare_command(sqlite_engine, sqlite_url, tmp_path):
    with session_scope(sqlite_engine) as session:
        document = add_document(session, NewDocument(text=ARTICLE, external_id="t-1"))
        run_a = _run(session, document, "a", RECORDS)
        run_b = _run(session, document, "b", [r for r in RECORDS if r.kind == "event"])
        gold = gold_document("t-1", document.sha256, RECORDS)
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text(gold.model_dump_json() + "\n", encoding="utf-8")
    report = _eval(sqlite_url, "--gold", str(gold_file), "--compare", str(run_a), str(run_b))
    rows = {r["metric"]: (r["a"], r["b"]) for r in report["rows"]}
    # B proposed no figure: recall 0 of 4, precision undefined
    assert rows["figures recall"] == (1.0, 0.0) and rows["figures precision"] == (1.0, None)
    assert rows["events f1"] == (1.0, 1.0)
