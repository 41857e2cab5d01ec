"""Read counts from Arabic text, as the codebook's count table says.

`parse_count` reads one number phrase (a model's quote, a gold count quote);
`find_counts` finds every count phrase in an article for the rules backend.
Both run one reader over the matching shadow of the text (see
`extractor.normalize`), so spelling variants, diacritics, tatweel and digit
scripts need no special cases here, and every span found in the shadow maps
back to exact raw offsets.

The reader works on tokens (digit runs, Arabic words, Latin words,
punctuation). It knows the grammar of Arabic cardinals (units, teens, tens
joined by و, hundreds, scale words that multiply), duals of a closed list of
counted nouns, vague plurals (عشرات، مئات، آلاف), qualifiers written before or
after the number, and the traps the codebook names: years, dates, times,
measures and durations, labels, ordinals, weekdays and "one of".
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from extractor import number_words as words
from extractor.normalize import Shadow, normalize_for_match, normalize_quote
from schemas.codebook import Qualifier


@dataclass(frozen=True)
class ParsedCount:
    """A count normalised per the codebook: what `Figure.count` holds."""

    best: int | None
    low: int | None
    high: int | None
    qualifier: Qualifier
    vague_term: str | None  # the vague or unknown-quantity words as written


@dataclass(frozen=True)
class CountMention:
    """A count phrase in a text: `text[start:end]` is the phrase, qualifiers included."""

    start: int
    end: int
    parsed: ParsedCount


# --- the lexicon, folded as the shadow folds text ---------------------------


def _fold_map(table: Mapping[str, int]) -> dict[str, int]:
    return {normalize_quote(w): n for w, n in table.items()}


def _fold_set(items: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_quote(w) for w in items)


def _fold_seqs(seqs: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize_quote(w) for w in seq) for seq in seqs)


def _dual_forms() -> dict[str, int]:
    """Every dual spelling of the counted nouns, mapped to 2."""
    forms: set[str] = set()
    for singular, sound_plural in words.DUAL_NOUNS:
        if singular.endswith("ة"):
            forms |= {singular[:-1] + "تان", singular[:-1] + "تين"}
        else:
            forms.add(singular + "ان")
            if not sound_plural:
                forms.add(singular + "ين")
    return dict.fromkeys(_fold_set(forms), 2)


_UNITS = _fold_map(words.UNITS)
_TEEN_ONLY = _fold_map(words.TEEN_ONLY)
_UNIT_OR_TEEN = _UNITS | _TEEN_ONLY
_TEEN_TEN = _fold_set(words.TEEN_TEN)
_TENS = _fold_map(words.TENS)
_HUNDRED_WORDS = _fold_set(words.HUNDRED_WORDS)
_HUNDREDS = _fold_map(words.HUNDREDS)
_SCALES = _fold_map(words.SCALES)
_LONE_SCALES = _fold_map(words.LONE_SCALES)
_FRACTIONS = {normalize_quote(w): Fraction(*f) for w, f in words.FRACTIONS.items()}
_VAGUE = _fold_map(words.VAGUE)
_VAGUE_SCALES = _fold_map(words.VAGUE_SCALES)
_DUALS = _dual_forms()
_UNKNOWN_CUES = _fold_seqs(words.UNKNOWN_CUES)
_OUTCOME_NOUNS = _fold_set(words.OUTCOME_NOUNS)
# Qualifiers before a number, by first word: (kind, words), longest first.
_PREFIXES: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
for _kind, _seqs in words.PREFIX_QUALIFIERS.items():
    for _seq in _fold_seqs(_seqs):
        _PREFIXES.setdefault(_seq[0], []).append((_kind, _seq))
for _options in _PREFIXES.values():
    _options.sort(key=lambda option: -len(option[1]))
_SUFFIXES = {kind: _fold_seqs(seqs) for kind, seqs in words.SUFFIX_QUALIFIERS.items()}
_RANGE_OPENERS = _fold_seqs(words.RANGE_OPENERS)
_RANGE_JOINERS = _fold_set(words.RANGE_JOINERS)
_CHANGE_VERBS = _fold_set(words.CHANGE_VERBS)
_ORDINALS = _fold_set(words.ORDINALS)
_MONTHS = _fold_set(words.MONTHS)
_SPLIT_MONTHS = _fold_set({"كانون", "تشرين"})
_SPLIT_MONTH_ORDINALS = _fold_set({"الأول", "الثاني", "أول", "ثاني"})
_MONTH_WORDS = _fold_set({"الشهر", "شهر"})
_LIST_MARKS = frozenset(",،")
_YEAR_CUES = _fold_set(words.YEAR_CUES)
_YEAR_SUFFIXES = _fold_set(words.YEAR_SUFFIXES)
_LABEL_CUES = _fold_set(words.LABEL_CUES)
_MEASURES = _fold_set(words.MEASURE_WORDS)
_MEASURE_PHRASES = _fold_seqs(words.MEASURE_PHRASES)
_DATE_HEADS = _fold_set(words.DATE_HEADS)
_DATE_HEAD_FOLLOWERS = _fold_set(words.DATE_HEAD_FOLLOWERS)
_NON_COUNT_HEADS = _fold_set(words.NON_COUNT_HEADS)
_ONE_OF = _fold_set({"أحد", "إحدى"})
_TWO = _fold_set({"اثنين"})  # with the article: the weekday الاثنين
_AND = "و"
_FROM = normalize_quote("من")
_ARTICLE = "ال"
_DASHES = frozenset("-–—")  # hyphen, en dash, em dash
_SLASH_COLON = frozenset("/:")
_PERCENT = frozenset("%٪")
# The article written apart from digits ("الـ9" folds to "ال9"), maybe after clitics.
_STANDALONE_ARTICLES = frozenset({"ال", "وال", "فال", "بال", "وبال"})

# --- tokens ----------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"(?P<date>[0-9]{1,4}(?P<sep>[/.-])[0-9]{1,2}(?P=sep)[0-9]{1,4}(?![0-9]))"
    r"|(?P<time>[0-9]{1,2}:[0-9]{2}(?![0-9]))"
    r"|(?P<num>[0-9]{1,3}(?:[,،٬][0-9]{3})+(?![0-9])|[0-9]+(?:[.٫][0-9]+)?)"
    r"|(?P<word>[\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06ff]+)"
    r"|(?P<latin>[A-Za-z]+)"
    r"|(?P<punct>\S)"
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # date, time, num, word, latin, punct
    text: str  # as folded in the shadow
    start: int  # shadow offsets
    end: int


def _tokens(shadow: str) -> list[_Token]:
    return [
        _Token(m.lastgroup or "", m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(shadow)
    ]


def _num_value(text: str) -> Fraction:
    return Fraction(re.sub("[,،٬]", "", text).replace("٫", "."))


@dataclass(frozen=True, slots=True)
class _Hit:
    """A word found in a lexicon once its clitics are set aside."""

    base: str
    value: int
    clitic: int  # leading clitic letters (و ف ب ل), kept out of spans
    article: bool


_Table = Mapping[str, int] | Collection[str]


@dataclass(frozen=True, slots=True)
class _Part:
    """One way to read a word as proclitics plus a base."""

    base: str
    prefix: str
    conj: bool  # the prefix starts with the conjunction و
    clitic: int
    article: bool


@lru_cache(maxsize=65536)
def _parts(word: str) -> tuple[_Part, ...]:
    """Every split of `word` into proclitics (و ف, then ب ل, then ال) and a base.

    ك is left out: "كمية" (quantity) would read as ك + مية (a hundred).
    The whole word comes first, so a lexicon word is never split.
    """
    parts = []
    for c in ("", "و", "ف"):
        for p in ("", "ب", "ل"):
            for a in ("", _ARTICLE):
                prefix = c + ("لل" if p == "ل" and a else p + a)
                if word.startswith(prefix) and len(word) > len(prefix):
                    # ل + ال is written لل: both letters stay out of the span.
                    clitic = len(prefix) if p == "ل" and a else len(c + p)
                    parts.append(_Part(word[len(prefix) :], prefix, c == "و", clitic, bool(a)))
    return tuple(parts)


def _split(word: str, table: _Table, *, conj: bool = False, min_len: int = 3) -> _Hit | None:
    """Find `word` in `table` once its proclitics are set aside.

    With `conj`, the word must carry the conjunction و (a compound's second
    part, "وعشرون"). A stripped remainder shorter than `min_len` is refused
    unless only و was stripped, so "لست" ("I am not") is not ل + ست (six).
    """
    for part in _parts(word):
        if (conj and not part.conj) or part.base not in table:
            continue
        if part.prefix not in ("", "و") and len(part.base) < min_len:
            continue
        value = table[part.base] if isinstance(table, Mapping) else 0
        return _Hit(part.base, value, part.clitic, part.article)
    return None


@dataclass(frozen=True, slots=True)
class _Read:
    """A number read from tokens `first..last` (inclusive)."""

    value: Fraction
    first: int
    last: int
    clitic: int
    kind: str  # digits, words, dual


@dataclass(frozen=True, slots=True)
class _Found:
    """A count phrase over tokens `first..last`, before mapping to raw offsets."""

    first: int
    last: int
    clitic: int
    qualifier: str  # a key of _BOUNDS, or range / vague / unknown
    value: int | None = None
    high: int | None = None


_BOUNDS = {
    "exact": (Qualifier.EXACT, lambda n: (n, n, n)),
    "at_least": (Qualifier.AT_LEAST, lambda n: (n, n, None)),
    "more_than": (Qualifier.MORE_THAN, lambda n: (n, n + 1, None)),
    "less_than": (Qualifier.LESS_THAN, lambda n: (None, 1, n - 1)),
    "at_most": (Qualifier.LESS_THAN, lambda n: (None, 1, n)),
    "approx": (Qualifier.APPROX, lambda n: (n, None, None)),
}


class _Reader:
    """One pass over a shadow's tokens, collecting count phrases and traps."""

    def __init__(self, shadow: Shadow) -> None:
        self.shadow = shadow
        self.toks = _tokens(shadow.text)
        self.found: list[_Found] = []
        self.saw_one_of = False

    # token helpers

    def word(self, i: int) -> str | None:
        if 0 <= i < len(self.toks) and self.toks[i].kind == "word":
            return self.toks[i].text
        return None

    def kind(self, i: int) -> str | None:
        return self.toks[i].kind if 0 <= i < len(self.toks) else None

    def gap(self, i: int, j: int) -> int:
        """Characters between token i's end and token j's start (large past either end)."""
        if not (0 <= i < len(self.toks) and 0 <= j < len(self.toks)):
            return len(self.shadow.text) + 1
        return self.toks[j].start - self.toks[i].end

    def punct(self, i: int, marks: frozenset[str]) -> bool:
        return self.kind(i) == "punct" and self.toks[i].text in marks

    def lex(
        self, i: int, table: _Table, conj: bool = False, article: bool = True, min_len: int = 3
    ) -> _Hit | None:
        w = self.word(i)
        hit = _split(w, table, conj=conj, min_len=min_len) if w else None
        if hit and hit.article and not article:
            return None
        return hit

    def bare(self, i: int, table: Iterable[str]) -> bool:
        return self.word(i) in table

    def seq(self, i: int, seq: tuple[str, ...]) -> int | None:
        """Match a word sequence at i (its first word may carry clitics); return its clitic."""
        hit = self.lex(i, seq[:1], article=False, min_len=1)
        if hit and all(self.word(i + k) == w for k, w in enumerate(seq[1:], 1)):
            return hit.clitic
        return None

    def conj(self, i: int) -> tuple[int, bool]:
        """Where a part joined by و starts: after a lone و, or on a word carrying it."""
        return (i + 1, False) if self.word(i) == _AND else (i, True)

    # numbers

    def below_hundred(self, i: int, conj: bool) -> _Read | None:
        unit = self.lex(i, _UNIT_OR_TEEN, conj)
        if unit and unit.value <= 9 and self.bare(i + 1, _TEEN_TEN):
            return _Read(Fraction(unit.value + 10), i, i + 1, unit.clitic, "words")
        if unit and unit.base in _TEEN_ONLY:
            return None
        if unit and unit.value <= 9:
            j, c = self.conj(i + 1)
            tens = self.lex(j, _TENS, c, article=False)
            if tens:
                return _Read(Fraction(unit.value + tens.value), i, j, unit.clitic, "words")
        tens = self.lex(i, _TENS, conj)
        if tens:
            # "العشرين" is an ordinal ("the twentieth"), not a count.
            return None if tens.article else _Read(Fraction(tens.value), i, i, tens.clitic, "words")
        if unit:
            if unit.article and unit.base in _TWO:
                return None  # the weekday الاثنين
            return _Read(Fraction(unit.value), i, i, unit.clitic, "words")
        return None

    def below_thousand(self, i: int, conj: bool) -> _Read | None:
        hundreds = self.lex(i, _HUNDREDS, conj)
        if hundreds:
            head = _Read(Fraction(hundreds.value), i, i, hundreds.clitic, "words")
        else:
            unit = self.lex(i, _UNITS, conj)
            if unit and 3 <= unit.value <= 9 and self.bare(i + 1, _HUNDRED_WORDS):
                head = _Read(Fraction(unit.value * 100), i, i + 1, unit.clitic, "words")
            else:
                return self.below_hundred(i, conj)
        j, c = self.conj(head.last + 1)
        rest = self.below_hundred(j, c)
        if rest:
            return _Read(head.value + rest.value, i, rest.last, head.clitic, "words")
        return head

    def group(self, i: int, conj: bool) -> _Read | None:
        if self.kind(i) == "num" and not conj:
            return _Read(_num_value(self.toks[i].text), i, i, 0, "digits")
        fraction = self.lex(i, _FRACTIONS, conj, article=False)
        if fraction and self.lex(i + 1, _SCALES, article=False):
            return _Read(_FRACTIONS[fraction.base], i, i, fraction.clitic, "words")
        return self.below_thousand(i, conj)

    def number(self, i: int, conj: bool = False) -> _Read | None:
        """A whole cardinal: a group, times a scale word, plus a smaller part after و."""
        head = self.group(i, conj)
        scale = 0
        if head:
            hit = self.lex(head.last + 1, _SCALES, article=False)
            if hit and hit.clitic == 0:
                scale = hit.value
                head = _Read(head.value * scale, i, head.last + 1, head.clitic, head.kind)
        else:
            hit = self.lex(i, _LONE_SCALES, conj, article=False)
            if hit is None:
                return None
            scale = 10 ** (len(str(hit.value)) - 1)  # ألفان: a part after و is below 1000
            head = _Read(Fraction(hit.value), i, i, hit.clitic, "words")
        if scale > 1:
            j, c = self.conj(head.last + 1)
            rest = self.number(j, c)
            if rest and rest.value < scale:
                return _Read(head.value + rest.value, i, rest.last, head.clitic, head.kind)
            half = self.lex(j, _FRACTIONS, c, article=False)
            if half:  # "مليون ونصف"
                value = head.value + scale * _FRACTIONS[half.base]
                return _Read(value, i, j, head.clitic, head.kind)
        return head

    def count(self, i: int) -> _Read | None:
        """A number or a dual noun at i, with its integral value."""
        article = self.word(i)
        if (
            article in _STANDALONE_ARTICLES
            and self.kind(i + 1) == "num"
            and self.gap(i, i + 1) <= 1
        ):
            read = self.number(i + 1)  # "الـ9" keeps its article
            clitic = len(article) - len(_ARTICLE)
            read = read and _Read(read.value, i, read.last, clitic, read.kind)
        else:
            read = self.number(i)
        if read:
            return read if read.value.denominator == 1 and read.value > 0 else None
        dual = self.lex(i, _DUALS)
        if dual:
            last = i + 1 if self.two(i + 1) else i  # "شخصين اثنين"
            return _Read(Fraction(2), i, last, dual.clitic, "dual")
        return None

    def two(self, i: int) -> bool:
        hit = self.lex(i, _UNITS, article=False)
        return bool(hit and hit.value == 2)

    # traps

    def is_trap(self, read: _Read, qualified: bool) -> bool:
        """Whether a number is a year, date, time, measure, label or idiom.

        `qualified` says a qualifier ("نحو", "أكثر من") stands before it, which
        makes a year-like number a count ("نحو 2000").
        """
        first, last = read.first, read.last
        before, after = first - 1, last + 1
        if self.measured(after) or self.near_month(before, after):
            return True
        if read.kind == "digits":
            return self.digit_trap(read, before, after, qualified)
        if read.kind == "words" and read.value <= 2 and first == last:
            if self.lex(before, _NON_COUNT_HEADS | _MEASURES):
                return True  # "في آن واحد", "يوم واحد"
            unit = self.lex(first, _UNITS)
            if read.value == 1 and unit and unit.article:
                return True  # "الضابط الواحد": "each", "single"
            if read.value == 1 and self.word(after) == _FROM:
                self.saw_one_of = True  # "واحد من": one of, like أحد
                return True
        return False

    def measured(self, i: int) -> bool:
        """Whether the words at i make the number before them a measure or a duration."""
        if any(self.seq(i, phrase) is not None for phrase in _MEASURE_PHRASES):
            return True
        hit = self.lex(i, _MEASURES)
        if hit and hit.base in _DATE_HEADS:
            follower = self.word(i + 1)
            return not (self.kind(i + 1) == "num" or follower in _DATE_HEAD_FOLLOWERS)
        return hit is not None

    def near_month(self, before: int, after: int) -> bool:
        """A day before a month or a year after one.

        Days may be listed ("1 و6 سبتمبر") and joined by من ("الـ10 من
        أيلول", "الـ19 من الشهر الماضي"); a year follows a month name, which
        may be a Levantine pair ("كانون الثاني 2018", "كانون أول 2017").
        """
        while (self.word(after) == _AND or self.punct(after, _LIST_MARKS)) and self.kind(
            after + 1
        ) == "num":
            after += 2
        if self.word(after) == _FROM:
            after += 1
        if self.lex(after, _MONTHS | _MONTH_WORDS, article=False) or self.bare(after, _MONTH_WORDS):
            return True
        if self.lex(before, _MONTHS, article=False):
            return True
        return self.bare(before, _SPLIT_MONTH_ORDINALS) and self.bare(before - 1, _SPLIT_MONTHS)

    def digit_trap(self, read: _Read, before: int, after: int, qualified: bool) -> bool:
        first, last = read.first, read.last
        for k, gap in (
            (first - 1, self.gap(first - 1, first)),
            (last + 1, self.gap(last, last + 1)),
        ):
            if gap == 0 and (self.kind(k) == "latin" or self.punct(k, _SLASH_COLON)):
                return True  # "F16", "24/7", "10:30"
            if gap <= 1 and self.punct(k, _PERCENT):
                return True
        if self.punct(first - 1, _DASHES) and self.gap(first - 1, first) == 0:
            maker = first - 2
            if self.kind(maker) == "latin" or (
                self.kind(maker) == "word" and self.gap(maker, first - 1) == 0
            ):
                return True  # "S-400", "سي-130"
        if self.lex(before, _LABEL_CUES):
            return True
        return not qualified and first == last and self.looks_like_year(first, before, after)

    def year_like(self, i: int) -> bool:
        text = self.toks[i].text
        return self.kind(i) == "num" and len(text) == 4 and 1900 <= int(text) <= 2100

    def looks_like_year(self, i: int, before: int, after: int) -> bool:
        """A 1900-2100 number after a year cue, before "م", or with no noun after it.

        A number alone (a phrase given to `parse_count`) has no context and
        stays a count.
        """
        if not self.year_like(i):
            return False
        if self.lex(before, _YEAR_CUES, article=False) or self.bare(after, _YEAR_SUFFIXES):
            return True
        # A counted noun after a number is indefinite; "2012 الذي" is a year.
        follower = self.word(after)
        return before >= 0 and (follower is None or follower.startswith(_ARTICLE))

    # phrases

    def suffix(self, j: int) -> tuple[str, int] | None:
        """A qualifier after a number, past at most two words of counted noun."""
        for skip in range(3):
            if skip and (self.kind(j + skip - 1) != "word" or self.starts_number(j + skip - 1)):
                return None
            for kind, seqs in _SUFFIXES.items():
                for seq in seqs:
                    if self.seq(j + skip, seq) == 0:
                        return kind, j + skip + len(seq) - 1
        return None

    def starts_number(self, i: int) -> bool:
        return (
            self.word(i) == _AND
            or self.number(i) is not None
            or self.lex(i, _DUALS) is not None
            or self.lex(i, _VAGUE) is not None
        )

    def change_before(self, i: int) -> bool:
        """Whether a verb of change ("ارتفع") opens the clause before token i."""
        for k in range(i - 1, max(i - 8, 0) - 1, -1):
            if self.kind(k) == "punct":
                return False
            if self.lex(k, _CHANGE_VERBS, article=False):
                return True
        return False

    def at_range(self, i: int) -> tuple[_Found | None, int] | None:
        for opener in _RANGE_OPENERS:
            clitic = self.seq(i, opener)
            if clitic is None:
                continue
            low = self.count(i + len(opener))
            if low is None:
                continue
            joiner = self.word(low.last + 1)
            if joiner in _RANGE_JOINERS:
                high = self.count(low.last + 2)
            else:  # "بين خمسة وعشرة": و written on the second number
                high = self.number(low.last + 1, conj=True)
            if opener == (_FROM,) and (
                joiner not in _RANGE_JOINERS or joiner == _AND or self.change_before(i)
            ):
                continue  # "من 11 إلى 14" after "ارتفع" is an update, not a range
            if high is None or not low.value < high.value:
                continue
            if self.years(low, high) or self.is_trap(low, True) or self.is_trap(high, True):
                return None, high.last
            found = _Found(i, high.last, clitic, "range", int(low.value), int(high.value))
            return found, high.last
        return None

    def at_prefix(self, i: int) -> tuple[_Found | None, int] | None:
        first = self.lex(i, _PREFIXES, article=False, min_len=1)
        for kind, seq in _PREFIXES[first.base] if first else ():
            clitic = self.seq(i, seq)
            if clitic is None:
                continue
            read = self.count(i + len(seq))
            if read is None:
                continue
            if self.is_trap(read, True):
                return None, read.last
            n = int(read.value)
            if kind == "less_than" and n < 2:
                return None, read.last
            return _Found(i, read.last, clitic, kind, n), read.last
        return None

    def at_count(self, i: int) -> tuple[_Found | None, int] | None:
        read = self.count(i)
        if read is None:
            return None
        if self.is_trap(read, False):
            return None, read.last
        dashed = self.dash_range(read)
        if dashed:
            high, ok = dashed
            if not ok:
                return None, high.last
            found = _Found(i, high.last, read.clitic, "range", int(read.value), int(high.value))
            return found, high.last
        after = self.suffix(read.last + 1)
        if after:
            kind, last = after
            return _Found(i, last, read.clitic, kind, int(read.value)), last
        return _Found(i, read.last, read.clitic, "exact", int(read.value)), read.last

    def dash_range(self, low: _Read) -> tuple[_Read, bool] | None:
        """A digits range "5-10" starting at `low`: (its high end, whether it is a range)."""
        dash = low.last + 1
        if low.kind != "digits" or low.first != low.last or not self.punct(dash, _DASHES):
            return None
        high = self.count(dash + 1)
        if high is None or high.kind != "digits" or high.first != high.last:
            return None
        if self.gap(low.last, dash + 1) > 3:
            return None
        ok = low.value < high.value and not self.years(low, high) and not self.is_trap(high, True)
        return high, ok

    def years(self, low: _Read, high: _Read) -> bool:
        """Whether a pair of numbers is a span of years ("2011-2018", "بين 2011 و2018")."""
        return low.kind == high.kind == "digits" and (
            self.year_like(low.first) or self.year_like(high.first)
        )

    def at_vague(self, i: int) -> tuple[_Found | None, int] | None:
        hit = self.lex(i, _VAGUE)
        if hit is None:
            return None
        base, last = hit.value, i
        scale = self.lex(i + 1, _VAGUE_SCALES)
        if scale and scale.clitic == 0:
            base, last = base * scale.value, i + 1
        if self.measured(last + 1):
            return None, last
        return _Found(i, last, hit.clitic, "vague", base, base * 10 - 1), last

    def at_unknown(self, i: int) -> tuple[_Found | None, int] | None:
        for seq in _UNKNOWN_CUES:
            clitic = self.seq(i, seq)
            if clitic is None:
                continue
            last = i + len(seq) - 1
            if self.lex(last + 1, _VAGUE | _SCALES):
                last += 1  # "بضعة آلاف"
            return _Found(i, last, clitic, "unknown"), last
        return None

    def skip_ordinal(self, i: int) -> int | None:
        """The last token of an ordinal at i ("الحادي عشر", "الخامس والعشرين")."""
        if not self.lex(i, _ORDINALS):
            return None
        if self.bare(i + 1, _TEEN_TEN):
            return i + 1
        j, c = self.conj(i + 1)
        return j if self.lex(j, _TENS, c) else i

    def skip(self, i: int) -> int | None:
        """The last token of something at i that is never a count: a date, a time,
        a measure word ("بالمئة", "في المئة"), an ordinal ("الحادي عشر")."""
        if self.kind(i) in ("date", "time"):
            return i
        phrase = next((p for p in _MEASURE_PHRASES if self.seq(i, p) is not None), None)
        if phrase:
            return i + len(phrase) - 1
        if self.lex(i, _MEASURES):
            return i
        return self.skip_ordinal(i)

    def run(self) -> None:
        i = 0
        while i < len(self.toks):
            skipped = self.skip(i)
            if skipped is not None:
                i = skipped + 1
                continue
            for step in (
                self.at_unknown,
                self.at_range,
                self.at_prefix,
                self.at_count,
                self.at_vague,
            ):
                result = step(i)
                if result is not None:
                    found, last = result
                    if found:
                        self.found.append(found)
                    i = last + 1
                    break
            else:
                if self.lex(i, _ONE_OF, article=False):
                    self.saw_one_of = True
                i += 1

    # output

    def raw_span(self, first: int, last: int, clitic: int) -> tuple[int, int]:
        return self.shadow.to_raw(self.toks[first].start + clitic, self.toks[last].end)

    def parsed(self, found: _Found, text: str) -> ParsedCount:
        if found.qualifier in ("vague", "unknown"):
            # Vague and unknown phrases carry no qualifier words: the phrase is the term.
            start, end = self.raw_span(found.first, found.last, found.clitic)
            term = text[start:end]
            if found.qualifier == "unknown":
                return ParsedCount(None, None, None, Qualifier.UNKNOWN, term)
            return ParsedCount(found.value, found.value, found.high, Qualifier.VAGUE, term)
        if found.qualifier == "range":
            return ParsedCount(None, found.value, found.high, Qualifier.RANGE, None)
        qualifier, bounds = _BOUNDS[found.qualifier]
        best, low, high = bounds(found.value)
        return ParsedCount(best, low, high, qualifier, None)


def _read(text: str) -> tuple[_Reader, list[CountMention]]:
    reader = _Reader(normalize_for_match(text))
    reader.run()
    mentions = []
    for found in reader.found:
        start, end = reader.raw_span(found.first, found.last, found.clitic)
        mentions.append(CountMention(start, end, reader.parsed(found, text)))
    return reader, mentions


def find_counts(text: str) -> list[CountMention]:
    """Every count phrase in an article, in order, with exact raw spans.

    Phrases of unknown size ("عدد من", "العديد", "بعض") are included with
    qualifier `unknown`; callers that want only numbers filter on it. Traps
    (years, dates, times, measures, labels, ordinals, weekdays) are skipped.
    """
    return _read(text)[1]


def parse_count(phrase: str) -> ParsedCount | None:
    """Read one count phrase; None when it holds no count at all.

    The first count in the phrase wins ("أربعة قتلى وأربعة جرحى" reads 4).
    A phrase with no number but an unknown-quantity word ("عدد من") or only
    plural outcome nouns ("قتلى وجرحى") reads as `unknown`; "one of" phrases
    ("أحد عناصر", "أحد القتلى") and traps read as None. A bare number is read
    as a count even when it could be a year: the phrase gives no context.
    """
    reader, mentions = _read(phrase)
    if mentions:
        return mentions[0].parsed
    if reader.saw_one_of:
        return None
    if any(reader.lex(i, _OUTCOME_NOUNS) for i in range(len(reader.toks))):
        return ParsedCount(None, None, None, Qualifier.UNKNOWN, None)
    return None
