"""Double review: two independent passes, agreement, adjudication, export."""

import json
import threading

import pytest
from reviewed_db import ARTICLE, RECORDS, cite
from sqlmodel import Session
from typer.testing import CliRunner

from db.agreement import agreement, cohen_kappa, span_overlap
from db.documents import NewDocument, add_document
from db.engine import make_engine, migrate, session_scope
from db.extractions import Provenance, start_run, store_extraction
from db.load import Loader
from db.models import Value
from db.overlap import Phase, adjudicate, adopt_agreed, copies, phase, picked, versions
from db.review import (
    ReviewError,
    StaleWrite,
    add_human_record,
    claim,
    current_records,
    decide,
    ensure_annotator,
    mark_done,
    progress,
    undo_last,
)
from extractor.cli import app
from extractor.cli_export import export_to
from schemas.codebook import Decision
from schemas.records import FIGURE_FIELDS

COUNT6 = {"best": 6, "low": 6, "high": 6, "qualifier": "exact", "vague_term": None}


def store(engine) -> int:
    with session_scope(engine) as session:
        document = add_document(session, NewDocument(text=ARTICLE, external_id="t-1"))
        run = start_run(session, backend="llm", model="m", prompt_version="p", schema_version="1")
        store_extraction(session, document, run, RECORDS, Provenance())
        return document.id


def find(views, key: str, field: str) -> Value:
    view = next(v for v in views if v.record.key == key)
    return next(v for v in view.values if v.field == field)


def review_pass(session: Session, document_id: int, annotator: str, changes: dict) -> None:
    """Decide every value of this annotator's pass: `changes` by (key, field), else accept."""
    for (key, field), (decision, new_value, quote) in changes.items():
        value = find(current_records(session, document_id, annotator), key, field)
        decide(
            session,
            value.id,
            annotator,
            decision,
            value.version,
            new_value=new_value,
            citation=cite(ARTICLE, quote) if quote else None,
        )
    for view in current_records(session, document_id, annotator):
        if view.record.rejected:
            continue
        for value in view.values:
            if value.decision is None:
                decide(session, value.id, annotator, Decision.ACCEPTED, value.version)


ALI = {("F4", "category"): (Decision.EDITED, "wounded", None)}
HUDA = {
    ("F3", "category"): (Decision.EDITED, "wounded", None),
    ("F4", "category"): (Decision.REJECTED, None, None),
    ("F3", "count"): (Decision.EDITED, COUNT6, None),
    ("E1", "event_type"): (Decision.EDITED, None, "هجوم شنّه"),
}


@pytest.fixture
def overlap_on(monkeypatch):
    monkeypatch.setenv("ATHAR_OVERLAP", "1")


def test_kappa_and_span_overlap_by_hand():
    # 2 of 4 agree; rater A: k k k w, rater B: k k w r -> p_e = 3/4*2/4 + 1/4*1/4 = 7/16
    assert cohen_kappa(list("kkkw"), list("kkwr")) == pytest.approx((0.5 - 7 / 16) / (9 / 16))
    assert cohen_kappa(list("aaaa"), list("aaaa")) is None
    assert span_overlap((71, 75), (71, 80)) == pytest.approx(4 / 9)
    assert span_overlap((0, 4), None) == 0.0


def test_overlap_share_picks_by_hash():
    assert picked("00000000" + "f" * 56, 0.01)
    assert not picked("ffffffff" + "0" * 56, 0.99)
    assert not picked("00000000" + "f" * 56, 0.0)


def test_two_annotators_get_an_overlapped_document(any_engine, overlap_on):
    document_id = store(any_engine)
    with Session(any_engine) as a, Session(any_engine) as b, Session(any_engine) as c:
        assert claim(a, document_id, "ali")
        assert claim(b, document_id, "huda")
        assert not claim(c, document_id, "sami")  # two passes at most
        assert claim(a, document_id, "ali")  # renewing one's own lease
        first = find(current_records(a, document_id, "ali"), "F1", "count")
        decide(a, first.id, "ali", Decision.ACCEPTED, first.version)
        # huda does not see ali's decision, and the value itself is still undecided
        assert find(current_records(b, document_id, "huda"), "F1", "count").decision is None
        assert c.get(Value, first.id).decision is None
        with pytest.raises(StaleWrite):
            decide(a, first.id, "ali", Decision.REJECTED, 0)
        with pytest.raises(ReviewError):
            decide(c, first.id, "sami", Decision.ACCEPTED, 0)


def test_a_document_outside_the_share_is_reviewed_once(sqlite_engine, monkeypatch):
    monkeypatch.setenv("ATHAR_OVERLAP", "0")
    document_id = store(sqlite_engine)
    with Session(sqlite_engine) as a, Session(sqlite_engine) as b:
        assert claim(a, document_id, "ali")
        assert not claim(b, document_id, "huda")
        assert phase(a, document_id) == Phase.SINGLE


def test_agreement_adjudication_and_export(sqlite_engine, overlap_on, tmp_path):
    document_id = store(sqlite_engine)
    with Session(sqlite_engine, expire_on_commit=False) as session:
        ensure_annotator(session, "rana", role="reviewer")
        session.commit()
        assert claim(session, document_id, "ali") and claim(session, document_id, "huda")
        with pytest.raises(ReviewError, match="adjudication"):
            add_human_record(session, document_id, "ali", RECORDS[0])
        # an undo inside a pass touches only that pass
        value = find(current_records(session, document_id, "ali"), "E2", "actor1")
        decide(session, value.id, "ali", Decision.REJECTED, value.version)
        assert undo_last(session, document_id, "ali") is not None
        assert find(current_records(session, document_id, "ali"), "E2", "actor1").decision is None
        review_pass(session, document_id, "ali", ALI)
        review_pass(session, document_id, "huda", HUDA)
        assert (
            progress(session, document_id, "huda")[0] == progress(session, document_id, "huda")[1]
        )
        mark_done(session, document_id, "ali")
        assert phase(session, document_id) == Phase.INDEPENDENT
        mark_done(session, document_id, "huda")
        assert phase(session, document_id) == Phase.ADJUDICATION
        assert not claim(session, document_id, "sami")

        report = {f.field: f for f in agreement(session).fields}
        # category over F1..F4: ali k k k w, huda k k w rejected
        assert report["category"].pairs == 4
        assert report["category"].kappa == pytest.approx((0.5 - 7 / 16) / (9 / 16))
        # counts judged by both: F1 F2 F3 (huda rejected F4's record); F3 differs
        assert report["count"].pairs == 3 and report["count"].observed == pytest.approx(2 / 3)
        assert report["count"].kappa is None
        # trigger spans: E1 [71,75) against [71,80), E2 identical
        assert report["event_type"].span_overlap == pytest.approx((4 / 9 + 1) / 2)

        with pytest.raises(ReviewError, match="reviewer"):
            adopt_agreed(session, document_id, "ali")
        adopted = adopt_agreed(session, document_id, "rana")
        open_items = [v for v in versions(session, document_id) if v.value.decision is None]
        disputed = {("F3", "category"), ("F3", "count"), ("E1", "event_type")}
        disputed |= {("F4", field) for field in FIGURE_FIELDS}  # huda rejected the record
        assert adopted > 0
        assert {(v.record.key, v.value.field) for v in open_items} == disputed
        picks = {
            ("F3", "category"): 0,  # ali: killed
            ("F3", "count"): 1,  # huda: 6
            ("F4", "category"): 1,  # huda: rejected, which rejects F4
            ("E1", "event_type"): 1,  # huda's longer quote
        }
        for item in open_items:
            key = (item.record.key, item.value.field)
            if key in picks:
                adjudicate(
                    session,
                    item.value.id,
                    "rana",
                    item.value.version,
                    item.judgements[picks[key]],
                )
        mark_done(session, document_id, "rana")

    out = tmp_path / "export.jsonl"
    with session_scope(sqlite_engine) as session:
        export_to(session, out, "jsonl")
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    records = {r["key"]: r for r in line["records"]}
    values = {(k, v["field"]): v for k, r in records.items() for v in r["values"]}
    assert records["F4"]["rejected"]
    assert values[("F3", "count")]["final"]["value"]["best"] == 6
    assert values[("F3", "count")]["decided_by"] == "rana"
    assert values[("F3", "category")]["final"]["value"] == "killed"
    trigger = values[("E1", "event_type")]["final"]
    assert (trigger["start"], trigger["end"], trigger["source"]) == (71, 80, "هجوم شنّه")
    assert [j["annotator"] for j in values[("F3", "count")]["judgements"]] == ["ali", "huda"]
    assert [c["annotator"] for c in line["copies"]] == ["ali", "huda"]

    # the double review survives an import: same export, same agreement
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    with session_scope(other) as session:
        Loader(session).load(line)
    again = tmp_path / "again.jsonl"
    with session_scope(other) as session:
        export_to(session, again, "jsonl")
        assert agreement(session).to_dict() == agreement_of(sqlite_engine)
    assert again.read_bytes() == out.read_bytes()


def agreement_of(engine) -> dict:
    with Session(engine) as session:
        return agreement(session).to_dict()


def test_agreement_command(sqlite_url, overlap_on):
    result = CliRunner().invoke(app, ["--db", sqlite_url, "agreement", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"documents": 0, "fields": []}
    engine = make_engine(sqlite_url)
    document_id = store(engine)
    with Session(engine) as session:
        claim(session, document_id, "ali")
        claim(session, document_id, "huda")
        review_pass(session, document_id, "ali", ALI)
        review_pass(session, document_id, "huda", HUDA)
    result = CliRunner().invoke(app, ["--db", sqlite_url, "agreement"])
    assert result.exit_code == 0 and "category" in result.output and "0.111" in result.output


def test_racing_claimants_fill_both_passes_and_no_more(any_engine, overlap_on):
    document_id = store(any_engine)
    names = ["ali", "huda", "sami", "nour"]
    barrier = threading.Barrier(len(names))
    results: dict[str, bool] = {}

    def take(name: str) -> None:
        with Session(any_engine) as session:
            barrier.wait()
            results[name] = claim(session, document_id, name)

    threads = [threading.Thread(target=take, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results.values()) == 2
    with Session(any_engine) as session:
        holders = {c.annotator for c in copies(session, document_id)}
    assert holders == {name for name, won in results.items() if won}


def test_accepting_after_an_edit_takes_the_models_value_again(sqlite_engine, overlap_on):
    document_id = store(sqlite_engine)
    with Session(sqlite_engine) as session:
        assert claim(session, document_id, "ali")
        count = find(current_records(session, document_id, "ali"), "F1", "count")
        edited = decide(session, count.id, "ali", Decision.EDITED, 0, new_value=COUNT6)
        assert edited.value == COUNT6 and edited.version == 1
        accepted = decide(session, count.id, "ali", Decision.ACCEPTED, 1)
        assert accepted.value == count.model_value and accepted.decision == "accepted"
