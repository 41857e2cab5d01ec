"""Review logic without a browser: leases, decisions, stale writes, undo, done-ness.

Every test runs on a real SQLite file and on a real PostgreSQL server
(`any_engine`); the races use one session per thread, as two annotators'
browsers would.
"""

import threading
from datetime import timedelta

import pytest
from review_seed import ARTICLE, seed, variants
from sqlmodel import Session, select

from db.models import AuditEntry, Document, Record, Value
from db.queue import open_next
from db.review import (
    ReviewError,
    StaleWrite,
    claim,
    current_records,
    decide,
    holds_lease,
    pending_values,
    progress,
    release,
    undo_last,
)
from review_app import actions
from schemas.codebook import Decision, DocState, MatchKind, RecordKind


def _session(engine) -> Session:
    return Session(engine, expire_on_commit=False)


def _value(session: Session, document_id: int, field: str, kind: str = "figure") -> Value:
    for view in current_records(session, document_id):
        if view.record.kind == kind:
            return next(v for v in view.values if v.field == field)
    raise AssertionError(field)


def _race(count: int, work) -> list:
    """Run `work(i)` in `count` threads started together; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# --- leases ---------------------------------------------------------------------


def test_a_claimed_document_is_refused_to_others_until_its_lease_expires(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        assert claim(s, doc, "amal", lease=timedelta(milliseconds=300))
        assert holds_lease(s, doc, "amal")
        assert not claim(s, doc, "badr")
        assert claim(s, doc, "amal"), "the holder renews its own lease"
        assert s.get(Document, doc).state == DocState.IN_PROGRESS
    with _session(any_engine) as s:
        assert claim(s, doc, "amal", lease=timedelta(seconds=-1))  # an abandoned lease
        assert not holds_lease(s, doc, "amal")
        assert claim(s, doc, "badr")
        assert s.get(Document, doc).claimed_by == "badr"


def test_release_frees_a_document_only_for_its_holder(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        release(s, doc, "badr")
        assert not claim(s, doc, "badr")
        release(s, doc, "amal")
        assert claim(s, doc, "badr")


def test_racing_claims_on_one_document_have_exactly_one_winner(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids

    def work(i: int) -> bool:
        with _session(any_engine) as s:
            return claim(s, doc, f"annotator-{i}")

    wins = _race(6, work)
    assert sum(wins) == 1
    with _session(any_engine) as s:
        assert s.get(Document, doc).claimed_by == f"annotator-{wins.index(True)}"


def test_annotators_asking_for_the_next_document_at_once_never_share_one(any_engine):
    seed(any_engine, variants(8))

    def work(i: int) -> int | None:
        with _session(any_engine) as s:
            found = open_next(s, f"annotator-{i}")
            return found.id if found else None

    opened = _race(6, work)
    assert None not in opened
    assert len(set(opened)) == 6
    with _session(any_engine) as s:
        holders = {d.id: d.claimed_by for d in s.exec(select(Document)).all()}
    assert {holders[d] for d in opened} == {f"annotator-{i}" for i in range(6)}


# --- decisions ------------------------------------------------------------------


def test_accept_is_written_at_once_with_an_audit_row(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        value = _value(s, doc, "count")
        outcome = actions.accept(s, value.id, "amal", value.version)
    assert outcome.ok, outcome.message
    with _session(any_engine) as s:
        stored = s.get(Value, value.id)
        assert (stored.decision, stored.decided_by, stored.version) == ("accepted", "amal", 1)
        (entry,) = s.exec(select(AuditEntry).where(AuditEntry.value_id == value.id)).all()
        assert (entry.annotator, entry.action) == ("amal", "accepted")
        assert entry.before["decision"] is None and entry.after["decision"] == "accepted"
        assert progress(s, doc) == (1, 14)


def test_a_stale_write_is_refused_and_the_fresh_value_returned(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        shown = _value(s, doc, "count")  # what a second annotator's page shows
    with _session(any_engine) as s:
        decide(s, shown.id, "amal", Decision.REJECTED, shown.version)
    with _session(any_engine) as s, pytest.raises(StaleWrite) as refused:
        decide(s, shown.id, "badr", Decision.ACCEPTED, shown.version)
    assert refused.value.fresh.decision == "rejected"
    assert "amal" in str(refused.value)
    with _session(any_engine) as s:
        assert s.get(Value, shown.id).decided_by == "amal"
        actions_seen = s.exec(select(AuditEntry.action).where(AuditEntry.value_id == shown.id))
        assert list(actions_seen) == ["rejected"]


def test_racing_decisions_on_one_value_have_exactly_one_winner(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        shown = _value(s, doc, "category")

    def work(i: int) -> bool:
        with _session(any_engine) as s:
            try:
                decide(s, shown.id, f"annotator-{i}", Decision.ACCEPTED, shown.version)
                return True
            except StaleWrite:
                return False

    assert sum(_race(5, work)) == 1
    with _session(any_engine) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.value_id == shown.id)).all()
        assert len(entries) == 1
        assert s.get(Value, shown.id).version == 1


def test_the_page_refuses_a_stale_write_with_a_message(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        shown = _value(s, doc, "unit")
        version_shown = shown.version
        decide(s, shown.id, "amal", Decision.ACCEPTED, version_shown)
    with _session(any_engine) as s:
        outcome = actions.reject(s, shown.id, "amal", version_shown)
    assert not outcome.ok and outcome.stale
    assert "changed by amal" in outcome.message


def test_rejecting_a_core_value_rejects_the_record_and_its_pending_values(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        count = _value(s, doc, "count")
        outcome = actions.reject(s, count.id, "amal", count.version)
        assert outcome.ok and "record" in outcome.message
        views = current_records(s, doc)
        figure = next(v for v in views if v.record.kind == RecordKind.FIGURE)
        assert figure.record.rejected
        assert not {v.id for v in figure.values} & {v.id for v in pending_values(views)}
        assert progress(s, doc) == (0, 6), "only the event's values still count"


def test_undo_restores_the_value_and_the_record(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        unit = _value(s, doc, "unit")
        actions.accept(s, unit.id, "amal", unit.version)
        count = _value(s, doc, "count")
        actions.reject(s, count.id, "amal", count.version)
        first = actions.undo(s, doc, "amal")
        assert first.ok and first.value_id == count.id
        assert s.get(Value, count.id).decision is None
        assert not s.get(Record, count.record_id).rejected
        second = actions.undo(s, doc, "amal")
        assert second.value_id == unit.id
        assert s.get(Value, unit.id).decision is None
        assert not actions.undo(s, doc, "amal").ok, "nothing left to undo"
        undo_rows = s.exec(select(AuditEntry).where(AuditEntry.action == "undo")).all()
        assert [e.after["undoes"] for e in undo_rows] == [
            e.id
            for e in s.exec(
                select(AuditEntry).where(AuditEntry.action != "undo").order_by(AuditEntry.id.desc())
            ).all()
        ]


def test_undo_only_takes_back_the_annotators_own_decisions(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        unit = _value(s, doc, "unit")
        decide(s, unit.id, "amal", Decision.ACCEPTED, unit.version)
        assert undo_last(s, doc, "badr") is None
        assert s.get(Value, unit.id).decision == "accepted"


def test_a_document_is_done_only_when_every_value_has_a_decision(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        refused = actions.finish(s, doc, "amal")
        assert not refused.ok and "14 values" in refused.message
        for value in pending_values(current_records(s, doc)):
            if value.match == MatchKind.NONE:
                continue
            decide(s, value.id, "amal", Decision.ACCEPTED, value.version)
        assert actions.finish(s, doc, "amal").ok
        document = s.get(Document, doc)
        assert (document.state, document.done_by, document.claimed_by) == ("done", "amal", None)
        after = _value(s, doc, "unit")
        with pytest.raises(ReviewError, match="marked done"):
            decide(s, after.id, "amal", Decision.REJECTED, after.version)
        assert actions.reopen_document(s, doc, "amal").ok
        assert s.get(Document, doc).state == DocState.IN_PROGRESS


def test_a_value_whose_quote_is_not_in_the_article_cannot_be_accepted(any_engine):
    (doc,) = seed(any_engine, variants(1), flagged={0}).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        missing = _value(s, doc, "reported_by")
        assert missing.match == MatchKind.NONE
        outcome = actions.accept(s, missing.id, "amal", missing.version)
        assert not outcome.ok and "not in the article" in outcome.message
        assert s.get(Value, missing.id).decision is None
        fixed = actions.edit(s, missing.id, "amal", missing.version, "SOHR", "المرصد السوري")
        assert fixed.ok, fixed.message
        stored = s.get(Value, missing.id)
        assert ARTICLE[stored.start : stored.end] == "المرصد السوري"


# --- edits and added records ------------------------------------------------------


def test_an_edit_re_grounds_the_typed_quote_in_the_article(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        count = _value(s, doc, "count")
        new = {"best": 20, "low": 20, "high": 20, "qualifier": "exact", "vague_term": None}
        # The article writes ٢٠ nowhere: "20" is in ASCII digits; the annotator types it.
        outcome = actions.edit(s, count.id, "amal", count.version, new, "وأصيب 20")
        assert outcome.ok, outcome.message
        stored = s.get(Value, count.id)
        text = s.get(Document, doc).text
        assert stored.value == new and stored.decision == "edited"
        assert text[stored.start : stored.end] == stored.source == "وأصيب 20"
        assert stored.model_value["best"] == 12, "the model's value is kept beside the edit"


def test_an_edit_accepts_a_quote_typed_with_other_digits_and_no_diacritics(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        category = _value(s, doc, "category")
        outcome = actions.edit(s, category.id, "amal", category.version, "casualties", "قتل")
        assert outcome.ok, outcome.message
        stored = s.get(Value, category.id)
        assert stored.source == "قُتل", "the article's own spelling is stored, not the typed one"
        assert stored.quote == "قتل"


def test_an_edit_with_a_quote_not_in_the_article_is_refused(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        count = _value(s, doc, "count")
        outcome = actions.edit(s, count.id, "amal", count.version, count.value, "أربعون طائرة")
        assert not outcome.ok and "not in the article" in outcome.message
        unchanged = actions.edit(s, count.id, "amal", count.version, count.value, None)
        assert not unchanged.ok and "nothing changed" in unchanged.message
        assert s.get(Value, count.id).version == 0


def test_a_step_on_a_document_someone_else_holds_is_refused(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with _session(any_engine) as s:
        assert claim(s, doc, "badr")
        unit = _value(s, doc, "unit")
        outcome = actions.accept(s, unit.id, "amal", unit.version)
        assert not outcome.ok and "badr" in outcome.message
        assert s.get(Value, unit.id).decision is None


def test_a_missing_figure_is_added_quote_first(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    count = {"best": 30, "low": None, "high": None, "qualifier": "approx", "vague_term": None}
    with _session(any_engine) as s:
        claim(s, doc, "amal")
        refused = actions.add_missing(s, doc, "amal", RecordKind.FIGURE, "اعتقلت الشرطة خمسين", {})
        assert not refused.ok and "not in the article" in refused.message
        outcome = actions.add_missing(
            s,
            doc,
            "amal",
            RecordKind.FIGURE,
            "واعتقلت قوات الأمن نحو 30 شخصاً",
            {"category": ("arrested", "اعتقلت"), "count": (count, "نحو 30")},
        )
        assert outcome.ok, outcome.message
        text = s.get(Document, doc).text
        added = next(v for v in current_records(s, doc) if v.record.origin == "human")
        assert added.record.key == "HF1"
        assert text[added.record.evidence_start : added.record.evidence_end].endswith("30 شخصاً")
        by_field = {v.field: v for v in added.values}
        assert by_field["count"].value == count
        assert text[by_field["count"].start : by_field["count"].end] == "نحو 30"
        assert by_field["category"].value == "arrested"
        assert by_field["unit"].value == "persons"
        assert {v.decision for v in added.values} == {"edited"}
        assert {v.decided_by for v in added.values} == {"amal"}
        assert progress(s, doc) == (8, 22)
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "added")).one()
        assert entry.record_id == added.record.id and entry.annotator == "amal"
