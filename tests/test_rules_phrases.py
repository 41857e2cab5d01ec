"""Lexicon phrase matching: clitics, suffixes, the article, and exact spans back."""

import shutil

import pytest

from extractor.normalize import normalize_for_match
from extractor.rules.lexicon import lexicon, rules_version
from extractor.rules.phrases import PhraseBank, words_of


def found(bank: PhraseBank, text: str) -> list[tuple[str, object]]:
    """(raw text of the span, payload) for each match, checking the span maps back."""
    shadow = normalize_for_match(text)
    out = []
    for hit in bank.find(words_of(shadow.text)):
        start, end = shadow.to_raw(hit.start, hit.end)
        out.append((text[start:end], hit.payload))
    return out


def test_clitics_are_set_aside_and_stay_outside_the_span():
    bank = PhraseBank([("قتل*", "k"), ("القبض على", "a")])
    assert found(bank, "وقتلوا ثلاثة، وبالقبض على اثنين") == [("قتلوا", "k"), ("القبض على", "a")]


def test_a_star_allows_suffixes_and_no_star_forbids_them():
    bank = PhraseBank([("قتل*", "star"), ("مقتل", "exact")])
    assert found(bank, "مقتلهم") == []
    assert found(bank, "قتلهم") == [("قتلهم", "star")]


def test_the_longest_entry_wins_where_entries_overlap():
    bank = PhraseBank([("مقتل", "killed"), ("مقتل وإصابة", "casualties")])
    assert found(bank, "عن مقتلِ وإصابة خمسة") == [("مقتلِ وإصابة", "casualties")]


def test_strict_entries_refuse_the_article_and_prepositions():
    bank = PhraseBank([("=سلم", "handed")])
    assert found(bank, "وسلّم الأسرى") == [("سلّم", "handed")]
    assert found(bank, "السلم والحرب") == []
    assert found(bank, "بسلم") == []


def test_cue_words_take_or_drop_the_article():
    bank = PhraseBank([("التحالف الدولي", "IC")])
    assert found(bank, "غارات للتحالف الدولي") == [("لتحالف الدولي", "IC")]
    assert found(bank, "قوات تحالف دولي") == []  # the second word is as written
    assert found(bank, "قوات تحالف الدولي") == [("تحالف الدولي", "IC")]


def test_names_keep_their_article_as_written():
    bank = PhraseBank([("السوسة", "village"), ("سجن سوسة", "prison")], article_optional=False)
    assert found(bank, "في بلدة السوسة وفي سجن سوسة وفي سوسة") == [
        ("السوسة", "village"),
        ("سجن سوسة", "prison"),
    ]


def test_spelling_variants_fold_like_the_text():
    bank = PhraseBank([("إصابة", "w")])
    # hamza dropped, teh marbuta as heh, tatweel and a vowel sign in the text
    assert found(bank, "اصابـه") == [("اصابـه", "w")]
    assert found(bank, "إصابَة") == [("إصابَة", "w")]


def test_area_names_are_kept_whole():
    assert found(lexicon().places, "في ريف دير الزور الشرقي")[0][0] == "ريف دير الزور الشرقي"


def test_a_lexicon_change_is_a_new_version(tmp_path, monkeypatch):
    from extractor.rules import lexicon as module

    copy = tmp_path / "lexicons"
    shutil.copytree(module.LEXICONS, copy)
    monkeypatch.setattr(module, "LEXICONS", copy)
    rules_version.cache_clear()
    try:
        before = rules_version()
        scope = copy / "scope.json"
        scope.write_text(scope.read_text(encoding="utf-8").replace("حصيلة", "حصيلة\u200c"))
        rules_version.cache_clear()
        assert rules_version() != before and before.startswith("rules-")
    finally:
        rules_version.cache_clear()


@pytest.mark.parametrize("name", ["categories", "events", "places", "actors", "sources"])
def test_every_lexicon_bank_finds_something_in_a_typical_sentence(name):
    text = (
        "قال المرصد السوري إن اشتباكات عنيفة اندلعت بين قوات سوريا الديمقراطية "
        "وتنظيم داعش في بلدة هجين أسفرت عن مقتل 12 عنصرا."
    )
    assert found(getattr(lexicon(), name), text)
