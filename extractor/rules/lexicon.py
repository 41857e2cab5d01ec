"""The rules backend's lexicons, loaded from the JSON files beside this module.

The words are data so that a domain expert extends them without reading
code; this module only turns each file into phrase banks. The lexicons and
the rules' code together make the backend's version: change either and
extractions are redone rather than skipped as already done.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor.normalize import normalize_quote
from extractor.rules.phrases import PhraseBank
from schemas.actors import CANONICAL_ACTORS

LEXICONS = Path(__file__).parent / "lexicons"


@dataclass(frozen=True)
class Cue:
    """What a category or event cue says: its category (or event type), how
    strong it is, and for context cues which rule decides."""

    label: str
    strong: bool = True
    rule: int | None = None


@dataclass(frozen=True)
class ContextRule:
    """A cue whose label turns into `otherwise` unless the clause (or the counted
    noun) has one of the listed words."""

    label: str
    otherwise: str
    near: PhraseBank | None
    head: tuple[str, ...]
    unless: PhraseBank | None = None  # words in the clause that keep `otherwise`


@dataclass(frozen=True)
class Place:
    admin1: str | None
    country: str
    kind: str  # "country", "division" (an admin1's own name) or "place"


@dataclass(frozen=True)
class Actor:
    name: str
    contextual: bool


@dataclass(frozen=True)
class DateWords:
    """Date vocabulary: banks whose payload is a number (a month, a weekday, a
    day offset), and sets of folded single words."""

    months: PhraseBank
    weekdays: PhraseBank
    relative_days: PhraseBank
    relative_months: PhraseBank
    relative_years: PhraseBank
    ordinal_days: PhraseBank
    past: frozenset[str]
    current: frozenset[str]
    month_start: frozenset[str]
    year_words: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    categories: PhraseBank
    category_rules: tuple[ContextRule, ...]
    outcome_nouns: frozenset[str]  # category cues that stand for a count of unknown size
    outcome_after: PhraseBank
    negation: PhraseBank
    denial: PhraseBank
    units: PhraseBank
    head_classes: PhraseBank
    civilians: PhraseBank
    subgroups: PhraseBank
    owned_places: PhraseBank
    actors: PhraseBank
    cumulative: PhraseBank
    period: PhraseBank
    period_needs: PhraseBank
    since: PhraseBank
    until: PhraseBank
    between: PhraseBank
    subset_before: PhraseBank
    subset_after: PhraseBank
    others: PhraseBank
    clause_words: PhraseBank
    relatives: PhraseBank
    sources: PhraseBank
    report_verbs: PhraseBank
    events: PhraseBank
    event_rules: tuple[ContextRule, ...]
    unreal: PhraseBank
    toll_updates: PhraseBank
    undergoing: PhraseBank
    places: PhraseBank
    dates: DateWords


def _read(name: str) -> dict[str, Any]:
    return json.loads((LEXICONS / f"{name}.json").read_text(encoding="utf-8"))


def _bank(words: list[str], payload: Any = True) -> PhraseBank:
    return PhraseBank((w, payload) for w in words)


def _labelled(groups: dict[str, list[str]], **cue: Any) -> list[tuple[str, Any]]:
    return [(w, Cue(label, **cue)) for label, words in groups.items() for w in words]


def _context_rules(
    rules: list[dict[str, Any]], label_key: str, otherwise_key: str
) -> tuple[list[tuple[str, Cue]], tuple[ContextRule, ...]]:
    """Context cues as bank entries, and the rules that settle their labels."""
    entries, settled = [], []
    for index, rule in enumerate(rules):
        cue = Cue(rule[label_key], strong=rule.get("strong", True), rule=index)
        entries += [(w, cue) for w in rule["cues"]]
        near = rule.get("when_near")
        settled.append(
            ContextRule(
                label=rule[label_key],
                otherwise=rule[otherwise_key],
                near=_bank(near) if near else None,
                head=tuple(rule.get("when_head", ())),
                unless=_bank(rule["unless_near"]) if rule.get("unless_near") else None,
            )
        )
    return entries, tuple(settled)


def _event_rules(rules: list[dict[str, Any]]) -> tuple[list[tuple[str, Cue]], tuple]:
    """Event context rules read the other way round: `type` holds away from the
    near words, `near_type` next to them."""
    flipped = [rule | {"label": rule["near_type"], "otherwise": rule["type"]} for rule in rules]
    return _context_rules(flipped, "label", "otherwise")


def _places(data: dict[str, Any]) -> PhraseBank:
    entries: list[tuple[str, Place]] = []
    for country, names in data["countries"].items():
        entries += [(n, Place(None, country, "country")) for n in names]
    for country, divisions in data["divisions"].items():
        for admin1, names in divisions.items():
            own = {names[0]} | {n for n in names if n.startswith("محافظة ")}
            for name in names:
                place = Place(admin1, country, "division" if name in own else "place")
                entries.append((name, place))
                entries += [(area.format(name), place) for area in data["areas"]]
    return PhraseBank(entries, article_optional=False)


def _actors(data: dict[str, Any]) -> PhraseBank:
    entries = [
        (alias, Actor(name, False))
        for name, aliases in CANONICAL_ACTORS.items()
        for alias in aliases
    ]
    entries += [
        (alias, Actor(name, False))
        for name, aliases in data["aliases"].items()
        for alias in aliases
    ]
    entries += [
        (alias, Actor(name, True))
        for name, aliases in data["contextual"].items()
        for alias in aliases
    ]
    return PhraseBank(entries)


def _numbered(table: dict[str, int]) -> PhraseBank:
    return PhraseBank(table.items(), article_optional=False)


def _folded(words: list[str]) -> frozenset[str]:
    return frozenset(normalize_quote(w) for w in words)


def _date_words(data: dict[str, Any]) -> DateWords:
    return DateWords(
        months=_numbered(data["months"]),
        weekdays=_numbered(data["weekdays"]),
        relative_days=_numbered(data["relative_days"]),
        relative_months=_numbered(data["relative_months"]),
        relative_years=_numbered(data["relative_years"]),
        ordinal_days=_numbered(data["ordinal_days"]),
        past=_folded(data["past"]),
        current=_folded(data["current"]),
        month_start=_folded(data["month_start"]),
        year_words=_folded(data["year_words"]),
    )


@cache
def lexicon() -> Lexicon:
    categories = _read("categories")
    context_entries, category_rules = _context_rules(categories["context"], "category", "otherwise")
    units = _read("units")
    groups = _read("groups")
    scope = _read("scope")
    sources = _read("sources")
    events = _read("events")
    event_context, event_rules = _event_rules(events["context"])
    return Lexicon(
        categories=PhraseBank(
            _labelled(categories["strong"])
            + _labelled(categories["weak"], strong=False)
            + context_entries
        ),
        category_rules=category_rules,
        outcome_nouns=frozenset(categories["outcome_nouns"]["nouns"]),
        outcome_after=_bank(categories["outcome_nouns"]["after"]),
        negation=_bank(categories["negation"]["words"]),
        denial=_bank(categories["negation"]["verbs"]),
        units=PhraseBank((w, unit) for unit, words in units["units"].items() for w in words),
        head_classes=PhraseBank(
            [(w, name) for name, words in units["classes"].items() for w in words]
            + [(w, unit) for unit, words in units["units"].items() for w in words]
        ),
        civilians=_bank(groups["civilians"]),
        subgroups=PhraseBank(
            (w, name) for name, words in groups["subgroups"].items() for w in words
        ),
        owned_places=_bank(groups["owned_places"]),
        actors=_actors(_read("actors")),
        cumulative=_bank(scope["cumulative"]),
        period=_bank(scope["period"]),
        period_needs=_bank(scope["period_needs"]),
        since=_bank(scope["since"]),
        until=_bank(scope["until"]),
        between=_bank(scope["between"]),
        subset_before=_bank(scope["subset_before"]),
        subset_after=_bank(scope["subset_after"]),
        others=_bank(scope["others"]),
        clause_words=_bank(scope["clause_words"]),
        relatives=_bank(scope["relatives"]),
        sources=PhraseBank((w, name) for name, words in sources["sources"].items() for w in words),
        report_verbs=_bank(sources["verbs"]),
        events=PhraseBank(_labelled(events["triggers"]) + event_context),
        event_rules=event_rules,
        unreal=_bank(events["unreal"]),
        toll_updates=_bank(events["toll_updates"]),
        undergoing=_bank(events["undergoing"]),
        places=_places(_read("places")),
        dates=_date_words(_read("dates")),
    )


@cache
def rules_version() -> str:
    """A short hash of the lexicon files and the rules' code."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*LEXICONS.glob("*.json"), *here.glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "rules-" + digest.hexdigest()[:12]
