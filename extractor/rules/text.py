"""One article as the rules see it: the matching shadow, its words, sentences
and clauses, and the way back to exact raw spans for citations.

All positions inside the rules are shadow offsets (or word indices); only
`cite` turns them into raw offsets, so every citation holds
`text[start:end] == quote` by construction.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from extractor.normalize import Shadow, normalize_for_match
from extractor.rules.lexicon import Lexicon
from extractor.rules.phrases import Hit, PhraseBank, Words, words_of
from schemas.codebook import MatchKind
from schemas.records import Citation

Span = tuple[int, int]

# A full stop is a sentence end unless it sits between digits (7.7 مليون).
_SENTENCE_END = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?؟\n]")
_CLAUSE_END = re.compile(r"[،,؛;:]|\s-\s|\s–\s")
_TRIM = " \t\n\r.,،؛;:!?؟\"'«»“”()-–"


@dataclass
class Article:
    """An article analysed once, shared by the figure and event rules."""

    text: str
    lexicon: Lexicon
    _hits: dict[int, list[Hit]] = field(default_factory=dict)

    @cached_property
    def shadow(self) -> Shadow:
        return normalize_for_match(self.text)

    @cached_property
    def words(self) -> Words:
        return words_of(self.shadow.text)

    @cached_property
    def _word_starts(self) -> list[int]:
        return [t.start for t in self.words.tokens]

    def hits(self, bank: PhraseBank) -> list[Hit]:
        """A bank's matches in this article, computed once."""
        found = self._hits.get(id(bank))
        if found is None:
            found = self._hits[id(bank)] = bank.find(self.words)
        return found

    # --- words -------------------------------------------------------------------

    def word_at(self, pos: int) -> int:
        """Index of the word that contains shadow offset `pos`, else of the next word."""
        i = bisect_right(self._word_starts, pos) - 1
        return i if i >= 0 and self.words.tokens[i].end > pos else i + 1

    def word_span(self, span: Span) -> tuple[int, int]:
        """First and last word index inside a shadow span."""
        first = self.word_at(span[0])
        last = max(first, bisect_left(self._word_starts, span[1]) - 1)
        return first, last

    def word_text(self, i: int) -> str | None:
        tokens = self.words.tokens
        return tokens[i].text if 0 <= i < len(tokens) else None

    # --- sentences and clauses ---------------------------------------------------

    @cached_property
    def _sentence_breaks(self) -> list[int]:
        return sorted(
            {0, len(self.shadow.text)} | {m.end() for m in _SENTENCE_END.finditer(self.shadow.text)}
        )

    @cached_property
    def _clause_breaks(self) -> list[int]:
        marks = {m.end() for m in _CLAUSE_END.finditer(self.shadow.text)}
        words = {h.start for h in self.hits(self.lexicon.clause_words)}
        return sorted(set(self._sentence_breaks) | marks | words)

    @staticmethod
    def _around(breaks: list[int], pos: int) -> Span:
        i = bisect_right(breaks, pos)
        return breaks[i - 1], breaks[min(i, len(breaks) - 1)]

    def sentence(self, pos: int) -> Span:
        return self._around(self._sentence_breaks, pos)

    def clause(self, pos: int) -> Span:
        return self._around(self._clause_breaks, pos)

    def context(self, pos: int, reach: int = 1) -> Span:
        """The clause at `pos` with `reach` clauses on either side, within its
        sentence: what a trigger's place and sides are sought in. News that
        strings a paragraph together with commas makes a sentence too long to
        tell one event's words from another's."""
        breaks = self._clause_breaks
        i = bisect_right(breaks, pos)
        start, end = breaks[max(i - 1 - reach, 0)], breaks[min(i + reach, len(breaks) - 1)]
        sentence = self.sentence(pos)
        return max(start, sentence[0]), min(end, sentence[1])

    def paragraph_start(self, pos: int) -> int:
        return self.shadow.text.rfind("\n", 0, pos) + 1

    # --- citations ------------------------------------------------------------------

    def trimmed(self, span: Span) -> Span:
        """A shadow span without the spaces and punctuation at its edges."""
        start, end = span
        text = self.shadow.text
        while start < end and text[start] in _TRIM:
            start += 1
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        return start, end

    def cite(self, span: Span | None) -> Citation:
        """The exact raw citation of a shadow span (an empty Citation for None)."""
        if span is None or span[0] >= span[1]:
            return Citation()
        start, end = self.shadow.to_raw(*span)
        quote = self.text[start:end]
        return Citation(
            quote=quote, source=quote, start=start, end=end, match=MatchKind.EXACT, score=1.0
        )

    def to_shadow(self, raw: Span) -> Span:
        return self.shadow.from_raw(raw[0]), self.shadow.from_raw(raw[1])
