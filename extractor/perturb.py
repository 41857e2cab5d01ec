"""Realistic variants of quotes, for measuring grounding on gold annotations.

A model asked to quote an Arabic article verbatim still drifts in ways a
reader barely sees: it adds or drops a clitic, writes the other digit script,
adds vowel signs, drops or adds hamza, confuses ى/ي and ة/ه, carries
invisible bidi marks, or spaces differently. Each perturbation below makes
one such drift, deterministically, and returns the quote unchanged when the
drift cannot apply (callers skip those). The grounding tests and the
grounding benchmark both read gold quotes and score results through this
module, so they measure the same thing.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extractor.grounding import Span

_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_HARAKAT = "\u064e\u064f\u0650\u0652\u064b"  # fatha, damma, kasra, sukun, fathatan
_NON_JOINING = set("ءآأؤإاةدذرزو")  # letters that never join the next one
_WESTERN, _EASTERN = "0123456789", "٠١٢٣٤٥٦٧٨٩"


def _words(quote: str, change: Callable[[str], str]) -> str:
    return " ".join(change(w) for w in quote.split(" "))


def verbatim(quote: str) -> str:
    return quote


def clitic_added(quote: str) -> str:
    """The conjunction و written onto the first word."""
    return "و" + quote


def clitic_removed(quote: str) -> str:
    """A leading ال or و dropped from the first word (when a word remains)."""
    first = quote.split(" ")[0]
    for prefix in ("ال", "و"):
        if first.startswith(prefix) and len(first) - len(prefix) >= 2:
            return quote[len(prefix) :]
    return quote


def digits_swapped(quote: str) -> str:
    """Western digits written Arabic-Indic and the other way round."""
    return quote.translate(str.maketrans(_WESTERN + _EASTERN, _EASTERN + _WESTERN))


def diacritics_added(quote: str) -> str:
    """A vowel sign after every Arabic letter, cycling through the common ones."""
    out, n = [], 0
    for ch in quote:
        out.append(ch)
        if _ARABIC_LETTER.match(ch):
            out.append(_HARAKAT[n % len(_HARAKAT)])
            n += 1
    return "".join(out)


def tatweel_inserted(quote: str) -> str:
    """A tatweel after the first letter of every word long enough to stretch."""

    def stretch(word: str) -> str:
        if len(word) >= 3 and _ARABIC_LETTER.match(word[0]) and word[0] not in _NON_JOINING:
            return word[0] + "\u0640" + word[1:]
        return word

    return _words(quote, stretch)


def alef_hamza_swapped(quote: str) -> str:
    """Hamza and madda dropped from alef, and added to a bare word-initial alef."""

    def swap(word: str) -> str:
        word = word.translate(str.maketrans("أإآ", "ااا"))
        if word.startswith("ا") and not word.startswith("ال"):
            return "أ" + word[1:]
        return word

    return _words(quote, swap)


def ya_swapped(quote: str) -> str:
    """Alef maksura written as yeh, and a word-final yeh as alef maksura."""
    return _words(quote, lambda w: w.replace("ى", "ي") if "ى" in w else re.sub("ي$", "ى", w))


def ta_marbuta_swapped(quote: str) -> str:
    """Teh marbuta written as heh, and a word-final heh as teh marbuta."""
    return _words(quote, lambda w: w.replace("ة", "ه") if "ة" in w else re.sub("ه$", "ة", w))


def invisible_marks_inserted(quote: str) -> str:
    """A right-to-left mark in front, a zero-width non-joiner inside each
    longer word, and digits wrapped in a left-to-right isolate."""

    def mark(word: str) -> str:
        word = re.sub("[0-9٠-٩]+", lambda m: f"\u2066{m.group()}\u2069", word)
        return word[:2] + "\u200c" + word[2:] if len(word) >= 4 else word

    return "\u200f" + _words(quote, mark)


def spacing_changed(quote: str) -> str:
    """Spaces doubled or made non-breaking, alternately."""
    parts = quote.split(" ")
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += ("  " if i % 2 == 0 else "\u00a0") + part
    return out


PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "verbatim": verbatim,
    "clitic added": clitic_added,
    "clitic removed": clitic_removed,
    "digits swapped": digits_swapped,
    "diacritics added": diacritics_added,
    "tatweel inserted": tatweel_inserted,
    "alef/hamza swapped": alef_hamza_swapped,
    "ى/ي swapped": ya_swapped,
    "ة/ه swapped": ta_marbuta_swapped,
    "bidi/zero-width marks": invisible_marks_inserted,
    "spaces doubled/NBSP": spacing_changed,
}


@dataclass(frozen=True)
class GoldQuote:
    """One quote of a gold record, with every span that counts as finding it.

    A quote that occurs several times is found by any identical occurrence
    inside the record's evidence (any in the text, for the evidence itself).
    """

    doc_id: str
    field: str
    text: str
    quote: str
    span: Span
    within: Span | None
    occurrences: tuple[Span, ...]


_QUOTE_FIELDS = (
    ("evidence", "evidence_span"),
    ("count_quote", "count_span"),
    ("trigger_quote", "trigger_span"),
    ("location_quote", "location_span"),
)


def load_gold_quotes(data_dir: Path) -> list[GoldQuote]:
    """Every quote of every figure and event in `data_dir`/dev/gold.jsonl."""
    dev = data_dir / "dev"
    with (dev / "texts.jsonl").open(encoding="utf-8") as f:
        texts = {doc["id"]: doc["text"] for doc in map(json.loads, f)}
    quotes = []
    with (dev / "gold.jsonl").open(encoding="utf-8") as f:
        for doc in map(json.loads, f):
            text = texts[doc["doc_id"]]
            for record in doc["figures"] + doc["events"]:
                evidence = tuple(record["evidence_span"])
                for field, span_field in _QUOTE_FIELDS:
                    quote = record.get(field)
                    if not quote:
                        continue
                    span = tuple(record[span_field])
                    within = None if field == "evidence" else evidence
                    lo, hi = within or (0, len(text))
                    same, at = [], text.find(quote, lo, hi)
                    while at >= 0:
                        same.append((at, at + len(quote)))
                        at = text.find(quote, at + 1, hi)
                    occurrences = tuple(dict.fromkeys([span, *same]))
                    quotes.append(
                        GoldQuote(doc["doc_id"], field, text, quote, span, within, occurrences)
                    )
    return quotes


def overlap(found: Span, true: Span) -> float:
    """|found ∩ true| / |true|: the share of the true span that was found."""
    return max(0, min(found[1], true[1]) - max(found[0], true[0])) / (true[1] - true[0])


def located(found: Span | None, gold: GoldQuote, at_least: float = 0.9) -> bool:
    """Whether `found` covers at least `at_least` of some occurrence of the gold quote."""
    return found is not None and any(overlap(found, o) >= at_least for o in gold.occurrences)
