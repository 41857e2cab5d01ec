"""The review queue's counts, order and filters, on real databases."""

from datetime import timedelta

from review_seed import SCRIPT_ARTICLE, event, figure, seed, variants
from sqlmodel import Session

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.extractions import Provenance, start_run, store_extraction
from db.models import Document
from db.queue import (
    Order,
    QueueFilter,
    filter_choices,
    next_candidates,
    queue_page,
    queue_summary,
)
from db.review import claim, current_records, decide, mark_done, pending_values, release
from schemas.codebook import Decision, MatchKind


def _rows(engine, filters: QueueFilter | None = None, order=Order.NEED, **paging):
    with Session(engine) as s:
        return queue_page(s, filters or QueueFilter(), order, **paging)


def _decide_all(engine, document_id: int, annotator: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        for value in pending_values(current_records(s, document_id)):
            if value.match != MatchKind.NONE:
                decide(s, value.id, annotator, Decision.ACCEPTED, value.version)


def test_counts_match_what_the_document_view_shows(any_engine):
    a, b, empty = seed(any_engine, [*variants(2), SCRIPT_ARTICLE], flagged={1}).document_ids
    with Session(any_engine, expire_on_commit=False) as s:
        count = next(v for v in current_records(s, a)[0].values if v.field == "count")
        decide(s, count.id, "amal", Decision.REJECTED, count.version)  # rejects figure F1
    rows = {row.id: row for row in _rows(any_engine)[0]}
    assert (rows[a].total, rows[a].pending) == (6, 6), "a rejected record drops out"
    assert (rows[b].total, rows[b].pending, rows[b].ungrounded, rows[b].fuzzy) == (14, 14, 1, 1)
    assert (rows[empty].total, rows[empty].pending) == (0, 0)
    with Session(any_engine) as s:
        for document_id, row in rows.items():
            views = current_records(s, document_id)
            live = [v for view in views if not view.record.rejected for v in view.values]
            assert row.total == len(live)
            assert row.pending == len(pending_values(views))


def test_only_the_latest_extraction_is_counted(any_engine):
    (doc,) = seed(any_engine, variants(1)).document_ids
    with session_scope(any_engine) as s:
        run = start_run(
            s, backend="llm", model="gpt-x", prompt_version="p2", schema_version="1", params={}
        )
        document = s.get(Document, doc)
        store_extraction(s, document, run, [figure(document.text)], Provenance())
    (row,), _ = _rows(any_engine)
    assert (row.total, row.backend, row.model, row.prompt_version) == (8, "llm", "gpt-x", "p2")


def test_need_order_puts_not_found_then_fuzzy_then_pending_then_decided_then_done(any_engine):
    texts = variants(5)
    ids = seed(any_engine, texts, flagged={3}).document_ids
    with session_scope(any_engine) as s:
        run = start_run(s, backend="rules", model="r", prompt_version="p1", schema_version="1")
        fuzzy_only = s.get(Document, ids[1])
        store_extraction(s, fuzzy_only, run, [event(fuzzy_only.text, flagged=True)], Provenance())
    _decide_all(any_engine, ids[0], "amal")
    _decide_all(any_engine, ids[4], "amal")
    with Session(any_engine) as s:
        claim(s, ids[4], "amal")
        mark_done(s, ids[4], "amal")
    order = [row.id for row in _rows(any_engine)[0]]
    assert order == [ids[3], ids[1], ids[2], ids[0], ids[4]]


def test_date_order_puts_undated_documents_last(any_engine):
    ids = seed(any_engine, variants(3), published=["2026-03-02", None, "2026-01-20"]).document_ids
    oldest = [row.id for row in _rows(any_engine, order=Order.OLDEST)[0]]
    newest = [row.id for row in _rows(any_engine, order=Order.NEWEST)[0]]
    assert oldest == [ids[2], ids[0], ids[1]]
    assert newest == [ids[0], ids[2], ids[1]]


def test_filters_and_paging(any_engine):
    rules = seed(any_engine, variants(3)).document_ids
    with session_scope(any_engine) as s:
        extra = add_document(s, NewDocument(text="نص آخر لم يستخرج منه شيء بعد."))
        extra_id = extra.id
    llm = seed(any_engine, [f"{t} - ب" for t in variants(2)], backend="llm", model="m1")
    with Session(any_engine) as s:
        claim(s, rules[0], "amal")
        claim(s, rules[1], "badr")
        value = pending_values(current_records(s, rules[1]))[0]
        decide(s, value.id, "badr", Decision.ACCEPTED, value.version)
        release(s, rules[1], "badr")

    def ids(**kw) -> set[int]:
        return {row.id for row in _rows(any_engine, QueueFilter(**kw))[0]}

    assert ids(backend="llm") == set(llm.document_ids)
    assert ids(model="rules-v1") == set(rules)
    assert ids(states=("new",)) == {rules[2], extra_id, *llm.document_ids}
    assert ids(states=("in_progress",)) == {rules[0], rules[1]}
    assert ids(annotator="amal") == {rules[0]}
    assert ids(annotator="badr") == {rules[1]}
    page, matching = _rows(any_engine, limit=2, offset=4)
    assert matching == 6 and len(page) == 2
    assert _rows(any_engine, QueueFilter(backend="none"))[1] == 0
    with Session(any_engine) as s:
        choices = filter_choices(s)
        summary = queue_summary(s)
    assert choices.backends == ["llm", "rules"] and choices.models == ["m1", "rules-v1"]
    assert choices.annotators == ["amal", "badr"]
    assert summary.documents == 6 and summary.values == 5 * 14 and summary.decided == 1
    assert summary.by_state == {"new": 4, "in_progress": 2}


def test_next_candidates_skip_documents_held_by_others_and_done_ones(any_engine):
    ids = seed(any_engine, variants(4)).document_ids
    with Session(any_engine) as s:
        claim(s, ids[0], "badr")
        claim(s, ids[1], "amal")
        claim(s, ids[2], "badr", lease=timedelta(seconds=-1))  # abandoned
    _decide_all(any_engine, ids[3], "amal")
    with Session(any_engine) as s:
        mark_done(s, ids[3], "amal")
        assert next_candidates(s, "amal") == [ids[1], ids[2]]
        assert next_candidates(s, "amal", exclude=(ids[1],)) == [ids[2]]
