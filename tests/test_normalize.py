"""Arabic matching normalisation: what folds together, and the map back to raw offsets."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.normalize import normalize_for_match, normalize_quote


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        # harakat, tanwin, shadda, sukun, superscript alef
        ("قُتِلَ خَمْسَةٌ", "قتل خمسه"),
        ("مُدَّة", "مده"),
        ("هٰذا", "هذا"),
        # Quranic marks
        ("ﷲ\u06d6 ذٰلِكَ\u0615", "الله ذلك"),
        # tatweel
        ("الـمـديـنـة", "المدينه"),
        # zero-width and bidi marks of every kind listed
        ("ق\u200bت\u200cل\u200d\u200e\u200f", "قتل"),
        ("\u202a\u202b\u202c\u202d\u202eقصف", "قصف"),
        ("\u2066٢٠\u2069 \u061cقتيلا\ufeff", "20 قتيلا"),
        # alef with hamza, madda, wasla; waw and yeh with hamza
        ("أعلن إطلاق آليات ٱلجيش", "اعلن اطلاق اليات الجيش"),
        ("مسؤول", "مسوول"),
        ("رئيس", "رييس"),
        # alef maksura, teh marbuta, Persian yeh and keheh
        ("مستشفى", "مستشفي"),
        ("مدينة", "مدينه"),
        ("ایران کرد", "ايران كرد"),
        # digits of every script
        ("٢١ و۲۵ و٣", "21 و25 و3"),
        ("१२ ১৩", "12 13"),
        # NBSP and runs of white space
        ("قتل\u00a0\u00a0 5\t\n اشخاص", "قتل 5 اشخاص"),
        # presentation forms and ligatures unfold (NFKC)
        ("ﺑﻐﺪﺍﺩ", "بغداد"),
        ("ﻻ ﻷ", "لا لا"),
        # isolated forms of harakat vanish rather than leave a space
        ("ب\ufe70\ufe7e", "ب"),
    ],
)
def test_each_class_folds(raw: str, folded: str) -> None:
    assert normalize_quote(raw) == folded
    assert normalize_for_match(raw).text.strip() == folded


def test_stored_text_is_untouched() -> None:
    raw = "قُتِلَ ٢١"
    normalize_for_match(raw)
    assert raw == "قُتِلَ ٢١"


def test_a_diacritic_inside_a_span_stays_inside() -> None:
    raw = "قَتَلَ الجنودُ"
    shadow = normalize_for_match(raw)
    assert shadow.text == "قتل الجنود"
    start, end = shadow.to_raw(0, 3)
    # ends after the last vowel sign of the word, which belongs to its letter
    assert raw[start:end] == "قَتَلَ"
    start, end = shadow.to_raw(4, 10)
    assert raw[start:end] == "الجنودُ"


def test_invisible_marks_and_tatweel_around_a_span_stay_outside() -> None:
    raw = "\u200fقصفـ\u200e ٥"
    shadow = normalize_for_match(raw)
    assert shadow.text == "قصف 5"
    start, end = shadow.to_raw(0, 3)
    assert (start, end) == (1, 4)
    assert raw[start:end] == "قصف"
    assert raw[slice(*shadow.to_raw(4, 5))] == "٥"


def test_collapsed_white_space_maps_back() -> None:
    raw = "قتل  \u00a0 خمسة"
    shadow = normalize_for_match(raw)
    start, end = shadow.to_raw(0, len(shadow.text))
    assert (start, end) == (0, len(raw))


def test_a_ligature_maps_to_the_whole_raw_character() -> None:
    raw = "ﻻ"
    shadow = normalize_for_match(raw)
    assert shadow.text == "لا"
    assert shadow.to_raw(1, 2) == (0, 1)


def test_from_raw_finds_the_next_kept_character() -> None:
    raw = "\u200fقَتل"
    shadow = normalize_for_match(raw)
    assert shadow.from_raw(0) == 0
    assert shadow.from_raw(2) == 1  # the fatha is dropped: next kept is ت
    assert shadow.from_raw(len(raw)) == len(shadow.text)


def test_empty_span_is_refused() -> None:
    with pytest.raises(ValueError):
        normalize_for_match("قتل").to_raw(1, 1)


_ARABIC_ISH = st.text(
    alphabet=st.sampled_from(
        list("قتلاأإآىيةهؤئ ١٢3٤۵ـ\u064e\u0651\u0670\u200f\u202b\u00a0\t\nﻻﺑﷺ\ufe70,.«»")
    ),
    max_size=40,
)


@given(_ARABIC_ISH)
def test_quote_and_text_fold_alike(s: str) -> None:
    assert normalize_quote(s) == " ".join(normalize_for_match(s).text.split())


@given(_ARABIC_ISH, st.data())
def test_every_shadow_span_maps_to_raw_text_that_folds_to_it(s: str, data: st.DataObject) -> None:
    shadow = normalize_for_match(s)
    if not shadow.text:
        return
    a = data.draw(st.integers(0, len(shadow.text) - 1))
    b = data.draw(st.integers(a + 1, len(shadow.text)))
    start, end = shadow.to_raw(a, b)
    assert 0 <= start < end <= len(s)
    assert normalize_quote(shadow.text[a:b]) in normalize_quote(s[start:end])
