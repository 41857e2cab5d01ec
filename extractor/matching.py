"""Pairing predicted records with gold records, one to one.

A predicted figure may agree with several gold figures (two tolls of 2 killed
in one article) and the other way round; scoring must not count one
prediction twice. Pairs are chosen by maximum bipartite matching, so the
number of matches is as large as the data allows, and among equal options
the better-agreeing pair is tried first.
"""

import re
from collections.abc import Sequence

from extractor.normalize import normalize_quote

# Words that name the kind of place, or the part of it where something
# happened, rather than the place: "بلدة ذيبان", "أطراف بلدة ذيبان" and
# "ذيبان" are the same town. Kept short on purpose: "ريف دير الزور" is not
# "دير الزور", "جنوب دمشق" is not "دمشق", and "سجن غويران" is not the
# "غويران" neighbourhood.
_PLACE_KIND_WORDS = frozenset(
    normalize_quote(w)
    for w in (
        "مدينة",
        "بلدة",
        "قرية",
        "ناحية",
        "منطقة",
        "محافظة",
        "حي",
        "مخيم",
        "أطراف",
        "محيط",
        "وسط",
        "داخل",
        "ضواحي",
        "مدينتي",
        "بلدتي",
        "قريتي",
        "العاصمة",
        "ولاية",
    )
)
_WORD = re.compile(r"\w+")


def place_key(name: str | None) -> str | None:
    """A place name folded for comparison (normalisation, punctuation and
    place-kind words dropped); None when nothing is left."""
    if not name:
        return None
    words = [w for w in _WORD.findall(normalize_quote(name)) if w not in _PLACE_KIND_WORDS]
    return " ".join(words) or None


def one_to_one(options: Sequence[Sequence[int]]) -> dict[int, int]:
    """Maximum matching of gold items to predicted items.

    `options[g]` lists the predicted indices gold item `g` may pair with, best
    first. Returns {gold index: predicted index}. Kuhn's augmenting paths:
    the sizes here (tens of records per article) make anything cleverer moot.
    """
    owner: dict[int, int] = {}

    def augment(gold: int, seen: set[int]) -> bool:
        for pred in options[gold]:
            if pred in seen:
                continue
            seen.add(pred)
            if pred not in owner or augment(owner[pred], seen):
                owner[pred] = gold
                return True
        return False

    for gold in range(len(options)):
        augment(gold, set())
    return {gold: pred for pred, gold in owner.items()}


def overlaps(a: Sequence[int] | None, b: Sequence[int] | None) -> bool:
    """Whether two half-open spans share at least one character."""
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]
