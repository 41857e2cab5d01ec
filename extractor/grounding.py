"""Find where a model's quote stands in an article.

A value is only citable if its quote is tied to offsets of the stored text, so
grounding never returns the model's string: it returns the article's own
substring, `text[start:end]`, and says how it was found (exact, after Arabic
matching normalisation, or by approximate alignment). Spans follow the gold
convention: a proclitic particle (و ف ب ك ل) written onto the word may stay
outside the span, the definite article ال never does.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractor.normalize import normalize_for_match, normalize_quote
from schemas.codebook import MatchKind

Span = tuple[int, int]

DEFAULT_FUZZY_THRESHOLD = 85.0

# Proclitics in their folded spelling: a conjunction, then a preposition
# and/or the article (ل + ال is written لل).
_PROCLITICS = re.compile("[وف]?(?:[بك]?ال|لل|[بكل])?")
_ANY_PROCLITICS = "[وف]??(?:[بك]?ال|لل|[بكل])??"  # lazy: the longest stem wins
_ARTICLE_PREFIX = re.compile("[وف]?[بك]?ال")


@dataclass(frozen=True, slots=True)
class Grounding:
    """Where a quote was found: `text[start:end] == quote` whenever found."""

    quote: str | None
    start: int | None
    end: int | None
    match: MatchKind
    score: float


NOT_FOUND = Grounding(None, None, None, MatchKind.NONE, 0.0)


def ground(
    text: str,
    quote: str,
    within: Span | None = None,
    near: int | None = None,
    *,
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD,
) -> Grounding:
    """Ground `quote` in `text`: exactly, else after normalisation, else fuzzily.

    When the quote occurs several times, the occurrence inside `within` (the
    record's evidence span, raw offsets) wins, then the one nearest to `near`
    (a raw offset of the record's other values), then the first. A value
    belongs to its evidence, so a normalised match inside `within` beats an
    exact one elsewhere. `fuzzy_threshold` is the lowest rapidfuzz score
    (0-100) a fuzzy match needs.
    """
    stripped = quote.strip()
    if not stripped:
        return NOT_FOUND
    seen = []
    for kind, spans in _candidates(text, stripped):
        inside = _inside(spans, within)
        if inside or (within is None and spans):
            return _found(text, _pick(inside or spans, near), kind)
        seen.append((kind, spans))
    for kind, spans in seen:  # nothing inside `within`: anywhere will do
        if spans:
            return _found(text, _pick(spans, near), kind)
    fuzzy = _fuzzy(text, stripped, within, fuzzy_threshold)
    if fuzzy is None:
        return NOT_FOUND
    (start, end), score = fuzzy
    return Grounding(text[start:end], start, end, MatchKind.FUZZY, score / 100)


def _candidates(text: str, quote: str) -> Iterator[tuple[MatchKind, list[Span]]]:
    """Raw spans of the quote, best kind of match first, produced lazily.

    After the exact and the plain normalised occurrences come those of a
    quote that adds or drops proclitics (و ف ب ك ل ال) at a word start. First,
    and fast, at its first word: the word is cut after each proclitic chain it
    may start with (و, وب, وبال, ...), shortest first, and the rest is looked
    for where a word starts, possibly behind proclitics of its own. Last, at
    every word, with a pattern built for the quote.
    """
    yield MatchKind.EXACT, list(_find_all(text, quote))
    folded = normalize_quote(quote)
    if not folded:
        return
    shadow = normalize_for_match(text)
    yield MatchKind.NORMALIZED, [shadow.to_raw(*s) for s in _find_all(shadow.text, folded)]
    first = folded.split(" ", 1)[0]
    for cut in range(1, len(first)):
        rest = first[cut:]
        if not _PROCLITICS.fullmatch(first, 0, cut) or (len(rest) < 2 and not rest.isdigit()):
            continue
        yield (
            MatchKind.NORMALIZED,
            [
                shadow.to_raw(a, b)
                for a, b in _find_all(shadow.text, folded[cut:])
                if rest[0].isdigit()
                or _PROCLITICS.fullmatch(shadow.text, _word_start(shadow.text, a), a)
            ],
        )
    words = [_stems(word) for word in folded.split(" ")]
    pattern = f"(?<!\\w){_ANY_PROCLITICS}(?P<first>{words[0]})" + "".join(
        f" {_ANY_PROCLITICS}{stems}" for stems in words[1:]
    )
    yield (
        MatchKind.NORMALIZED,
        [shadow.to_raw(m.start("first"), m.end()) for m in re.finditer(pattern, shadow.text)],
    )


def _stems(word: str) -> str:
    """A pattern for the word and for what is left of it after each proclitic
    chain it may start with (at least two characters), longest first."""
    cuts = [word] + [
        word[cut:] for cut in range(1, len(word) - 1) if _PROCLITICS.fullmatch(word, 0, cut)
    ]
    return "(?:" + "|".join(map(re.escape, cuts)) + ")"


def _found(text: str, span: Span, kind: MatchKind) -> Grounding:
    """The grounding of an exact or normalised match, with an in-word article
    the quote left out brought back into the span (no longer exact, then)."""
    start = _with_article(text, span[0])
    if start != span[0]:
        kind = MatchKind.NORMALIZED
    return Grounding(text[start : span[1]], start, span[1], kind, 1.0)


def _find_all(haystack: str, needle: str) -> Iterator[Span]:
    at = haystack.find(needle)
    while at >= 0:
        yield at, at + len(needle)
        at = haystack.find(needle, at + 1)


def _inside(spans: list[Span], within: Span | None) -> list[Span]:
    if within is None:
        return []
    return [s for s in spans if within[0] <= s[0] and s[1] <= within[1]]


def _pick(spans: list[Span], near: int | None) -> Span:
    """The occurrence nearest to `near`, else the first (spans are in text order)."""
    if near is None:
        return spans[0]
    return min(spans, key=lambda s: max(s[0] - near, near - s[1], 0))


def _word_start(folded: str, at: int) -> int:
    """Where the letters before `at` begin (digits and punctuation end a word)."""
    while at > 0 and folded[at - 1].isalpha():
        at -= 1
    return at


def _with_article(text: str, start: int) -> int:
    """Move a span that starts right after an in-word article ال (as in the
    ال of بالمدينة) back to include it; leave any other start alone."""
    if start == 0 or text[start - 1].isspace():
        return start
    shadow = normalize_for_match(text)
    at = shadow.from_raw(start)
    word = _word_start(shadow.text, at)
    if at - word < 2 or not _ARTICLE_PREFIX.fullmatch(shadow.text, word, at):
        return start
    return shadow.starts[at - 2]


def _fuzzy(
    text: str, quote: str, within: Span | None, threshold: float
) -> tuple[Span, float] | None:
    """Best approximate alignment of the normalised quote, inside `within`
    first, then anywhere; the span is trimmed of white space at its ends."""
    folded = normalize_quote(quote)
    shadow = normalize_for_match(text)
    windows = [(0, len(shadow.text))]
    if within is not None:
        windows.insert(0, (shadow.from_raw(within[0]), shadow.from_raw(within[1])))
    for lo, hi in windows:
        window = shadow.text[lo:hi]
        if not folded or not window:
            continue
        hit = fuzz.partial_ratio_alignment(folded, window, score_cutoff=threshold)
        if hit is None:
            continue
        start, end = hit.dest_start, hit.dest_end
        while start < end and window[start] == " ":
            start += 1
        while end > start and window[end - 1] == " ":
            end -= 1
        if end > start:
            return shadow.to_raw(lo + start, lo + end), hit.score
    return None
