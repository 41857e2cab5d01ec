"""Finding lexicon phrases in an article's matching shadow.

Lexicon entries are written in ordinary spelling; they are folded with the
same normaliser as the text, so hamza, ى/ي, ة/ه, diacritics and digit scripts
never need listing twice. An entry matches at a word start, after optional
proclitics (و ف, then ب ك ل), which a domain expert should not have to spell
out. For cue words the article ال is optional too; for names (places) it
must be as written, since السوسة and سوسة are different places. Two marks
make an entry stricter or looser:

- a `*` at the end of a word lets it take suffixes ("قتل*" finds قتلوا،
  قتلهم، قتلت);
- a leading `=` forbids the article and the prepositions ب ك ل (only و ف may
  stand before it), for words that mean something else with them ("=سلم"
  "handed over" is not "السلم" "peace").

Matching is a dictionary lookup per word of the text (each word read with
and without its clitics), so a bank of thousands of phrases costs about as
much as a bank of ten. Matches are in shadow offsets; `Hit.start` is where
the word itself begins (the article included, و ف ب ك ل left outside, the
convention of the grounding module), so `Shadow.to_raw` gives the span to cite.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractor.normalize import normalize_quote

_ARTICLE = "ال"
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_MAX_GAP = 3  # characters allowed between the words of a phrase ("قوات «قسد»")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a word: `clitic` letters of و ف ب ك ل set aside, then
    `core`; `article` is how many letters of ال were set aside after them."""

    clitic: int
    core: str
    article: int
    preposition: bool


def _readings(word: str) -> list[_Reading]:
    out = []
    for conj in ("", "و", "ف"):
        for prep in ("", "ب", "ك", "ل"):
            prefix = conj + prep
            if not word.startswith(prefix) or len(word) - len(prefix) < 2:
                continue
            core = word[len(prefix) :]
            out.append(_Reading(len(prefix), core, 0, bool(prep)))
            if core.startswith(_ARTICLE) and len(core) > 3:
                out.append(_Reading(len(prefix), core[2:], 2, bool(prep)))
            elif prep == "ل" and core.startswith("ل") and len(core) > 2:
                out.append(_Reading(len(prefix), core[1:], 1, True))  # لل = ل + ال
    return out


class Words:
    """A shadow text cut into words, each with its readings; built once per text."""

    def __init__(self, shadow: str) -> None:
        self.text = shadow
        self.tokens = [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(shadow)]
        self.readings = [_readings(t.text) for t in self.tokens]
        self._joined = [False] + [
            b.start - a.end <= _MAX_GAP for a, b in zip(self.tokens, self.tokens[1:], strict=False)
        ]

    def joined(self, i: int) -> bool:
        """Whether token i follows token i-1 closely enough to continue a phrase."""
        return 0 < i < len(self.tokens) and self._joined[i]


@lru_cache(maxsize=8)
def words_of(shadow: str) -> Words:
    return Words(shadow)


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    entry: str  # the entry as written in the lexicon
    payload: Any
    first: int  # token indices covered, inclusive
    last: int


@dataclass(frozen=True, slots=True)
class _Entry:
    written: str
    payload: Any
    words: tuple[str, ...]  # folded; the first without its article when optional
    stars: tuple[bool, ...]
    strict: bool
    article: bool  # the first word carries ال as written (names)


def _entry(written: str, payload: Any, article_optional: bool) -> _Entry:
    strict = written.startswith("=")
    raw_words = written.removeprefix("=").split()
    stars = tuple(w.endswith("*") for w in raw_words)
    words = [normalize_quote(w.removesuffix("*")) for w in raw_words]
    article = words[0].startswith(_ARTICLE) and len(words[0]) > 3
    if article:
        words[0] = words[0][len(_ARTICLE) :]
    return _Entry(written, payload, tuple(words), stars, strict, article and not article_optional)


def _word_matches(word: str, text: str, star: bool) -> bool:
    return text.startswith(word) if star else text == word


class PhraseBank:
    """A set of phrases, each with a payload."""

    def __init__(self, entries: Iterable[tuple[str, Any]], article_optional: bool = True) -> None:
        """With `article_optional` (cue words), ال may be added or dropped; without
        it (names), an entry matches only with or without ال as written."""
        self._optional = article_optional
        self._exact: dict[str, list[_Entry]] = {}
        self._pairs: dict[tuple[str, str], list[_Entry]] = {}  # by first two words
        self._star: dict[str, list[_Entry]] = {}
        for written, payload in entries:
            entry = _entry(written, payload, article_optional)
            if entry.stars[0]:
                self._star.setdefault(entry.words[0], []).append(entry)
            elif len(entry.words) > 1 and not entry.stars[1]:
                self._pairs.setdefault(entry.words[:2], []).append(entry)
            else:
                self._exact.setdefault(entry.words[0], []).append(entry)
        self._star_lengths = sorted({len(k) for k in self._star}, reverse=True)
        # Every first word an entry can start with, to skip the other words at once.
        self._firsts = set(self._exact) | {w for w, _ in self._pairs}

    def _fits(self, entry: _Entry, reading: _Reading) -> bool:
        if entry.strict:
            return not reading.preposition and reading.article == 0
        return self._optional or (reading.article > 0) == entry.article

    def _candidates(self, core: str, after: str | None) -> list[_Entry]:
        found = list(self._exact.get(core, ()))
        if after is not None and self._pairs:
            found += self._pairs.get((core, after), ())
        for n in self._star_lengths:
            if n <= len(core):
                found += self._star.get(core[:n], ())
        return found

    def _extent(self, words: Words, i: int, entry: _Entry) -> int | None:
        """The last token of `entry` matched from token i (its first word already fits)."""
        last = i
        for word, star in zip(entry.words[1:], entry.stars[1:], strict=True):
            last += 1
            if not words.joined(last) or not _word_matches(word, words.tokens[last].text, star):
                return None
        return last

    def find(self, words: Words) -> list[Hit]:
        """Non-overlapping matches, left to right; at one place the longest entry wins."""
        hits: list[Hit] = []
        i = 0
        while i < len(words.tokens):
            best: tuple[int, int, _Entry, _Reading] | None = None
            after = words.tokens[i + 1].text if words.joined(i + 1) else None
            for reading in words.readings[i]:
                if reading.core not in self._firsts and not self._star_lengths:
                    continue
                for entry in self._candidates(reading.core, after):
                    if not self._fits(entry, reading):
                        continue
                    last = self._extent(words, i, entry)
                    if last is None:
                        continue
                    size = sum(len(w) for w in entry.words)
                    if best is None or (last, size) > (best[0], best[1]):
                        best = (last, size, entry, reading)
            if best is None:
                i += 1
                continue
            last, _, entry, reading = best
            start = words.tokens[i].start + reading.clitic
            hits.append(Hit(start, words.tokens[last].end, entry.written, entry.payload, i, last))
            i = last + 1
        return hits
