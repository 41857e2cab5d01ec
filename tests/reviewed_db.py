"""A small corpus reviewed through the decision functions, for the export tests.

The article is written for these tests. Its review exercises every kind of
decision: accepts, an edit with a new quote, a rejected plain value, a
rejected core value (which rejects its record), a record a person added, an
undo, and a second document left in progress.
"""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.extractions import Provenance, start_run, store_extraction
from db.review import add_human_record, claim, current_records, decide, mark_done, undo_last
from schemas.codebook import Decision, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue, count_value

ARTICLE = (
    "قُتل ما لا يقل عن ٧ عناصر من قوات سوريا الديمقراطية، بينهم قياديان، "
    "في هجوم شنّه تنظيم داعش على بلدة ذيبان بريف دير الزور أمس. "
    "وقال المرصد إن ٥ عناصر قتلوا في الهجوم، فيما أصيب ١٢ آخرون. "
    "وفي الرقة، اعتقلت قسد عشرات الأشخاص."
)
SECOND = "سقطت قذيفة على حي سكني في مدينة الحسكة دون أن تسفر عن إصابات."


def cite(text: str, quote: str) -> Citation:
    start = text.index(quote)
    return Citation(
        quote=quote, source=quote, start=start, end=start + len(quote), match="exact", score=1.0
    )


def _v(field, value, quote: str | None = None, text: str = ARTICLE) -> GroundedValue:
    return GroundedValue(
        field=field, value=value, citation=cite(text, quote) if quote else Citation()
    )


def figure(key, evidence, category, cue, count, count_quote, group, event, part_of=None, by=None):
    return GroundedRecord(
        kind=RecordKind.FIGURE,
        key=key,
        evidence=cite(ARTICLE, evidence),
        values=[
            _v("category", category, cue),
            _v("count", count, count_quote),
            _v("unit", "persons"),
            _v("group", group),
            _v("scope", {"kind": "incident", "since": None, "until": None}),
            _v("part_of", part_of),
            _v("event", event),
            _v("reported_by", by),
        ],
    )


def event(key, evidence, event_type, trigger, place, place_quote, actor1, actor2):
    return GroundedRecord(
        kind=RecordKind.EVENT,
        key=key,
        evidence=cite(ARTICLE, evidence),
        values=[
            _v("event_type", event_type, trigger),
            _v("date", {"value": "2026-03-13", "precision": "day"}),
            _v("location", place, place_quote),
            _v("actor1", actor1),
            _v("actor2", actor2),
            _v("reported_by", None),
        ],
    )


SDF = {"actor": "SDF", "subgroup": None}
RECORDS = [
    event(
        "E1",
        "في هجوم شنّه تنظيم داعش على بلدة ذيبان",
        "armed_clash",
        "هجوم",
        {"name": "ذيبان", "admin1": "Deir ez-Zor", "country": "SY"},
        "ذيبان",
        "Islamic State",
        "SDF",
    ),
    figure(
        "F1",
        "قُتل ما لا يقل عن ٧ عناصر",
        "killed",
        "قُتل",
        count_value(7, 7, None, "at_least", None),
        "ما لا يقل عن ٧",
        SDF,
        "E1",
    ),
    figure(
        "F2",
        "بينهم قياديان",
        "killed",
        "قُتل",
        count_value(2, 2, 2, "exact", None),
        "قياديان",
        {"actor": "SDF", "subgroup": "leaders"},
        "E1",
        part_of="F1",
    ),
    figure(
        "F3",
        "إن ٥ عناصر قتلوا في الهجوم",
        "killed",
        "قتلوا",
        count_value(5, 5, 5, "exact", None),
        "٥ عناصر",
        SDF,
        "E1",
    ),
    figure(
        "F4",
        "أصيب ١٢ آخرون",
        "killed",
        "أصيب",
        count_value(12, 12, 12, "exact", None),
        "١٢",
        SDF,
        "E1",
    ),
    event(
        "E2",
        "وفي الرقة، اعتقلت قسد عشرات الأشخاص",
        "arrest",
        "اعتقلت",
        {"name": "الرقة", "admin1": "Raqqa", "country": "SY"},
        "الرقة",
        "SDF",
        "civilians",
    ),
]
# The figure the model missed; the annotator adds it.
MISSED = figure(
    "F5",
    "اعتقلت قسد عشرات الأشخاص",
    "arrested",
    "اعتقلت",
    count_value(10, 10, 99, "vague", "عشرات"),
    "عشرات",
    {"actor": "civilians", "subgroup": None},
    "E2",
)


@dataclass
class Reviewed:
    """What the review did, for tests to compare exports against."""

    done_id: int
    open_id: int
    values: int


def _value(session: Session, document_id: int, key: str, field: str):
    for view in current_records(session, document_id):
        if view.record.key == key:
            return next(v for v in view.values if v.field == field)
    raise KeyError((key, field))


def review(engine: Engine, annotator: str = "mona") -> Reviewed:
    """Extract both documents, then review the first completely and the second in part."""
    with session_scope(engine) as session:
        done = add_document(
            session,
            NewDocument(
                text=ARTICLE, external_id="t-1", title="هجوم في ذيبان", published="2026-03-14"
            ),
        )
        second = add_document(session, NewDocument(text=SECOND, external_id="t-2"))
        run = start_run(
            session,
            backend="llm",
            model="m-1",
            prompt_version="p1",
            schema_version="1",
            params={"temperature": 0},
        )
        provenance = Provenance(
            attempts=[{"raw": "{}", "ok": True}], prompt_tokens=900, completion_tokens=120
        )
        store_extraction(session, done, run, RECORDS, provenance)
        shell = GroundedRecord(
            kind=RecordKind.EVENT,
            key="E1",
            evidence=cite(SECOND, "سقطت قذيفة"),
            values=[
                _v("event_type", "shelling", "قذيفة", SECOND),
                _v("location", {"name": "الحسكة", "admin1": "Hasakah", "country": "SY"}),
            ],
        )
        store_extraction(session, second, run, [shell], Provenance())
        done_id, open_id = done.id, second.id

    with Session(engine, expire_on_commit=False) as session:
        assert claim(session, done_id, annotator)
        # An edit with a new quote, then undone and made again.
        by = _value(session, done_id, "F3", "reported_by")
        decide(
            session,
            by.id,
            annotator,
            Decision.EDITED,
            by.version,
            new_value="المرصد",
            citation=cite(ARTICLE, "المرصد"),
        )
        undo_last(session, done_id, annotator)
        by = _value(session, done_id, "F3", "reported_by")
        decide(
            session,
            by.id,
            annotator,
            Decision.EDITED,
            by.version,
            new_value="SOHR",
            citation=cite(ARTICLE, "المرصد"),
        )
        # F4 counts the wounded as killed: rejecting its category rejects the record.
        category = _value(session, done_id, "F4", "category")
        decide(session, category.id, annotator, Decision.REJECTED, category.version)
        # E2's second actor is wrong and has no replacement.
        actor2 = _value(session, done_id, "E2", "actor2")
        decide(session, actor2.id, annotator, Decision.REJECTED, actor2.version)
        add_human_record(session, done_id, annotator, MISSED)
        for view in current_records(session, done_id):
            if view.record.rejected:
                continue
            for value in view.values:
                if value.decision is None:
                    decide(session, value.id, annotator, Decision.ACCEPTED, value.version)
        mark_done(session, done_id, annotator)

        assert claim(session, open_id, annotator)
        first = current_records(session, open_id)[0].values[0]
        decide(session, first.id, annotator, Decision.ACCEPTED, first.version)
        values = sum(len(v.values) for v in current_records(session, done_id))
    return Reviewed(done_id, open_id, values)
