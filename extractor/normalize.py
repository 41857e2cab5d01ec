"""Arabic normalisation for matching only, with a map back to the raw text.

Stored text is never normalised: offsets must index the article exactly as it
was received. A model's quote, though, often differs from the article in
things a reader does not see (diacritics, tatweel, bidi marks, hamza spelling,
the digit script, spacing). To find it anyway, the article is folded into a
*shadow* string in which those differences vanish, and every shadow character
remembers the raw characters it came from, so a span found in the shadow is
turned back into a span of the article itself.
"""

import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# The one table of what matching ignores or unifies: (characters, replacement).
# Code-point ranges are written inclusive. An empty replacement drops the
# character. Everything else is first unfolded by NFKC (presentation forms,
# ligatures), then digits of every script become ASCII and white space of
# every kind becomes one plain space; see _fold.
_RANGES: tuple[tuple[tuple[int, int], str], ...] = (
    ((0x064B, 0x065F), ""),  # harakat: tanwin, short vowels, shadda, sukun, small marks
    ((0x0670, 0x0670), ""),  # superscript alef
    ((0x0610, 0x061A), ""),  # Quranic honorific and small high marks
    ((0x06D6, 0x06DC), ""),  # Quranic small high ligatures and marks
    ((0x06DF, 0x06E4), ""),  # Quranic small high rounded zero ... small high madda
    ((0x06E7, 0x06E8), ""),  # Quranic small high yeh, noon
    ((0x06EA, 0x06ED), ""),  # Quranic empty centre stops, small low meem
    ((0xFE70, 0xFE7F), ""),  # isolated / medial forms of the harakat
    ((0x0640, 0x0640), ""),  # tatweel
    ((0x200B, 0x200F), ""),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    ((0x202A, 0x202E), ""),  # bidi embeddings and overrides
    ((0x2066, 0x2069), ""),  # bidi isolates
    ((0x061C, 0x061C), ""),  # Arabic letter mark
    ((0xFEFF, 0xFEFF), ""),  # byte order mark / zero-width no-break space
)
_LETTERS: tuple[tuple[str, str], ...] = (
    ("أإآٱٲٳ", "ا"),  # alef with hamza, madda or wasla
    ("ؤ", "و"),  # waw with hamza
    ("ئىی", "ي"),  # yeh with hamza, alef maksura, Farsi yeh
    ("ة", "ه"),  # teh marbuta
    ("ک", "ك"),  # keheh (Persian kaf)
)

_TABLE: dict[str, str] = {
    chr(cp): repl for (lo, hi), repl in _RANGES for cp in range(lo, hi + 1)
} | {ch: repl for chars, repl in _LETTERS for ch in chars}

# Marks that sit on the letter before them: a span that ends on that letter
# keeps them, so a highlighted word never loses its last vowel sign.
_ATTACHED = frozenset(ch for ch in _TABLE if unicodedata.category(ch) == "Mn")


def _fold(ch: str) -> str:
    """Return what one raw character becomes in the shadow ("" when dropped)."""
    if ch in _TABLE:
        return _TABLE[ch]
    if ch.isspace():
        return " "
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c.isspace():
            out.append(" ")
        elif unicodedata.category(c) == "Nd":
            out.append(str(unicodedata.decimal(c)))
        else:
            out.append(_TABLE.get(c, c))
    folded = "".join(out)
    # NFKC spells some mark forms as a space plus the mark: nothing is left.
    return folded if folded.strip() else ""


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first sight of each code point."""

    def __missing__(self, cp: int) -> str:
        folded = self[cp] = _fold(chr(cp))
        return folded


_FOLDS = _FoldTable()


@dataclass(frozen=True, slots=True)
class Shadow:
    """A raw text folded for matching, with the raw span of every character.

    `starts[i]`/`ends[i]` bound the raw characters shadow character `i` came
    from; `ends` also covers vowel marks attached to that character.
    """

    text: str
    starts: array
    ends: array

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty shadow span to the raw span that produced it.

        Characters dropped inside the span stay inside; dropped characters
        before the first or after the last kept one stay outside (except
        vowel marks on the last letter).
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"not a non-empty span of the shadow: {start}..{end}")
        return self.starts[start], self.ends[end - 1]

    def from_raw(self, pos: int) -> int:
        """The first shadow index whose raw characters start at or after `pos`."""
        return bisect_right(self.starts, pos - 1)


def _shadow(text: str) -> Shadow:
    out: list[str] = []
    starts = array("l")
    ends = array("l")
    for i, ch in enumerate(text):
        folded = _FOLDS[ord(ch)]
        if not folded:
            if ch in _ATTACHED and ends and ends[-1] == i:
                ends[-1] = i + 1
            continue
        if folded == " " and out and out[-1] == " ":
            ends[-1] = i + 1
            continue
        for c in folded:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return Shadow("".join(out), starts, ends)


@lru_cache(maxsize=64)
def normalize_for_match(text: str) -> Shadow:
    """The shadow of a text, cached: an article is grounded against many quotes."""
    return _shadow(text)


def normalize_quote(s: str) -> str:
    """Fold a short string (a quote) exactly as normalize_for_match folds text,
    without an offset map and without leading or trailing space."""
    return " ".join(s.translate(_FOLDS).split())
