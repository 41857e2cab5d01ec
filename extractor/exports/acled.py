"""The `acled-csv` export: reviewed events in the columns ACLED publishes.

Event and sub-event types come from the codebook's mapping
(`schemas.codebook.ACLED_TYPES`); `territory_taken` becomes "Government
regains territory" when the side taking it (actor1) is a state's own forces.
Dates are ISO (YYYY-MM-DD) and `country` is the ISO 3166 alpha-2 code, as the
codebook stores them; `notes` carries the quotes the event rests on, so every
row can be checked against the article.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from db.dump import DocumentDump
from db.reviewed import final_records
from schemas.codebook import ACLED_TYPES, GOVERNMENT_REGAINS_TERRITORY, EventType, RecordKind
from schemas.records import GroundedRecord

COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "source",
    "notes",
    "fatalities",
)
# ACLED's time_precision: 1 the day is known, 2 the week, 3 only the month or year.
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
# Forces of the state whose territory is fought over ("Government regains territory").
STATE_FORCES = frozenset(
    {"Iraqi Security Forces", "Syrian Government Forces", "Popular Mobilization Forces"}
)


def lowest_reported(count: dict[str, Any] | None) -> int | None:
    """The smallest number a figure's report supports: ACLED's conservative reading.

    "ما لا يقل عن 7" is 7, "أكثر من 10" is 10 (the reported number), "between 5
    and 9" is 5, "عشرات" is 10 and "مئات" 100 (the codebook's best for vague
    words, which is what ACLED codes for "tens" and "hundreds"). A report
    with no number at all gives None.
    """
    if not count:
        return None
    numbers = [n for n in (count.get("best"), count.get("low")) if n is not None]
    return min(numbers) if numbers else None


def fatalities(event_key: str, figures: list[GroundedRecord]) -> tuple[int, list[str]]:
    """Fatalities of one event from its linked `killed` figures, by ACLED's rule.

    ACLED's rule (ACLED, "Fatalities", Uses and limitations of ACLED data,
    2023): "If source reports differ or a vague estimate is provided, ACLED
    uses the most conservative estimate available", coding 10 for "tens" and
    100 for "hundreds". Applied here:
    - only figures of category `killed` in persons linked to the event count;
    - a subset (`part_of` another counted figure) is never added to its parent;
    - figures about the same group (actor and subgroup) are alternative
      reports of one toll: the lowest is taken;
    - tolls of different groups add up.
    Killed figures with no number add nothing; their quotes are returned so
    the notes can say a toll was reported without one.
    """
    linked = [
        f
        for f in figures
        if f.value("event") == event_key
        and f.value("category") == "killed"
        and (f.value("unit") or "persons") == "persons"
    ]
    keys = {f.key for f in linked}
    per_group: dict[tuple, int] = {}
    unnumbered = []
    for figure in linked:
        if figure.value("part_of") in keys:
            continue
        number = lowest_reported(figure.value("count"))
        if number is None:
            unnumbered.append(figure.evidence.source or figure.key)
            continue
        group = figure.value("group") or {}
        key = (group.get("actor"), group.get("subgroup"))
        per_group[key] = min(number, per_group.get(key, number))
    return sum(per_group.values()), unnumbered


def _types(event_type: str, actor1: str | None) -> tuple[str, str]:
    if event_type == EventType.TERRITORY_TAKEN and actor1 in STATE_FORCES:
        return GOVERNMENT_REGAINS_TERRITORY
    return ACLED_TYPES.get(EventType(event_type), ACLED_TYPES[EventType.OTHER])


def _notes(event: GroundedRecord, unnumbered: list[str]) -> str:
    quotes = [event.evidence.source] + [v.citation.source for v in event.values]
    seen = list(dict.fromkeys(q for q in quotes if q))
    notes = " | ".join(seen)
    if unnumbered:
        notes += " | killed, number not reported: " + " | ".join(unnumbered)
    return notes


def acled_rows(dump: DocumentDump) -> Iterator[tuple[Any, ...]]:
    records = final_records(dump.views)
    figures = [r for r in records if r.kind == RecordKind.FIGURE]
    doc = dump.document
    doc_id = doc.external_id or doc.sha256
    source = doc.outlet or doc.url or doc_id
    for event in (r for r in records if r.kind == RecordKind.EVENT):
        date = event.value("date") or {}
        location = event.value("location") or {}
        actor1, actor2 = event.value("actor1"), event.value("actor2")
        acled_type, sub_type = _types(event.value("event_type") or "other", actor1)
        killed, unnumbered = fatalities(event.key, figures)
        yield (
            f"{doc_id}:{event.key}",
            date.get("value"),
            (date.get("value") or "")[:4] or None,
            TIME_PRECISION.get(date.get("precision")),
            acled_type,
            sub_type,
            actor1,
            actor2,
            location.get("country"),
            location.get("admin1"),
            location.get("name"),
            source,
            _notes(event, unnumbered),
            killed,
        )


def write_acled(dumps: Iterable[DocumentDump], handle: IO[str]) -> int:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    count = 0
    for dump in dumps:
        writer.writerows(acled_rows(dump))
        count += 1
    return count
