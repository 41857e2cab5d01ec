"""Checking a model's answer against the article it read.

The same check serves three callers: instructor's validation (a failed check
becomes the re-ask message, so every problem names its record, field and
quote), the final store after the last attempt (the problems are kept, the
values that never grounded are stored with match `none`), and `reground`
over stored responses. Grounding is done once per answer: the grounded
records come out of the check that accepted them.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from instructor import ResponseSchema
from pydantic import BaseModel, ValidationError, ValidationInfo, model_validator

from extractor.grounding import ground
from extractor.numbers import parse_count
from schemas.codebook import MatchKind, Qualifier, RecordKind
from schemas.extraction import ArticleExtraction, EventOut, FigureOut
from schemas.records import Citation, GroundedRecord, GroundedValue, event_values, figure_values

Span = tuple[int, int]
MAX_LISTED = 25  # problems named in one re-ask; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an answer, phrased for the model to fix."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record} {self.field}: {self.message}"


@dataclass
class CheckReport:
    records: list[GroundedRecord]
    problems: list[Problem] = field(default_factory=list)

    def reask_message(self) -> str:
        listed = "\n".join(f"- {p}" for p in self.problems[:MAX_LISTED])
        more = len(self.problems) - MAX_LISTED
        tail = f"\n- ... and {more} more" if more > 0 else ""
        return (
            f"{len(self.problems)} problem(s) with your answer. Quotes must be copied "
            "character for character from the article. Fix these and return the complete "
            f"JSON again:\n{listed}{tail}"
        )


def _describe(best: int | None, low: int | None, high: int | None, q: Qualifier) -> str:
    return f"{q.value} (best={best}, low={low}, high={high})"


# Citations and grounded records are built from values already validated (the answer's
# model, the grounder's offsets), hundreds per document: model_construct skips a second
# validation that costs more than the grounding itself.


_UNCITED = Citation()


def _cite(text: str, quote: str | None, within: Span, near: int | None) -> Citation:
    if quote is None:
        return _UNCITED
    found = ground(text, quote, within=within, near=near)
    if found.match == MatchKind.NONE:
        return Citation.model_construct(
            quote=quote, source=None, start=None, end=None, match=MatchKind.NONE, score=0.0
        )
    return Citation.model_construct(
        quote=quote,
        source=found.quote,
        start=found.start,
        end=found.end,
        match=found.match,
        score=found.score,
    )


def _count_problem(f: FigureOut, cite: Citation) -> str | None:
    """Whether the count agrees with what its quote says (CODEBOOK.md count table)."""
    if f.count_quote is None:
        if f.qualifier != Qualifier.UNKNOWN:
            return (
                "a count needs its count_quote (the number phrase); "
                "with no number, use qualifier unknown"
            )
        return None
    parsed = parse_count(cite.source or f.count_quote)
    if parsed is None:
        return None  # a phrase the parser cannot read is left to the reviewer
    said = (parsed.best, parsed.low, parsed.high, parsed.qualifier)
    if said == (f.best, f.low, f.high, f.qualifier):
        return None
    return (
        f"count_quote «{f.count_quote}» reads as {_describe(*said)}, "
        f"but the figure says {_describe(f.best, f.low, f.high, f.qualifier)}"
    )


def _record(
    text: str,
    kind: RecordKind,
    key: str,
    evidence: str,
    values: list[tuple[str, Any, str | None]],
    window: Span,
    problems: list[Problem],
) -> GroundedRecord:
    evidence_cite = _cite(text, evidence, window, None)
    if evidence_cite.match == MatchKind.NONE:
        problems.append(Problem(key, "evidence", f"«{evidence}» is not in the article"))
        within, near = window, None
    else:
        within, near = (evidence_cite.start, evidence_cite.end), evidence_cite.start
    grounded = []
    for name, value, quote in values:
        cite = _cite(text, quote, within, near)
        if cite.match == MatchKind.NONE:
            problems.append(Problem(key, name, f"quote «{quote}» is not in the article"))
        grounded.append(GroundedValue.model_construct(field=name, value=value, citation=cite))
    return GroundedRecord.model_construct(
        kind=kind, key=key, evidence=evidence_cite, values=grounded
    )


def _link_problems(extraction: ArticleExtraction) -> list[Problem]:
    problems = []
    figure_ids = [f.id for f in extraction.figures]
    event_ids = [e.id for e in extraction.events]
    for ids in (figure_ids, event_ids):
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem(dup, "id", "used by more than one record; ids must be unique"))
    for f in extraction.figures:
        if f.part_of is not None and (f.part_of == f.id or f.part_of not in figure_ids):
            problems.append(Problem(f.id, "part_of", f"«{f.part_of}» is not another figure's id"))
        if f.event is not None and f.event not in event_ids:
            problems.append(Problem(f.id, "event", f"«{f.event}» is not an event id"))
    return problems


def check_extraction(
    extraction: ArticleExtraction, text: str, window: Span | None = None
) -> CheckReport:
    """Ground every quote of an answer in `text` and list what is wrong with it.

    `window` is the part of `text` the model read (a chunk); quotes are looked
    for there first. Fuzzy matches are kept without complaint: they are
    flagged by their match kind and reviewed first.
    """
    window = window or (0, len(text))
    problems: list[Problem] = []
    records = []
    for f in extraction.figures:
        record = _record(
            text, RecordKind.FIGURE, f.id, f.evidence, figure_values(f), window, problems
        )
        count = next(v for v in record.values if v.field == "count")
        message = _count_problem(f, count.citation)
        if message:
            problems.append(Problem(f.id, "count", message))
        records.append(record)
    for e in extraction.events:
        records.append(
            _record(text, RecordKind.EVENT, e.id, e.evidence, event_values(e), window, problems)
        )
    problems.extend(_link_problems(extraction))
    return CheckReport(records, problems)


_CURRENT: ContextVar["ArticleCheck | None"] = ContextVar("athar_article_check", default=None)


@contextmanager
def checking(check: "ArticleCheck") -> Iterator[None]:
    """Make `check` the validation context of answers parsed in this task (instructor is
    given no `context=`, which would render the prompt's messages a second time)."""
    token = _CURRENT.set(check)
    try:
        yield
    finally:
        _CURRENT.reset(token)


class ArticleCheck:
    """The validation context's checker for one article window; keeps the last report so the
    records that passed need not be grounded again."""

    def __init__(self, text: str, window: Span) -> None:
        self.text = text
        self.window = window
        self.report: CheckReport | None = None

    def __call__(self, extraction: ArticleExtraction) -> CheckReport:
        self.report = check_extraction(extraction, self.text, self.window)
        return self.report


class CheckedExtraction(ArticleExtraction, ResponseSchema):
    """`ArticleExtraction` that, given an `ArticleCheck` (validation context `check`, or the
    one set by `checking`), fails validation, and so triggers instructor's re-ask, while any
    quote, count or link is wrong.

    It is an instructor `ResponseSchema` already, so instructor uses the class as it is
    instead of deriving a new model class for every request.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Generated once: instructor asks for the schema on every request, and building it
        costs more than everything else athar does for a document."""
        return json.loads(_schema(cls, args, tuple(sorted(kwargs.items()))))

    @model_validator(mode="after")
    def _agrees_with_article(self, info: ValidationInfo) -> "CheckedExtraction":
        check = (info.context or {}).get("check") or _CURRENT.get()
        if isinstance(check, ArticleCheck):
            report = check(self)
            if report.problems:
                raise ValueError(report.reask_message())
        return self


@cache
def _schema(model: type[BaseModel], args: tuple, kwargs: tuple) -> str:
    """The schema as JSON text, so each caller gets a fresh copy cheaply."""
    return json.dumps(BaseModel.model_json_schema.__func__(model, *args, **dict(kwargs)))


_FENCED = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


def _json_object(answer: str) -> dict | None:
    candidates = [answer]
    fenced = _FENCED.search(answer)
    if fenced:
        candidates.append(fenced.group(1))
    if "{" in answer:
        candidates.append(answer[answer.index("{") : answer.rindex("}") + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return None


def salvage(answer: str) -> tuple[ArticleExtraction | None, list[Problem]]:
    """Keep every well-formed record of an answer that failed validation as a whole.

    After the last attempt a document is stored anyway: one bad record (a count
    that breaks the count table, a missing field) is dropped and reported,
    the others are kept. None when the answer is not a JSON object at all.
    """
    data = _json_object(answer)
    if data is None:
        return None, [Problem("answer", "json", "not a JSON object")]
    problems: list[Problem] = []
    kept: dict[str, list] = {"figures": [], "events": []}
    for name, model in (("figures", FigureOut), ("events", EventOut)):
        items = data.get(name)
        for i, item in enumerate(items if isinstance(items, list) else []):
            try:
                kept[name].append(model.model_validate(item))
            except ValidationError as error:
                key = item.get("id") if isinstance(item, dict) else None
                first = error.errors()[0]
                problems.append(
                    Problem(str(key or f"{name}[{i}]"), "record", f"dropped: {first['msg']}")
                )
    return ArticleExtraction(**kept), problems
