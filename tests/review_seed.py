"""Documents with extracted records for the review app's tests and benchmark.

The articles are written for these tests. Each document gets one figure and
one event whose quotes are found in its text, plus, where asked, a value whose
quote is not in the text (match none) and one found only approximately
(match fuzzy), so the queue's ordering by need has something to order.
"""

from dataclasses import dataclass

from sqlalchemy import Engine

from db.documents import NewDocument, add_document
from db.engine import session_scope
from db.extractions import Provenance, start_run, store_extraction
from schemas.codebook import MatchKind, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue, count_value

ARTICLE = (
    "قُتل ما لا يقل عن ١٢ مدنياً وأصيب 20 آخرون في قصف مدفعي استهدف بلدة الميادين "
    "شرق دير الزور يوم الأحد، بحسب المرصد السوري لحقوق الإنسان.\n"
    "واعتقلت قوات الأمن نحو 30 شخصاً في حملة مداهمات."
)
SCRIPT_ARTICLE = (
    "نشر موقع محلي خبراً يتضمن الشيفرة <script>alert(1)</script> و<b>نصاً عريضاً</b> "
    "عن مقتل 3 عناصر في هجوم على حاجز."
)


def cite(text: str, quote: str | None, match: MatchKind = MatchKind.EXACT) -> Citation:
    """The citation a backend would store: found spans exact, missing ones flagged none."""
    if quote is None:
        return Citation()
    start = text.find(quote)
    if start < 0 or match == MatchKind.NONE:
        return Citation(quote=quote, match=MatchKind.NONE)
    end = start + len(quote)
    return Citation(
        quote=quote,
        source=text[start:end],
        start=start,
        end=end,
        match=match,
        score=1.0 if match == MatchKind.EXACT else 0.9,
    )


def _value(text: str, field: str, value, quote: str | None, match=MatchKind.EXACT):
    return GroundedValue(field=field, value=value, citation=cite(text, quote, match))


def figure(text: str, key: str = "F1", *, flagged: bool = False) -> GroundedRecord:
    """A killed-count figure on the first clause; `flagged` adds a missing and a fuzzy quote."""
    return GroundedRecord(
        kind=RecordKind.FIGURE,
        key=key,
        evidence=cite(text, "قُتل ما لا يقل عن ١٢ مدنياً"),
        values=[
            _value(text, "category", "killed", "قُتل"),
            _value(text, "count", count_value(12, 12, None, "at_least", None), "ما لا يقل عن ١٢"),
            _value(text, "unit", "persons", None),
            _value(text, "group", {"actor": "civilians", "subgroup": None}, "مدنياً"),
            _value(text, "scope", {"kind": "incident", "since": None, "until": None}, None),
            _value(text, "part_of", None, None),
            _value(text, "event", "E1", None),
            _value(
                text,
                "reported_by",
                "SOHR",
                "وكالة الأنباء الرسمية" if flagged else "المرصد السوري",
                MatchKind.NONE if flagged else MatchKind.EXACT,
            ),
        ],
    )


def event(text: str, key: str = "E1", *, flagged: bool = False) -> GroundedRecord:
    return GroundedRecord(
        kind=RecordKind.EVENT,
        key=key,
        evidence=cite(text, "قصف مدفعي استهدف بلدة الميادين"),
        values=[
            _value(text, "event_type", "shelling", "قصف مدفعي"),
            _value(text, "date", {"value": "2026-03-15", "precision": "day"}, "يوم الأحد"),
            _value(
                text,
                "location",
                {"name": "الميادين", "admin1": "Deir ez-Zor", "country": "SY"},
                "بلدة الميادين",
                MatchKind.FUZZY if flagged else MatchKind.EXACT,
            ),
            _value(text, "actor1", None, None),
            _value(text, "actor2", "civilians", None),
            _value(text, "reported_by", "SOHR", "المرصد السوري"),
        ],
    )


@dataclass(frozen=True)
class Seeded:
    document_ids: list[int]


def seed(
    engine: Engine,
    texts: list[str],
    *,
    flagged: set[int] = frozenset(),
    published: list[str] | None = None,
    backend: str = "rules",
    model: str = "rules-v1",
) -> Seeded:
    """Ingest `texts` and store one extraction each (figure + event when the text has them).

    `flagged` holds indexes of texts whose records carry a missing and a fuzzy quote.
    """
    ids = []
    with session_scope(engine) as session:
        run = start_run(
            session,
            backend=backend,
            model=model,
            prompt_version="p1",
            schema_version="1",
            params={},
        )
        for index, text in enumerate(texts):
            document = add_document(
                session,
                NewDocument(
                    text=text,
                    title=f"خبر رقم {index + 1}",
                    external_id=f"t-{index + 1}",
                    published=published[index] if published else None,
                ),
            )
            records = []
            if "قُتل ما لا يقل عن ١٢ مدنياً" in text:
                records = [
                    figure(text, flagged=index in flagged),
                    event(text, flagged=index in flagged),
                ]
            store_extraction(session, document, run, records, Provenance())
            ids.append(document.id)
    return Seeded(ids)


def variants(count: int) -> list[str]:
    """`count` distinct copies of the article (stored texts must differ)."""
    return [f"{ARTICLE} (تقرير {n + 1})" for n in range(count)]
