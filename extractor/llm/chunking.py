"""Long articles: read in overlapping windows, answered per window, merged into one answer.

Windows end on a paragraph break, else a sentence end, else a space, and the
next window starts at a sentence start inside the overlap, so a fact that
straddles a cut is read whole in one of the two windows. Quotes are grounded
in the whole article (preferring the window), so offsets need no mapping
afterwards; what needs merging is the ids (F1 of window 2 is not F1 of window
1) and the records read twice in an overlap.
"""

import re

from extractor.llm.validation import CheckReport, Problem
from schemas.codebook import RecordKind
from schemas.records import GroundedRecord, GroundedValue

Span = tuple[int, int]
_SENTENCE_END = re.compile(r"[.!?؟؛…](?=\s)")
_SENTENCE_START = re.compile(r"(?:\n|[.!?؟؛…]\s)\s*")
# Values whose equality (with overlapping evidence) makes two records one.
_IDENTITY = {
    RecordKind.FIGURE: ("category", "count", "group"),
    RecordKind.EVENT: ("event_type", "date", "location"),
}
_LINKS = ("part_of", "event")


def _cut(text: str, lo: int, hi: int) -> int:
    """A window end in (lo, hi]: after a newline, else a sentence end, else a space."""
    newline = text.rfind("\n", lo, hi)
    if newline >= 0:
        return newline + 1
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, hi)]
    if ends:
        return ends[-1]
    space = text.rfind(" ", lo, hi)
    return space + 1 if space >= 0 else hi


def _restart(text: str, lo: int, end: int) -> int:
    """Where the next window starts: the first sentence start in [lo, end), else lo."""
    found = _SENTENCE_START.search(text, lo, end)
    return found.end() if found and found.end() < end else lo


def chunk_spans(text: str, size: int, overlap: int) -> list[Span]:
    """Windows of at most `size` characters covering `text`, overlapping by about `overlap`."""
    if len(text) <= size:
        return [(0, len(text))]
    spans: list[Span] = []
    start = 0
    while True:
        if start + size >= len(text):
            spans.append((start, len(text)))
            return spans
        end = _cut(text, start + size // 2, start + size)
        spans.append((start, end))
        start = _restart(text, max(end - overlap, start + 1), end)


def _identity(record: GroundedRecord) -> tuple:
    return (record.kind, *(repr(record.value(name)) for name in _IDENTITY[record.kind]))


def _overlaps(a: GroundedRecord, b: GroundedRecord) -> bool:
    ea, eb = a.evidence, b.evidence
    if ea.start is not None and eb.start is not None:
        return ea.start < eb.end and eb.start < ea.end
    return " ".join((ea.quote or "").split()) == " ".join((eb.quote or "").split())


def _relinked(record: GroundedRecord, key: str, keys: dict[str, str]) -> GroundedRecord:
    values = [
        GroundedValue(field=v.field, value=keys.get(v.value, v.value), citation=v.citation)
        if v.field in _LINKS and isinstance(v.value, str)
        else v
        for v in record.values
    ]
    return GroundedRecord(kind=record.kind, key=key, evidence=record.evidence, values=values)


def merge_reports(reports: list[CheckReport]) -> CheckReport:
    """One answer from the windows' answers: ids renumbered in reading order, links
    remapped, and a record read again in a later window's overlap kept once."""
    if len(reports) == 1:
        return reports[0]
    kept: list[GroundedRecord] = []
    problems: list[Problem] = []
    counters = {RecordKind.FIGURE: 0, RecordKind.EVENT: 0}
    for window, report in enumerate(reports):
        keys: dict[str, str] = {}
        earlier = list(kept)
        fresh: list[tuple[GroundedRecord, str]] = []
        for record in report.records:
            twin = next(
                (k for k in earlier if _identity(k) == _identity(record) and _overlaps(k, record)),
                None,
            )
            if twin is not None:
                keys[record.key] = twin.key
                continue
            counters[record.kind] += 1
            keys[record.key] = (
                f"{'F' if record.kind == RecordKind.FIGURE else 'E'}{counters[record.kind]}"
            )
            fresh.append((record, keys[record.key]))
        kept.extend(_relinked(record, key, keys) for record, key in fresh)
        problems.extend(
            Problem(keys.get(p.record, f"window {window + 1} {p.record}"), p.field, p.message)
            for p in report.problems
        )
    return CheckReport(kept, problems)
