"""Events, coarsely: a trigger word gives the type, the gazetteer the place,
the sentence's dates the day and its actor names the two sides.

One event is one type at one place on one day (ACLED's rule), so triggers
that repeat the same event collapse into the first. A trigger with no place
in its sentence is dropped: an event must happen somewhere, and borrowing a
place from elsewhere was measured to be wrong more often than right. So are
triggers that name no event: an expected battle, a purpose ("لطرد"), a denied
attack, a list of causes, the causes of a campaign's running toll.
"""

from dataclasses import dataclass, field

from extractor.matching import place_key
from extractor.normalize import normalize_quote
from extractor.rules.dates import DateMention
from extractor.rules.lexicon import Actor, ContextRule, Cue, Lexicon, Place
from extractor.rules.phrases import Hit
from extractor.rules.text import Article, Span

_MAX_ACTORS = 2
_LIST = 3  # coordinated triggers from which on they list causes, not events
_AND = "و"
_FROM = "من"
_TWO_SIDED = frozenset({"armed_clash", "territory_taken"})
_PRISON = "سجن"
_LEAVING = frozenset({"prison_break", "displacement"})
# "the two towns of": the place names that follow are two events' places.
_DUAL_PLACES = ("مدينتي", "بلدتي", "قريتي", "ناحيتي", "منطقتي", "محافظتي")


@dataclass
class Event:
    type: str
    trigger: Span
    clause: Span
    sentence: Span
    place: Place
    place_span: Span
    date: DateMention | None = None
    actors: list[tuple[str, Span]] = field(default_factory=list)
    source: str | None = None
    source_span: Span | None = None

    @property
    def named(self) -> bool:
        """Whether the place has a name of its own (not just a country)."""
        return self.place.kind != "country"

    def name(self, article: Article) -> str | None:
        """The place name as written; after the preposition ل the article's
        alef is restored ("للعاصمة طرابلس" names "العاصمة طرابلس")."""
        if not self.named:
            return None
        start, end = article.shadow.to_raw(*self.place_span)
        name = article.text[start:end]
        if start > 0 and article.text[start - 1] == "ل" and name.startswith("ل"):
            return "ا" + name
        return name

    def key(self, article: Article) -> str | None:
        """The place as compared: its folded name, else its governorate or country."""
        return place_key(self.name(article)) or self.place.admin1 or self.place.country


def _inside(hit: Hit | DateMention, span: Span) -> bool:
    return span[0] <= hit.start and hit.end <= span[1]


class EventRules:
    def __init__(self, article: Article, lexicon: Lexicon, dates: list[DateMention]) -> None:
        self.a = article
        self.lx = lexicon
        self.dates = dates
        self.duals = frozenset(normalize_quote(w) for w in _DUAL_PLACES)
        self.named = {
            h.payload.name for h in article.hits(lexicon.actors) if not h.payload.contextual
        }

    def type_of(self, hit: Hit) -> str:
        cue: Cue = hit.payload
        if cue.rule is None:
            return cue.label
        rule: ContextRule = self.lx.event_rules[cue.rule]
        sentence, clause = self.a.sentence(hit.start), self.a.clause(hit.start)
        near = rule.near is not None and any(_inside(h, sentence) for h in self.a.hits(rule.near))
        if near and rule.unless is not None:
            near = not any(_inside(h, clause) for h in self.a.hits(rule.unless))
        return cue.label if near else rule.otherwise

    def unreal(self, hit: Hit) -> bool:
        """A trigger that names no event: in a clause of expectation or purpose,
        or one of a list of causes ("قتلوا في القصف والاشتباكات والغارات")."""
        clause = self.a.clause(hit.start)
        if any(_inside(h, clause) for h in self.a.hits(self.lx.unreal)):
            return True
        return self.in_list(hit)

    def follows_trigger(self, hit: Hit) -> bool:
        """Whether a context trigger (a bare strike verb) comes after another
        trigger in its clause."""
        if hit.payload.rule is None:
            return False
        clause = self.a.clause(hit.start)
        return any(_inside(h, clause) and h.end <= hit.start for h in self.a.hits(self.lx.events))

    def in_campaign_toll(self, hit: Hit) -> bool:
        """Whether the trigger stands in a sentence that updates a running toll
        over a span of time: a campaign summary, whose causes are not events
        (CODEBOOK.md section 3). A toll of one dated incident keeps its event."""
        sentence = self.a.sentence(hit.start)
        lx = self.lx
        return any(_inside(h, sentence) for h in self.a.hits(lx.toll_updates)) and any(
            _inside(h, sentence) for h in (*self.a.hits(lx.since), *self.a.hits(lx.period))
        )

    def purpose(self, hit: Hit) -> bool:
        """Whether the trigger carries the preposition ل of purpose ("لطرد",
        "لشن"): what is meant to happen, not what happened ("تعرض لهجوم" is
        undergoing one)."""
        token = self.a.words.tokens[hit.first]
        lead = self.a.shadow.text[token.start : hit.start]
        if not lead.endswith("ل") or self.a.shadow.text.startswith("ل", hit.start):
            return False
        # "تعرض لهجوم": the ل of undergoing, after verbs that take it
        clause = self.a.clause(hit.start)
        return not any(
            _inside(h, clause) and h.end <= hit.start for h in self.a.hits(self.lx.undergoing)
        )

    def definite(self, hit: Hit) -> bool:
        """Whether the trigger carries the article (it then refers back)."""
        return self.a.shadow.text.startswith("ال", hit.start)

    def in_list(self, hit: Hit) -> bool:
        triggers = self.a.hits(self.lx.events)
        at = triggers.index(hit)
        run = [hit]
        for step in (-1, 1):
            k = at + step
            while 0 <= k < len(triggers):
                near = triggers[k]
                a, b = (near, run[0]) if step < 0 else (run[-1], near)
                if b.first != a.last + 1 or not self.a.word_text(b.first).startswith(_AND):
                    break
                run.insert(0, near) if step < 0 else run.append(near)
                k += step
        return len(run) >= _LIST

    def places(self, hit: Hit, kind: str) -> list[Hit]:
        """Where the trigger happened: the place named nearest after it in its
        clause, else before it, else the same in its sentence; after a dual
        ("بلدتي السوسة والباغوز") both places."""
        sentence = self.a.sentence(hit.start)
        places = [
            p
            for p in self.a.hits(self.lx.places)
            if p.payload.kind != "country" and _inside(p, sentence)
        ]
        clause = self.a.clause(hit.start)
        ranked = sorted(
            places,
            key=lambda p: (
                # a prison break happens at the prison the sentence names
                kind == "prison_break" and not self.a.shadow.text.startswith(_PRISON, p.start),
                not _inside(p, clause),
                # "from" names where a thing came from, not where it happened,
                # except for leaving a place (a prison break, a flight).
                kind not in _LEAVING and self.a.word_text(p.first - 1) == _FROM,
                p.end <= hit.start,
                abs(p.start - hit.end) if p.start >= hit.end else hit.start - p.end,
            ),
        )
        if not ranked:
            return []
        chosen = ranked[:1]
        narrower = next(
            (
                p
                for p in places
                if 0 < p.first - chosen[0].last <= 2
                and chosen[0].payload.kind == "division"
                and p.payload.kind == "place"
                and p.payload.admin1 == chosen[0].payload.admin1
            ),
            None,
        )
        if narrower is not None:
            chosen = [narrower]  # "في محافظة دير الزور في وادي الفرات": the narrower one
        if self.a.word_text(chosen[0].first) not in self.duals:
            return chosen
        following = [p for p in places if p.start > chosen[0].end]
        if following and following[0].first == chosen[0].last + 1:
            chosen.append(following[0])
        return chosen

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
        clause = self.a.clause(hit.start)
        found.sort(key=lambda h: (not _inside(h, clause), abs(h.start - hit.start)))
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


def _same(a: Event, b: Event, article: Article) -> bool:
    """One type at one place on one day; an undated mention joins a dated one."""
    if a.type != b.type or a.key(article) != b.key(article):
        return False
    return a.date is None or b.date is None or a.date.value == b.date.value


def find_events(article: Article, lexicon: Lexicon, dates: list[DateMention]) -> list[Event]:
    rules = EventRules(article, lexicon, dates)
    events: list[Event] = []
    for hit in article.hits(lexicon.events):
        if rules.unreal(hit):
            continue
        if rules.definite(hit) and any(e.type == rules.type_of(hit) for e in events):
            continue  # "الاشتباكات" after "اشتباكات عنيفة": the same event again
        if rules.in_campaign_toll(hit):
            continue  # "ارتفع إلى 905 عدد القتلى في القصف منذ ...": a campaign's causes
        if rules.purpose(hit):
            continue  # "لطرد فلول التنظيم": to expel, not expelled
        if rules.follows_trigger(hit):
            continue  # "ضربة استهدفت طريقا": the verb describes the strike just named
        for place in rules.places(hit, rules.type_of(hit)):
            event = Event(
                type=rules.type_of(hit),
                trigger=(hit.start, hit.end),
                clause=article.clause(hit.start),
                sentence=article.sentence(hit.start),
                place=place.payload,
                place_span=(place.start, place.end),
                date=rules.date(hit),
                actors=rules.actors(hit),
            )
            if event.type in _TWO_SIDED and not event.actors:
                continue
            same = next((e for e in events if _same(e, event, article)), None)
            if same is not None:
                same.date = same.date or event.date
                continue
            event.source, event.source_span = rules.source(hit)
            events.append(event)
    return events
