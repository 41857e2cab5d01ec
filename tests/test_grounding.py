"""ground(): each kind of match, the choice among occurrences, and the span invariant."""

import pytest

from extractor.grounding import NOT_FOUND, Grounding, ground
from schemas.codebook import MatchKind

TEXT = (
    "قالت مصادر محلية إنّ القواتِ الحكومية قصفت بلدة الباغوز صباح الأحد، "
    "وقُتل ٢١ مدنياً بينهم ٧ أطفال في مستشفى المدينة. "
    "وأعلن مسؤول في الصحة أنّ حصيلة القتلى بلغت 21 شخصاً."
)


def grounded(text: str, quote: str, **kwargs) -> Grounding:
    """ground(), checked for the invariant every caller relies on."""
    g = ground(text, quote, **kwargs)
    if g.match is MatchKind.NONE:
        assert g == NOT_FOUND
    else:
        assert g.start is not None and g.end is not None
        assert 0 <= g.start < g.end <= len(text)
        assert text[g.start : g.end] == g.quote
    return g


def test_exact() -> None:
    g = grounded(TEXT, "قصفت بلدة الباغوز")
    assert g.match is MatchKind.EXACT
    assert g.score == 1.0
    assert g.start == TEXT.index("قصفت بلدة الباغوز")
    assert g.quote == "قصفت بلدة الباغوز"


def test_white_space_around_a_quote_is_not_part_of_it() -> None:
    g = grounded(TEXT, "  قصفت بلدة الباغوز\n")
    assert g.match is MatchKind.EXACT
    assert g.quote == "قصفت بلدة الباغوز"


@pytest.mark.parametrize(
    ("quote", "source"),
    [
        ("وقتل 21 مدنيا", "وقُتل ٢١ مدنياً"),  # diacritics dropped, digits Western
        ("وقُتِلَ ٢١ مَدَنِيّاً", "وقُتل ٢١ مدنياً"),  # diacritics added
        ("مستشفي المدينه", "مستشفى المدينة"),  # ى/ي and ة/ه
        ("واعلن مسوول", "وأعلن مسؤول"),  # hamza forms
        ("قصـــفت بلدة", "قصفت بلدة"),  # tatweel
        ("\u200fقصفت\u200c بلدة\u200e", "قصفت بلدة"),  # bidi and zero-width marks
        ("قصفت\u00a0 بلدة", "قصفت بلدة"),  # NBSP and doubled space
        ("ﻗﺼﻔﺖ ﺑﻠﺪﺓ", "قصفت بلدة"),  # presentation forms
        ("بلغت ۲۱ شخصا", "بلغت 21 شخصاً"),  # Persian digits
    ],
)
def test_normalized(quote: str, source: str) -> None:
    g = grounded(TEXT, quote)
    assert g.match is MatchKind.NORMALIZED
    assert g.score == 1.0
    assert g.quote == source
    assert g.start == TEXT.index(source)


def test_normalized_span_keeps_the_last_vowel_sign_and_drops_outer_marks() -> None:
    text = "أكد \u200fالمرصدُ\u200f مقتلَ ثلاثة"
    g = grounded(text, "ألمرصد")
    assert g.match is MatchKind.NORMALIZED
    assert g.quote == "المرصدُ"
    g = grounded(text, "المرصد مقتل")
    assert g.quote == "المرصدُ\u200f مقتلَ"


@pytest.mark.parametrize(
    ("quote", "source"),
    [
        ("والقوات الحكومية", "القواتِ الحكومية"),  # conjunction the text lacks
        ("بالقوات الحكومية", "القواتِ الحكومية"),  # preposition the text lacks
        ("فبالقوات الحكومية", "القواتِ الحكومية"),  # a chain of them
        ("قوات الحكومية", "القواتِ الحكومية"),  # article the text has: brought back
        ("حصيلة قتلى", "حصيلة القتلى"),  # the same, inside the quote
        ("وأعلن مسؤول في صحة", "وأعلن مسؤول في الصحة"),  # the same, at its end
        ("الباغوز", "الباغوز"),  # no clitic at all: exact
    ],
)
def test_clitic_prefixes(quote: str, source: str) -> None:
    g = grounded(TEXT, quote, fuzzy_threshold=100)
    assert g.quote == source
    assert g.match is (MatchKind.EXACT if quote == source else MatchKind.NORMALIZED)


def test_a_preposition_for_a_separate_word_is_not_a_clitic() -> None:
    # the text says في الصحة; ب written onto the word is another wording
    assert grounded(TEXT, "مسؤول بالصحة", fuzzy_threshold=100) == NOT_FOUND


def test_a_particle_the_quote_drops_stays_outside_the_span() -> None:
    # gold convention: و ف ب ك ل may stay outside the span, the article may not
    g = grounded(TEXT, "أعلن مسؤول")
    assert g.match is MatchKind.EXACT
    assert TEXT[g.start - 1] == "و"
    g = grounded("قتل اثنان بالمدينة", "مدينة")
    assert (g.quote, g.match) == ("المدينة", MatchKind.NORMALIZED)


def test_a_clitic_cut_only_matches_at_a_word_start() -> None:
    # "وحرقة" minus و is "حرقة", not the "رقة" inside it
    assert grounded("وقعت حرقة في المخيم", "ورقة").match is not MatchKind.NORMALIZED


def test_a_number_with_a_clitic_matches_a_number_written_onto_a_word() -> None:
    g = grounded("وقالت المصادر إن التنظيم قتل45 مسلحا", "و45")
    assert (g.quote, g.match) == ("45", MatchKind.NORMALIZED)


def test_fuzzy() -> None:
    g = grounded(TEXT, "قصفت قرية الباغوز صباح الاحد")
    assert g.match is MatchKind.FUZZY
    assert 0.85 <= g.score < 1.0
    assert g.quote == "قصفت بلدة الباغوز صباح الأحد"


def test_fuzzy_threshold_is_configurable() -> None:
    quote = "قصفت قرية الباغوز صباح الاحد"
    assert grounded(TEXT, quote, fuzzy_threshold=99).match is MatchKind.NONE
    assert grounded(TEXT, quote, fuzzy_threshold=60).match is MatchKind.FUZZY


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", "اشتباكات عنيفة في درعا البلد"])
def test_none(quote: str) -> None:
    assert grounded(TEXT, quote) == Grounding(None, None, None, MatchKind.NONE, 0.0)


def test_quote_of_invisible_characters_only_is_none() -> None:
    assert grounded(TEXT, "\u200f\u0640") == NOT_FOUND


REPEATS = "قتل 3 مدنيين في حمص. ثم قتل 3 مدنيين في حماة. وقيل قتل ٣ مدنيين في إدلب."


def test_several_occurrences_first_by_default() -> None:
    assert grounded(REPEATS, "قتل 3 مدنيين").start == 0


def test_several_occurrences_inside_within() -> None:
    second = REPEATS.index("ثم")
    g = grounded(REPEATS, "قتل 3 مدنيين", within=(second, second + 25))
    assert (g.start, g.match) == (second + 3, MatchKind.EXACT)


def test_several_occurrences_nearest_to_near() -> None:
    g = grounded(REPEATS, "قتل 3 مدنيين", near=REPEATS.index("حماة"))
    assert g.start == REPEATS.index("ثم") + 3
    g = grounded(REPEATS, "مدنيين", near=len(REPEATS))
    assert g.start == REPEATS.rindex("مدنيين")


def test_within_beats_near() -> None:
    first = (0, REPEATS.index("."))
    g = grounded(REPEATS, "قتل 3 مدنيين", within=first, near=len(REPEATS))
    assert g.start == 0


def test_within_that_holds_no_occurrence_falls_back_to_the_text() -> None:
    g = grounded(REPEATS, "قتل 3 مدنيين", within=(0, 5))
    assert (g.start, g.match) == (0, MatchKind.EXACT)


def test_a_normalized_occurrence_inside_within_beats_an_exact_one_elsewhere() -> None:
    third = REPEATS.index("وقيل")
    g = grounded(REPEATS, "قتل 3 مدنيين", within=(third, len(REPEATS)))
    assert (g.quote, g.match) == ("قتل ٣ مدنيين", MatchKind.NORMALIZED)


def test_fuzzy_prefers_within() -> None:
    third = REPEATS.index("وقيل")
    g = grounded(REPEATS, "قتل 3 مدنيون في", within=(third, len(REPEATS)))
    assert g.match is MatchKind.FUZZY
    assert g.start >= third


def test_the_shadow_is_computed_once_per_text() -> None:
    from extractor.normalize import normalize_for_match

    text = TEXT + " نص جديد"
    before = normalize_for_match.cache_info()
    for quote in ("قتل 21 مدنيا", "مستشفي المدينه", "واعلن مسوول"):
        grounded(text, quote)
    after = normalize_for_match.cache_info()
    assert after.misses - before.misses == 1
