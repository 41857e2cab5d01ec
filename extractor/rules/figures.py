"""Figures: the counts an article reports, each with what it counts and whose.

Every count phrase `find_counts` reads is a candidate. Its category comes
from the nearest cue word (a verb or verbal noun such as مقتل, an outcome
noun such as قتيلا right after the number), preferring the clause over the
sentence and strong cues over status nouns; its unit and group from the
noun that follows the number; a subset marker (بينهم، من ضمنهم) makes it
part of the figure before it, whose category, scope and group it inherits;
scope comes from cumulative and period cues with their dates. Each decision
keeps the span of the words that made it, so every value can be cited.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from extractor.normalize import normalize_quote
from extractor.numbers import CountMention, ParsedCount
from extractor.rules.dates import DateMention
from extractor.rules.lexicon import Actor, ContextRule, Cue, Lexicon
from extractor.rules.phrases import Hit
from extractor.rules.text import Article, Span
from schemas.codebook import Qualifier

PERSON_UNITS = frozenset({"persons", "families"})
# What a count of things other than people can be (CODEBOOK.md section 2).
UNIT_CATEGORIES = {
    "vehicles": frozenset({"deployed", "other"}),
    "strikes": frozenset({"other"}),
    "munitions": frozenset({"other"}),
    "other": frozenset({"other"}),
}
# Subgroups that cannot hold a further subset: after "بينهم 7 أطفال و3 نساء، ومن
# بينهم 20 سوريا" the Syrians are a subset of the first total, not of the women.
LEAF_SUBGROUPS = frozenset({"children", "women"})
# Status nouns say a count is of such people, not that something happened to them.
_SKIP_WORDS = frozenset({"من", "عدد", "تعداد"})
_AND = "و"
_HEAD_REACH = 8  # words after a number searched for whose people it counts
_CUE_REACH = 3  # words between a cue and a number of unknown size


@dataclass
class Figure:
    """One figure under construction; spans are shadow offsets."""

    count: Span | None  # None for a figure named only by its nouns ("قتلى وجرحى")
    parsed: ParsedCount
    first: int  # word indices of the count (or of its noun)
    last: int
    clause: Span
    sentence: Span
    category: str = "other"
    category_span: Span | None = None
    unit: str = "persons"
    unit_span: Span | None = None
    head_class: str | None = None
    actor: str | None = None
    subgroup: str | None = None
    group_span: Span | None = None
    scope: str = "incident"
    since: str | None = None
    until: str | None = None
    scope_span: Span | None = None
    parent: "Figure | None" = None
    parent_span: Span | None = None
    others: bool = False  # "N آخرين": more of the same kind as the figure before
    source: str | None = None
    source_span: Span | None = None
    extra: list[Span] = field(default_factory=list)  # other spans the evidence must cover

    @property
    def start(self) -> int:
        return self.count[0] if self.count else self.clause[0]


def _inside(hit: Hit, span: Span) -> bool:
    return span[0] <= hit.start and hit.end <= span[1]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class FigureRules:
    def __init__(self, article: Article, lexicon: Lexicon, dates: list[DateMention]) -> None:
        self.a = article
        self.lx = lexicon
        self.dates = dates
        self.named_actors = {
            h.payload.name
            for h in article.hits(lexicon.actors)
            if isinstance(h.payload, Actor) and not h.payload.contextual
        }

    # --- reading one count ---------------------------------------------------------

    def figure(self, mention: CountMention) -> Figure | None:
        span = self.a.to_shadow((mention.start, mention.end))
        if span[0] >= span[1] or self._is_date(span) or self._negated(span):
            return None
        first, last = self.a.word_span(span)
        return Figure(
            count=span,
            parsed=mention.parsed,
            first=first,
            last=last,
            clause=self.a.clause(span[0]),
            sentence=self.a.sentence(span[0]),
        )

    def noun_figures(self, counted: list[Figure]) -> list[Figure]:
        """Outcomes reported with no number at all ("سقوط قتلى وجرحى"): an
        outcome noun after a word of occurring, in a clause without a count."""
        nouns = {_bare(normalize_quote(n)) for n in self.lx.outcome_nouns}
        after = {h.last for h in self.a.hits(self.lx.outcome_after)}
        found = []
        for hit in self.a.hits(self.lx.categories):
            text = _bare(self.a.shadow.text[hit.start : hit.end])
            if text not in nouns or hit.first - 1 not in after:
                continue
            clause = self.a.clause(hit.start)
            if any(f.count and _overlaps(f.count, clause) for f in counted):
                continue
            found.append(
                Figure(
                    count=None,
                    parsed=ParsedCount(None, None, None, Qualifier.UNKNOWN, None),
                    first=hit.first,
                    last=hit.last,
                    clause=clause,
                    sentence=self.a.sentence(hit.start),
                    category=hit.payload.label,
                    category_span=(hit.start, hit.end),
                )
            )
        return found

    def _is_date(self, span: Span) -> bool:
        return any(_overlaps(span, (d.start, d.end)) for d in self.dates)

    def _negated(self, span: Span) -> bool:
        first, _ = self.a.word_span(span)
        clause = self.a.clause(span[0])
        return any(
            first - 2 <= h.last < first and _inside(h, clause)
            for h in self.a.hits(self.lx.negation)
        ) or any(h.end <= span[0] and _inside(h, clause) for h in self.a.hits(self.lx.denial))

    def head(self, f: Figure) -> None:
        """The counted noun: in the count itself (a dual), or just after it."""
        candidates = [f.last + 1]
        while self.a.word_text(candidates[-1]) in _SKIP_WORDS and len(candidates) < 3:
            candidates.append(candidates[-1] + 1)
        for bank, attr in ((self.lx.units, "unit"), (self.lx.head_classes, "head_class")):
            for hit in self.a.hits(bank):
                if (f.count and _inside(hit, f.count)) or hit.first in candidates:
                    setattr(f, attr, hit.payload)
                    if attr == "unit":
                        f.unit_span = (hit.start, hit.end)
                    break
        if f.unit not in {"vehicles", "strikes", "munitions", "other", "families"}:
            f.unit, f.unit_span = "persons", None

    # --- category ---------------------------------------------------------------------

    def _label(self, hit: Hit, f: Figure) -> str:
        cue: Cue = hit.payload
        if cue.rule is None:
            return cue.label
        rule: ContextRule = self.lx.category_rules[cue.rule]
        if rule.near is not None:
            near = any(_inside(h, f.sentence) for h in self.a.hits(rule.near))
            return cue.label if near else rule.otherwise
        return cue.label if f.head_class in rule.head or f.unit in rule.head else rule.otherwise

    def described(self, clause: Span) -> Span:
        """A clause with the relative clause that follows it ("نحو 900 داعشيا،
        ممن جرى اعتقالهم"), which says what happened to the people counted."""
        nxt = self.a.clause(clause[1])
        if nxt[0] == clause[1] and any(
            h.start - nxt[0] <= 2 and _inside(h, nxt) for h in self.a.hits(self.lx.relatives)
        ):
            return clause[0], nxt[1]
        return clause

    def _cue_rank(self, hit: Hit, f: Figure, label: str) -> tuple:
        inside = f.count is not None and _overlaps((hit.start, hit.end), f.count)
        if hit.last < f.first:
            distance, side = f.first - hit.last - 1, 0
        else:
            distance, side = max(hit.first - f.last - 1, 0), 1
        # The noun right after the number, or inside it ("قتيلين"), names what is counted.
        adjacent_noun = inside or (side == 1 and distance == 0)
        return (
            not _inside(hit, f.clause),
            not hit.payload.strong,
            not adjacent_noun,
            distance,
            side,
        )

    def category(self, f: Figure, after: int | None = None) -> bool:
        """Choose the category from the cues around the count; False when none fits.

        `after` (a shadow offset) restricts the search to cues after it in the
        clause: a subset's own cue, not its parent's.
        """
        allowed = UNIT_CATEGORIES.get(f.unit)
        best: tuple | None = None
        own = self.described(f.clause)
        for hit in self.a.hits(self.lx.categories):
            if not _inside(hit, f.sentence):
                continue
            if f.unit_span and _overlaps((hit.start, hit.end), f.unit_span):
                continue
            if after is not None and not (hit.start >= after and _inside(hit, own)):
                continue
            label = self._label(hit, f)
            if allowed is not None and label not in allowed:
                continue
            rank = self._cue_rank(hit, f, label)
            if best is None or rank < best[0]:
                best = (rank, label, hit)
        if best is None:
            return False
        f.category, f.category_span = best[1], (best[2].start, best[2].end)
        return True

    # --- subsets ------------------------------------------------------------------

    def marker(self, f: Figure, previous: Figure | None) -> Hit | None:
        """A subset marker right before the count ("بينهم 7", "من بين الفارين
        أكثر من 100") or right after it ("ستة منهم")."""
        for hit in self.a.hits(self.lx.subset_before):
            if not (f.first - 3 <= hit.last < f.first and _inside(hit, f.clause)):
                continue
            if previous is None or previous.start < hit.start:
                return hit
        for hit in self.a.hits(self.lx.subset_after):
            if hit.first == f.last + 1:
                return hit
        return None

    def listed(self, f: Figure, previous: Figure | None) -> bool:
        """Whether the count continues a list right after the previous figure
        ("7 أطفال و3 نساء"): joined by و in the same clause."""
        if previous is None or previous.clause != f.clause or f.count is None:
            return False
        joined = self.a.shadow.text[max(f.count[0] - 1, 0)] == _AND or (
            self.a.word_text(f.first - 1) == _AND
        )
        return joined and f.first - previous.last <= 4

    def elliptic(self, f: Figure, previous: Figure | None) -> bool:
        """Whether the count shares the previous subset's total: no cue of its
        own between them ("على ستة منهم ... وعلى 10 آخرين")."""
        if previous is None or previous.parent is None or f.count is None:
            return False
        since = previous.count[1] if previous.count else previous.start
        return not any(
            since <= h.start and h.end <= f.count[0] for h in self.a.hits(self.lx.categories)
        )

    def is_others(self, f: Figure) -> bool:
        return any(
            f.first <= h.first <= f.last + 1 and h.last <= f.last + 2
            for h in self.a.hits(self.lx.others)
        )

    @staticmethod
    def parent_for(figures: list["Figure"], f: Figure, article: Article) -> "Figure | None":
        """The figure a subset belongs to: the one just before it (this or the
        previous sentence), skipping up from a leaf subgroup to its own total."""
        if not figures:
            return None
        previous = figures[-1]
        earliest = article.sentence(max(f.sentence[0] - 1, 0))[0]
        if previous.start < earliest:
            return None
        if previous.subgroup in LEAF_SUBGROUPS and previous.parent is not None:
            separated = not _overlaps(previous.clause, f.clause)
            if separated:
                return previous.parent
        return previous

    # --- group ----------------------------------------------------------------------

    def _actor_ok(self, hit: Hit) -> bool:
        actor: Actor = hit.payload
        return not actor.contextual or actor.name in self.named_actors

    def _head_end(self, f: Figure, counts: list[Figure]) -> int:
        """Where the words about the counted people end: a few words on, the
        clause end, or the next count unless it continues a list ("5 مسلحين
        و11 امرأة و30 طفلا من معتقلي داعش" share the words after the last)."""
        tokens = self.a.words.tokens
        last = f.last + _HEAD_REACH
        for other in counts:
            if other.first <= f.last or other.first > last:
                continue
            joined = self.a.word_text(other.first - 1) == _AND or (
                other.count is not None and self.a.shadow.text[other.count[0] - 1] == _AND
            )
            if not joined:
                return min(other.start, f.clause[1])
            last = other.last + _HEAD_REACH
        return min(f.clause[1], tokens[min(last, len(tokens) - 1)].end)

    def _people(self, area: Span) -> list[tuple[int, str, Span]]:
        """Actors and civilian words in an area, as (position, actor, span); an
        actor named as the owner of a place ("جيب التنظيم", "مواقع قسد") is
        where people were, not who they were."""
        found = [
            (hit.start, hit.payload.name, (hit.start, hit.end))
            for hit in self.a.hits(self.lx.actors)
            if _inside(hit, area) and self._actor_ok(hit) and not self._owner(hit)
        ]
        found += [
            (hit.start, "civilians", (hit.start, hit.end))
            for hit in self.a.hits(self.lx.civilians)
            if _inside(hit, area)
        ]
        return sorted(found)

    def _owner(self, hit: Hit) -> bool:
        return any(h.last == hit.first - 1 for h in self.a.hits(self.lx.owned_places))

    def group(self, f: Figure, counts: list[Figure], kin: Figure | None) -> None:
        """Whose people are counted: named just after the number; else, for
        "N آخرين", the same as the figure before; else named after a cue
        before the number ("قتلى النظام"), or for things (strikes, shells) by
        whoever the clause says used them."""
        begin = f.count[0] if f.count else f.clause[0]
        region = (begin, self._head_end(f, counts))
        for hit in self.a.hits(self.lx.subgroups):
            if _inside(hit, region) and hit.first <= f.last + 3:
                f.subgroup, f.group_span = hit.payload, (hit.start, hit.end)
                break
        candidates = self._people(region)
        if f.others and kin is not None and kin.actor is not None:
            near = [c for c in candidates if self.a.word_at(c[0]) <= f.last + 2]
            if not near:
                f.actor = kin.actor
                return
        before = (f.clause[0], begin)
        if not candidates and f.category_span and f.category_span[1] <= begin:
            cue_end = self.a.word_span(f.category_span)[1]
            candidates = [
                c for c in self._people(before) if cue_end < self.a.word_at(c[0]) <= cue_end + 3
            ]
        if not candidates and (f.unit not in PERSON_UNITS or f.others):
            candidates = self._people(before)[-1:]
        if candidates:
            _, f.actor, span = candidates[0]
            f.group_span = f.group_span or span
            if span != f.group_span:
                f.extra.append(span)

    # --- scope ---------------------------------------------------------------------------

    def _date_after(self, hit: Hit, reach: int = 3) -> DateMention | None:
        for d in self.dates:
            if d.start >= hit.end and self.a.word_at(d.start) - hit.last <= reach:
                return d if d.value else None
        return None

    def scope(self, f: Figure) -> None:
        for area in (f.clause, self.a.context(f.start)):
            if self._scope_in(f, area):
                return
        if f.category == "held":
            f.scope = "cumulative"

    def _scope_in(self, f: Figure, area: Span) -> bool:
        lx = self.lx
        since = next(
            (
                (h, d)
                for h in self.a.hits(lx.since)
                if _inside(h, area) and (d := self._date_after(h))
            ),
            None,
        )
        until = next(
            (
                (h, d)
                for h in self.a.hits(lx.until)
                if _inside(h, area) and (d := self._date_after(h))
            ),
            None,
        )
        if since and until:
            f.scope, f.since, f.until = "period", _iso(since[1]), _iso(until[1], end=True)
            f.scope_span = (since[0].start, until[1].end)
            return True
        for h in self.a.hits(lx.between):
            if not _inside(h, area):
                continue
            low = self._date_after(h)
            high = low and next(
                (
                    d
                    for d in self.dates
                    if d.start > low.end and self.a.word_at(d.start) - self.a.word_at(low.end) <= 2
                ),
                None,
            )
            if low and high and high.value:
                f.scope, f.since, f.until = "period", _iso(low), _iso(high, end=True)
                f.scope_span = (h.start, high.end)
                return True
        for h in self.a.hits(lx.period):
            if not _inside(h, area):
                continue
            needs = [n for n in self.a.hits(lx.period_needs) if 0 <= n.first - h.last <= 3]
            if needs:
                f.scope, f.scope_span = "period", (h.start, needs[0].end)
                month = self._date_after(h, reach=4)
                if month and month.precision == "month":
                    f.since, f.until = _iso(month), _iso(month, end=True)
                return True
        if since:
            f.scope, f.since, f.scope_span = (
                "cumulative",
                _iso(since[1]),
                (since[0].start, since[1].end),
            )
            return True
        if until:
            f.scope, f.until, f.scope_span = (
                "cumulative",
                _iso(until[1], end=True),
                (until[0].start, until[1].end),
            )
            return True
        for h in self.a.hits(lx.cumulative):
            if _inside(h, area):
                f.scope, f.scope_span = "cumulative", (h.start, h.end)
                return True
        return False

    # --- source ----------------------------------------------------------------------

    def source(self, f: Figure) -> None:
        """Who states it: a source named in the sentence, else the last one named before."""
        pos = f.start
        hits = self.a.hits(self.lx.sources)
        in_sentence = [h for h in hits if _inside(h, f.sentence)]
        if in_sentence:
            hit = min(in_sentence, key=lambda h: abs(h.start - pos))
            f.source, f.source_span = hit.payload, (hit.start, hit.end)
            return
        said = self._reporting_actor(f.sentence)
        if said:
            f.source, f.source_span = said
            return
        before = [h for h in hits if h.end <= pos]
        if before:
            f.source, f.source_span = before[-1].payload, (before[-1].start, before[-1].end)

    def _reporting_actor(self, area: Span) -> tuple[str, Span] | None:
        for verb in self.a.hits(self.lx.report_verbs):
            if not _inside(verb, area):
                continue
            for hit in self.a.hits(self.lx.actors):
                if (
                    0 < hit.first - verb.last <= 2
                    and self._actor_ok(hit)
                    and hit.payload.name != "civilians"
                ):
                    return hit.payload.name, (hit.start, hit.end)
        return None


def _iso(mention: DateMention, end: bool = False) -> str | None:
    """A date's ISO form; with `end`, a month stands for its last day."""
    value = mention.value
    if value is None:
        return None
    if end and mention.precision == "month":
        next_month = value.replace(day=28) + timedelta(days=4)
        value = next_month - timedelta(days=next_month.day)
    return value.isoformat()


def _says_what(f: Figure) -> bool:
    """Whether the words around a count say what it counts (a noun of things,
    of fighters, or whose people)."""
    return any(x is not None for x in (f.unit_span, f.head_class, f.actor, f.subgroup))


def _bare(words: str) -> str:
    """Folded words without the article of the first one."""
    return words[2:] if words.startswith("ال") and len(words) > 4 else words


def _is_unknown(parsed: ParsedCount) -> bool:
    return parsed.qualifier == Qualifier.UNKNOWN


def _near(f: Figure, span: Span | None, article: Article, reach: int) -> bool:
    if span is None or not _overlaps(span, f.clause):
        return False
    first, last = article.word_span(span)
    return first - f.last - 1 <= reach and f.first - last - 1 <= reach


def _key(f: Figure) -> tuple:
    """What makes two figures one fact told twice."""
    p = f.parsed
    return (f.category, p.best, p.low, p.high, p.qualifier, f.unit, f.actor, f.subgroup)


def find_figures(
    article: Article, lexicon: Lexicon, dates: list[DateMention], mentions: list[CountMention]
) -> list[Figure]:
    """The article's figures in text order, repeated facts kept once."""
    rules = FigureRules(article, lexicon, dates)
    drafts = [f for m in mentions if (f := rules.figure(m)) is not None]
    drafts = sorted(drafts + rules.noun_figures(drafts), key=lambda f: f.start)
    figures: list[Figure] = []
    for f in drafts:
        rules.head(f)
        mark = rules.marker(f, figures[-1] if figures else None)
        f.others = rules.is_others(f)
        previous = figures[-1] if figures else None
        if mark is not None:
            f.parent = rules.parent_for(figures, f, article)
            f.parent_span = (mark.start, mark.end) if f.parent else None
        elif (f.others or rules.listed(f, previous)) and rules.elliptic(f, previous):
            # "بينهم 7 أطفال و3 نساء", "وعلى 10 آخرين": more members of the same total
            f.parent = rules.parent_for(figures, f, article) and previous.parent
        before = mark is not None and mark.last < f.first
        found = f.count is None or rules.category(
            f, after=mark.end if before and f.parent else None
        )
        if not found and f.parent is not None:
            f.category, f.category_span = f.parent.category, f.parent.category_span
        elif not found and _is_unknown(f.parsed):
            continue
        vague_cue = not _near(f, f.category_span, article, _CUE_REACH)
        if _is_unknown(f.parsed) and f.parent is None and (vague_cue or f.unit not in PERSON_UNITS):
            continue
        kin = f.parent or (previous if (f.others or (mark and not before)) else None)
        rules.group(f, drafts, kin)
        if not found and f.parent is None and not _says_what(f):
            continue  # a number with nothing said about what it counts
        if f.actor is None and kin is not None:
            f.actor = kin.actor
        if f.actor is None and f.subgroup in LEAF_SUBGROUPS:
            f.actor = "civilians"
        if f.parent is not None:
            f.scope, f.since, f.until = f.parent.scope, f.parent.since, f.parent.until
            f.scope_span = f.parent.scope_span
        else:
            rules.scope(f)
        rules.source(f)
        figures.append(f)
    seen: set[tuple] = set()
    unique = []
    for f in figures:
        key = _key(f)
        if f.parsed.qualifier in (Qualifier.VAGUE, Qualifier.UNKNOWN):
            # "عشرات" twice is rarely one fact: only a repeated clause is.
            key = (*key, article.shadow.text[f.clause[0] : f.clause[1]])
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique
