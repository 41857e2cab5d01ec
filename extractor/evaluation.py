"""Scoring predicted figures and events against gold, both in the gold-v1 format.

Everything that is scored (a run in the database, the rules backend run on
the spot, an exported file) is first turned into `GoldDocument`s, so one
scorer serves all of them and a run scores the same whether read from the
database or from its export.

Figures match when category and count (best, low, high) agree; events when
the type agrees and the place does (same name after normalisation, else the
same governorate). Matching is one to one. Field
accuracies are computed over matched pairs only, so they say how good the
details are once a record is found, separately from finding it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from extractor.matching import one_to_one, overlaps, place_key
from schemas.actors import canonical_actor
from schemas.gold import GoldDocument, GoldEvent, GoldFigure

FIGURE_FIELDS = (
    "qualifier",
    "unit",
    "actor",
    "subgroup",
    "scope",
    "part_of",
    "event",
    "reported_by",
    "count_span",
)
EVENT_FIELDS = ("date", "actors", "reported_by")
R = TypeVar("R", GoldFigure, GoldEvent)


@dataclass
class PRF:
    """Precision, recall and F1 from counts, so scores add up across documents."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "PRF") -> None:
        self.matched += other.matched
        self.predicted += other.predicted
        self.gold += other.gold

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "matched": self.matched,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def count(self, right: bool) -> None:
        self.total += 1
        self.correct += int(right)

    def add(self, other: "Accuracy") -> None:
        self.correct += other.correct
        self.total += other.total

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.value, "correct": self.correct, "total": self.total}


def _accuracies(names: Iterable[str]) -> dict[str, Accuracy]:
    return {name: Accuracy() for name in names}


@dataclass
class DocumentScores:
    """One article's scores, with what was missed and what was wrongly found."""

    doc_id: str
    predicted: bool = True
    figures: PRF = field(default_factory=PRF)
    figures_unknown: PRF = field(default_factory=PRF)
    events: PRF = field(default_factory=PRF)
    figure_fields: dict[str, Accuracy] = field(default_factory=lambda: _accuracies(FIGURE_FIELDS))
    event_fields: dict[str, Accuracy] = field(default_factory=lambda: _accuracies(EVENT_FIELDS))
    figure_misses: list[GoldFigure] = field(default_factory=list)
    figure_false_alarms: list[GoldFigure] = field(default_factory=list)
    event_misses: list[GoldEvent] = field(default_factory=list)
    event_false_alarms: list[GoldEvent] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "predicted": self.predicted,
            "figures": self.figures.to_dict(),
            "figures_unknown": self.figures_unknown.to_dict(),
            "events": self.events.to_dict(),
            "figure_misses": [_figure_line(f) for f in self.figure_misses],
            "figure_false_alarms": [_figure_line(f) for f in self.figure_false_alarms],
            "event_misses": [_event_line(e) for e in self.event_misses],
            "event_false_alarms": [_event_line(e) for e in self.event_false_alarms],
        }


@dataclass
class Scores:
    """A whole comparison: totals, field accuracies, and each document's scores.

    `figures` counts figures that carry a number; `figures_unknown` those with
    qualifier unknown (no number at all), which the codebook scores apart.
    """

    documents: list[DocumentScores] = field(default_factory=list)
    figures: PRF = field(default_factory=PRF)
    figures_unknown: PRF = field(default_factory=PRF)
    events: PRF = field(default_factory=PRF)
    figure_fields: dict[str, Accuracy] = field(default_factory=lambda: _accuracies(FIGURE_FIELDS))
    event_fields: dict[str, Accuracy] = field(default_factory=lambda: _accuracies(EVENT_FIELDS))
    unscored_predictions: list[str] = field(default_factory=list)

    @property
    def missing_predictions(self) -> list[str]:
        """Gold documents the predictions do not cover at all."""
        return [d.doc_id for d in self.documents if not d.predicted]

    def add(self, document: DocumentScores) -> None:
        self.documents.append(document)
        self.figures.add(document.figures)
        self.figures_unknown.add(document.figures_unknown)
        self.events.add(document.events)
        for name, acc in document.figure_fields.items():
            self.figure_fields[name].add(acc)
        for name, acc in document.event_fields.items():
            self.event_fields[name].add(acc)

    def to_dict(self, per_doc: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "documents": len(self.documents),
            "figures": self.figures.to_dict(),
            "figures_unknown": self.figures_unknown.to_dict(),
            "figure_fields": {k: v.to_dict() for k, v in self.figure_fields.items()},
            "events": self.events.to_dict(),
            "event_fields": {k: v.to_dict() for k, v in self.event_fields.items()},
            "missing_predictions": self.missing_predictions,
            "unscored_predictions": self.unscored_predictions,
        }
        if per_doc:
            out["per_document"] = [d.to_dict() for d in self.documents]
        return out


# --- matching rules ---------------------------------------------------------------


def _has_number(f: GoldFigure) -> bool:
    return any(v is not None for v in (f.best, f.low, f.high))


def figures_agree(gold: GoldFigure, pred: GoldFigure) -> bool:
    """The codebook's figure match: same category and same (best, low, high)."""
    return (gold.category, gold.best, gold.low, gold.high) == (
        pred.category,
        pred.best,
        pred.low,
        pred.high,
    )


def _same_place(gold: GoldEvent, pred: GoldEvent) -> bool:
    """Same place name after normalisation when both sides name the place; else
    the same governorate (both unknown counts as the same only within one country)."""
    g_name, p_name = place_key(gold.location_name), place_key(pred.location_name)
    if g_name and p_name:
        return g_name == p_name
    g_admin1 = gold.admin1.casefold() if gold.admin1 else None
    p_admin1 = pred.admin1.casefold() if pred.admin1 else None
    if g_admin1 or p_admin1:
        return g_admin1 == p_admin1
    return (gold.country or "").upper() == (pred.country or "").upper()


def events_agree(gold: GoldEvent, pred: GoldEvent) -> bool:
    return gold.event_type == pred.event_type and _same_place(gold, pred)


def _actor(name: str | None) -> str | None:
    return canonical_actor(name)


def _source(name: str | None) -> str | None:
    return name.strip().casefold() if name and name.strip() else None


def _figure_preference(gold: GoldFigure, pred: GoldFigure) -> tuple:
    return (
        overlaps(gold.count_span, pred.count_span),
        overlaps(gold.evidence_span, pred.evidence_span),
        _actor(gold.actor) == _actor(pred.actor),
        gold.scope == pred.scope,
    )


def _event_preference(gold: GoldEvent, pred: GoldEvent) -> tuple:
    return (
        overlaps(gold.trigger_span, pred.trigger_span),
        overlaps(gold.evidence_span, pred.evidence_span),
        gold.date == pred.date,
        {_actor(gold.actor1), _actor(gold.actor2)} == {_actor(pred.actor1), _actor(pred.actor2)},
    )


def match(
    gold: list[R],
    pred: list[R],
    agree: Callable[[R, R], bool],
    preference: Callable[[R, R], tuple],
) -> dict[int, int]:
    """{gold index: predicted index}, one to one, as many pairs as possible."""
    options = [
        sorted(
            (j for j, p in enumerate(pred) if agree(g, p)),
            key=lambda j, g=g: preference(g, pred[j]),
            reverse=True,
        )
        for g in gold
    ]
    return one_to_one(options)


# --- scoring ------------------------------------------------------------------------


def _link_right(gold_ref: str | None, pred_ref: str | None, pred_to_gold: dict[str, str]) -> bool:
    """A link (part_of, event) is right when it points at the record matched to
    the gold one's target, or both point nowhere."""
    if gold_ref is None or pred_ref is None:
        return gold_ref is None and pred_ref is None
    return pred_to_gold.get(pred_ref) == gold_ref


def score_document(gold: GoldDocument, pred: GoldDocument | None) -> DocumentScores:
    scores = DocumentScores(doc_id=gold.doc_id, predicted=pred is not None)
    pred = pred or GoldDocument(doc_id=gold.doc_id)

    event_pairs = match(gold.events, pred.events, events_agree, _event_preference)
    scores.events = PRF(len(event_pairs), len(pred.events), len(gold.events))
    event_ids = {pred.events[j].id: gold.events[i].id for i, j in event_pairs.items()}

    numbered = [[f for f in doc.figures if _has_number(f)] for doc in (gold, pred)]
    unknown = [[f for f in doc.figures if not _has_number(f)] for doc in (gold, pred)]
    figure_pairs = match(*numbered, figures_agree, _figure_preference)
    unknown_pairs = match(*unknown, figures_agree, _figure_preference)
    scores.figures = PRF(len(figure_pairs), len(numbered[1]), len(numbered[0]))
    scores.figures_unknown = PRF(len(unknown_pairs), len(unknown[1]), len(unknown[0]))
    figure_ids = {numbered[1][j].id: numbered[0][i].id for i, j in figure_pairs.items()} | {
        unknown[1][j].id: unknown[0][i].id for i, j in unknown_pairs.items()
    }

    for i, j in figure_pairs.items():
        g, p = numbered[0][i], numbered[1][j]
        acc = scores.figure_fields
        acc["qualifier"].count(g.qualifier == p.qualifier)
        acc["unit"].count(g.unit == p.unit)
        acc["actor"].count(_actor(g.actor) == _actor(p.actor))
        acc["subgroup"].count(g.subgroup == p.subgroup)
        acc["scope"].count(g.scope == p.scope)
        acc["part_of"].count(_link_right(g.part_of, p.part_of, figure_ids))
        acc["event"].count(_link_right(g.event, p.event, event_ids))
        acc["reported_by"].count(_source(g.reported_by) == _source(p.reported_by))
        if g.count_span is not None:
            acc["count_span"].count(overlaps(g.count_span, p.count_span))

    for i, j in event_pairs.items():
        g, p = gold.events[i], pred.events[j]
        acc = scores.event_fields
        acc["date"].count(g.date == p.date)
        acc["actors"].count(
            {_actor(g.actor1), _actor(g.actor2)} == {_actor(p.actor1), _actor(p.actor2)}
        )
        acc["reported_by"].count(_source(g.reported_by) == _source(p.reported_by))

    matched_gold = {numbered[0][i].id for i in figure_pairs} | {
        unknown[0][i].id for i in unknown_pairs
    }
    scores.figure_misses = [f for f in gold.figures if f.id not in matched_gold]
    scores.figure_false_alarms = [f for f in pred.figures if f.id not in figure_ids]
    scores.event_misses = [e for i, e in enumerate(gold.events) if i not in event_pairs]
    matched_pred_events = set(event_pairs.values())
    scores.event_false_alarms = [
        e for j, e in enumerate(pred.events) if j not in matched_pred_events
    ]
    return scores


def _doc_key(doc: GoldDocument) -> str:
    return doc.text_sha256 or doc.doc_id


def pair_documents(
    gold: Iterable[GoldDocument], pred: Iterable[GoldDocument]
) -> tuple[list[tuple[GoldDocument, GoldDocument | None]], list[str]]:
    """Line predictions up with gold by text_sha256 (by doc_id when a side lacks it).

    Returns the pairs in gold order, and the ids of predicted documents with
    no gold (they are not scored).
    """
    pred = list(pred)
    by_sha = {d.text_sha256: d for d in pred if d.text_sha256}
    by_id = {d.doc_id: d for d in pred}
    pairs, used = [], set()
    for g in gold:
        found = by_sha.get(g.text_sha256) if g.text_sha256 else None
        if found is None:
            candidate = by_id.get(g.doc_id)
            if candidate is not None and not (candidate.text_sha256 and g.text_sha256):
                found = candidate
        if found is not None:
            used.add(id(found))
        pairs.append((g, found))
    return pairs, [d.doc_id for d in pred if id(d) not in used]


def score(gold: Iterable[GoldDocument], pred: Iterable[GoldDocument]) -> Scores:
    """Score predictions against gold; gold documents with no prediction count as all missed."""
    pairs, unscored = pair_documents(gold, pred)
    scores = Scores(unscored_predictions=unscored)
    for g, p in pairs:
        scores.add(score_document(g, p))
    return scores


# --- how a record is shown in a per-document report -----------------------------------


def count_text(f: GoldFigure) -> str:
    if not _has_number(f):
        return f"{f.qualifier}" + (f" ({f.vague_term})" if f.vague_term else "")
    return f"{f.qualifier} {f.best}/{f.low}/{f.high}"


def _figure_line(f: GoldFigure) -> dict[str, Any]:
    return {
        "id": f.id,
        "category": f.category,
        "count": count_text(f),
        "count_quote": f.count_quote,
        "evidence": f.evidence,
    }


def _event_line(e: GoldEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "event_type": e.event_type,
        "location": e.location_name or e.admin1 or e.country,
        "trigger_quote": e.trigger_quote,
        "evidence": e.evidence,
    }
