"""Events, coarsely: a trigger word gives the type, the gazetteer the place,
the sentence's dates the day and its actor names the two sides.

One event is one type at one place on one day (ACLED's rule), so triggers
that repeat the same event collapse into the first. A trigger with no place
in its sentence borrows the last place named before it in the paragraph; one
with no place at all is dropped, since an event must happen somewhere.
"""

from dataclasses import dataclass, field

from extractor.matching import place_key
from extractor.rules.dates import DateMention
from extractor.rules.lexicon import Actor, ContextRule, Cue, Lexicon, Place
from extractor.rules.phrases import Hit
from extractor.rules.text import Article, Span

_MAX_ACTORS = 2


@dataclass
class Event:
    type: str
    trigger: Span
    clause: Span
    sentence: Span
    place: Place
    place_span: Span

    @property
    def named(self) -> bool:
        """Whether the place has a name of its own (not just a country)."""
        return self.place.kind != "country"

    date: DateMention | None = None
    actors: list[tuple[str, Span]] = field(default_factory=list)
    source: str | None = None
    source_span: Span | None = None


def _inside(hit: Hit | DateMention, span: Span) -> bool:
    return span[0] <= hit.start and hit.end <= span[1]


class EventRules:
    def __init__(self, article: Article, lexicon: Lexicon, dates: list[DateMention]) -> None:
        self.a = article
        self.lx = lexicon
        self.dates = dates
        self.named = {
            h.payload.name for h in article.hits(lexicon.actors) if not h.payload.contextual
        }

    def type_of(self, hit: Hit) -> str:
        cue: Cue = hit.payload
        if cue.rule is None:
            return cue.label
        rule: ContextRule = self.lx.event_rules[cue.rule]
        clause = self.a.clause(hit.start)
        near = rule.near is not None and any(_inside(h, clause) for h in self.a.hits(rule.near))
        return cue.label if near else rule.otherwise

    def unreal(self, hit: Hit) -> bool:
        clause = self.a.clause(hit.start)
        return any(_inside(h, clause) for h in self.a.hits(self.lx.unreal))

    def place(self, hit: Hit) -> Hit | None:
        """The place nearest after the trigger in its sentence, else before it,
        else the last one named earlier in the paragraph, else the country."""
        sentence = self.a.sentence(hit.start)
        places = [p for p in self.a.hits(self.lx.places) if p.payload.kind != "country"]
        after = [p for p in places if _inside(p, sentence) and p.start >= hit.end]
        if after:
            return after[0]
        before = [p for p in places if _inside(p, sentence) and p.end <= hit.start]
        if before:
            return before[-1]
        paragraph = self.a.paragraph_start(hit.start)
        earlier = [p for p in places if paragraph <= p.start and p.end <= sentence[0]]
        if earlier:
            return earlier[-1]
        return next(
            (
                p
                for p in self.a.hits(self.lx.places)
                if p.payload.kind == "country" and _inside(p, sentence)
            ),
            None,
        )

    def date(self, hit: Hit) -> DateMention | None:
        sentence = self.a.sentence(hit.start)
        found = [d for d in self.dates if _inside(d, sentence) and d.value is not None]
        if not found:
            return None
        return min(found, key=lambda d: (d.relative, abs(d.start - hit.start)))

    def actors(self, hit: Hit) -> list[tuple[str, Span]]:
        sentence = self.a.sentence(hit.start)
        found = [
            h
            for h in self.a.hits(self.lx.actors)
            if _inside(h, sentence) and (not h.payload.contextual or h.payload.name in self.named)
        ]
        found.sort(key=lambda h: abs(h.start - hit.start))
        names: list[tuple[str, Span]] = []
        for h in found:
            actor: Actor = h.payload
            if all(actor.name != n for n, _ in names):
                names.append((actor.name, (h.start, h.end)))
            if len(names) == _MAX_ACTORS:
                break
        return names

    def source(self, hit: Hit) -> tuple[str | None, Span | None]:
        sentence = self.a.sentence(hit.start)
        sources = self.a.hits(self.lx.sources)
        inside = [h for h in sources if _inside(h, sentence)]
        chosen = (
            inside[0]
            if inside
            else next((h for h in reversed(sources) if h.end <= hit.start), None)
        )
        return (chosen.payload, (chosen.start, chosen.end)) if chosen else (None, None)


def find_events(article: Article, lexicon: Lexicon, dates: list[DateMention]) -> list[Event]:
    rules = EventRules(article, lexicon, dates)
    events: list[Event] = []
    seen: set[tuple] = set()
    for hit in article.hits(lexicon.events):
        if rules.unreal(hit):
            continue
        located = rules.place(hit)
        if located is None:
            continue
        event = Event(
            type=rules.type_of(hit),
            trigger=(hit.start, hit.end),
            clause=article.clause(hit.start),
            sentence=article.sentence(hit.start),
            place=located.payload,
            place_span=(located.start, located.end),
            date=rules.date(hit),
            actors=rules.actors(hit),
        )
        name = article.shadow.text[located.start : located.end] if event.named else None
        key = (
            event.type,
            place_key(name) or event.place.admin1 or event.place.country,
            event.date.value if event.date else None,
        )
        if key in seen:
            continue
        seen.add(key)
        event.source, event.source_span = rules.source(hit)
        events.append(event)
    return events
