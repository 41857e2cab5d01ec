"""Inter-annotator agreement over the documents reviewed twice (db.overlap).

Each value both annotators judged gives one pair of outcomes: what the value
would be after each pass (its value and span, or nothing when rejected).
Per field:
- counts (`count`): the share of pairs with the same count, exactly;
- every other field is a set of categories: Cohen's kappa over the outcome
  labels (a rejection is a category of its own), beside the raw agreement;
- quotes: the mean overlap of the two spans (intersection over union of
  their code points) over pairs where both kept a cited value.
`decisions` is kappa over the decisions themselves (accepted, edited,
rejected), all fields together.
"""

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, select

from db.models import Judgement, ReviewCopy, Value
from schemas.codebook import Decision

COUNT_FIELDS = frozenset({"count"})
REJECTED = "<rejected>"


@dataclass
class FieldAgreement:
    field: str
    pairs: int
    observed: float | None
    kappa: float | None
    span_pairs: int
    span_overlap: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AgreementReport:
    documents: int
    fields: list[FieldAgreement]

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "fields": [f.to_dict() for f in self.fields]}


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """(p_o - p_e) / (1 - p_e); None when undefined (both used one single category)."""
    n = len(first)
    if n == 0 or n != len(second):
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def span_overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> float:
    """Intersection over union of two half-open spans; 0 when only one side has a span."""
    if a is None or b is None:
        return 0.0
    union = max(a[1], b[1]) - min(a[0], b[0])
    if union == 0:
        return 1.0
    return max(0, min(a[1], b[1]) - max(a[0], b[0])) / union


def label(j: Judgement) -> str:
    if j.decision == Decision.REJECTED:
        return REJECTED
    return json.dumps(j.value, sort_keys=True, ensure_ascii=False)


def _span(j: Judgement) -> tuple[int, int] | None:
    return (j.start, j.end) if j.start is not None and j.end is not None else None


def judged_pairs(session: Session) -> tuple[int, list[tuple[str, Judgement, Judgement]]]:
    """(documents, [(field, first pass's judgement, second pass's)]) for values both judged."""
    rows = session.exec(
        select(Judgement, Value.field, ReviewCopy.slot)
        .join(Value, Value.id == Judgement.value_id)
        .join(
            ReviewCopy,
            and_(
                ReviewCopy.document_id == Judgement.document_id,
                ReviewCopy.annotator == Judgement.annotator,
            ),
        )
        .where(Judgement.decision.is_not(None))
        .order_by(Judgement.value_id, ReviewCopy.slot)
    ).all()
    by_value: dict[int, dict[int, Judgement]] = defaultdict(dict)
    fields: dict[int, str] = {}
    for judgement, field, slot in rows:
        by_value[judgement.value_id][slot] = judgement
        fields[judgement.value_id] = field
    pairs = [(fields[v], s[1], s[2]) for v, s in by_value.items() if 1 in s and 2 in s]
    documents = len({first.document_id for _, first, _ in pairs})
    return documents, pairs


def _field(name: str, pairs: list[tuple[Judgement, Judgement]]) -> FieldAgreement:
    first = [label(a) for a, _ in pairs]
    second = [label(b) for _, b in pairs]
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / len(pairs)
    spans = [
        span_overlap(_span(a), _span(b))
        for a, b in pairs
        if REJECTED not in (label(a), label(b)) and (_span(a) or _span(b))
    ]
    return FieldAgreement(
        field=name,
        pairs=len(pairs),
        observed=observed,
        kappa=None if name in COUNT_FIELDS else cohen_kappa(first, second),
        span_pairs=len(spans),
        span_overlap=sum(spans) / len(spans) if spans else None,
    )


def agreement(session: Session) -> AgreementReport:
    documents, pairs = judged_pairs(session)
    by_field: dict[str, list[tuple[Judgement, Judgement]]] = defaultdict(list)
    for field, a, b in pairs:
        by_field[field].append((a, b))
    fields = [_field(name, by_field[name]) for name in sorted(by_field)]
    if pairs:
        decisions_a = [a.decision for _, a, _ in pairs]
        decisions_b = [b.decision for _, _, b in pairs]
        fields.append(
            FieldAgreement(
                field="decisions",
                pairs=len(pairs),
                observed=sum(a == b for a, b in zip(decisions_a, decisions_b, strict=True))
                / len(pairs),
                kappa=cohen_kappa(decisions_a, decisions_b),
                span_pairs=0,
                span_overlap=None,
            )
        )
    return AgreementReport(documents, fields)
