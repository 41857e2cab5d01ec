"""The rules backend's figures, pinned on short sentences written for these tests.

Each case states one behaviour (a cue, a trap, a qualifier, a subset, a scope)
that a real article relies on; the dev articles themselves are scored in
test_rules_dev.py, not quoted here.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.rules import extract_records
from schemas.codebook import RecordKind
from schemas.records import GroundedRecord

PUBLISHED = "Sun, 02 Sep 2018 20:03:23 GMT"


def figures(text: str, published: str | None = PUBLISHED) -> list[dict]:
    """The figures of `text` as flat dicts, after checking every citation is exact."""
    out = []
    for record in extract_records(text, published):
        assert_exact(record, text)
        if record.kind != RecordKind.FIGURE:
            continue
        values = {v.field: v.value for v in record.values}
        quotes = {v.field: v.citation.quote for v in record.values}
        count = values["count"]
        out.append(
            {
                "key": record.key,
                "category": values["category"],
                "count": (count["qualifier"], count["best"], count["low"], count["high"]),
                "vague_term": count["vague_term"],
                "unit": values["unit"],
                "actor": values["group"]["actor"],
                "subgroup": values["group"]["subgroup"],
                "scope": values["scope"],
                "part_of": values["part_of"],
                "reported_by": values["reported_by"],
                "quotes": quotes,
                "evidence": record.evidence.quote,
            }
        )
    return out


def assert_exact(record: GroundedRecord, text: str) -> None:
    for citation in [record.evidence, *(v.citation for v in record.values)]:
        if citation.quote is not None:
            assert text[citation.start : citation.end] == citation.quote == citation.source


def only(text: str, published: str | None = PUBLISHED) -> dict:
    found = figures(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "category", "cue"),
    [
        ("قتل 5 مدنيين في قصف على البلدة.", "killed", "قتل"),
        ("أعلن المرصد مقتل 12 عنصرا في الهجوم.", "killed", "مقتل"),
        ("انتشلت فرق الإنقاذ جثث 9 أشخاص من تحت الأنقاض.", "killed", "جثث"),
        ("أصيب ثلاثة أطفال بجروح متفاوتة.", "wounded", "أصيب"),
        ("أسفر الانفجار عن مقتل وإصابة 12 شخصا.", "casualties", "مقتل وإصابة"),
        ("سقط 14 قتيلا في الاشتباكات.", "killed", "قتيلا"),
        ("اعتقلت القوات الأمنية 7 مطلوبين.", "arrested", "اعتقلت"),
        ("أسر مقاتلو الفصيل أربعة جنود.", "captured", "أسر"),
        ("اختطف مسلحون مجهولون ستة مدنيين.", "abducted", "اختطف"),
        ("فر 40 سجينا من السجن المركزي.", "escaped", "فر"),
        ("فر 3000 شخص من القرى هربا من القصف.", "displaced", "فر"),
        ("أفرجت السلطات عن 15 معتقلا.", "released", "أفرجت"),
        ("نزحت 300 عائلة من القرية.", "displaced", "نزحت"),
        ("أعدم التنظيم 9 أشخاص رميا بالرصاص.", "executed", "أعدم"),
        ("سلم 20 مسلحا أنفسهم إلى الشرطة.", "surrendered", "سلم"),
        ("سلمت القوات 11 امرأة إلى سلطات بلادهن.", "handed_over", "سلمت"),
        ("وصلت 20 دبابة إلى خطوط الجبهة.", "deployed", "وصلت"),
        ("وصل 850 شخصا إلى مخيمات الإيواء.", "displaced", "وصل"),
        ("يضم المخيم 5000 شخص.", "held", "يضم"),
        ("لا يزال 12 منهم هاربين.", "at_large", "هاربين"),
    ],
)
def test_category_comes_from_the_cue_word(text, category, cue):
    found = only(text)
    assert found["category"] == category
    assert found["quotes"]["category"] == cue


def test_the_killed_idiom_around_the_number_is_read():
    # "لقوا حتفهم" wraps the counted people; the verb phrase still reads as killed
    # when written together after them.
    assert only("قتل 4 عناصر ولقوا حتفهم جميعا.")["category"] == "killed"
    assert only("4 عناصر لقوا حتفهم في الهجوم.")["category"] == "killed"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("قتل 21 شخصا.", ("exact", 21, 21, 21)),
        ("قتل ٢١ شخصا.", ("exact", 21, 21, 21)),
        ("قتل واحد وعشرون شخصا.", ("exact", 21, 21, 21)),
        ("أصيب عنصرين من الشرطة.", ("exact", 2, 2, 2)),
        ("قتل مدنيان في الغارة.", ("exact", 2, 2, 2)),
        ("قتل ما لا يقل عن 7 عناصر.", ("at_least", 7, 7, None)),
        ("قتل 7 عناصر على الأقل.", ("at_least", 7, 7, None)),
        ("قتل أكثر من 10 مدنيين.", ("more_than", 10, 11, None)),
        ("أصيب ما يزيد عن 30 شخصا.", ("more_than", 30, 31, None)),
        ("أصيب أقل من 10 أشخاص.", ("less_than", None, 1, 9)),
        ("قتل نحو 40 شخصا.", ("approx", 40, None, None)),
        ("قتل حوالي 40 شخصا.", ("approx", 40, None, None)),
        ("قتل ما بين 15 و20 شخصا.", ("range", None, 15, 20)),
        ("اعتقلت الشرطة 350 ألف شخص.", ("exact", 350000, 350000, 350000)),
    ],
)
def test_qualifiers_follow_the_count_table(text, count):
    assert only(text)["count"] == count


@pytest.mark.parametrize(
    ("text", "count", "term"),
    [
        ("سقط عشرات القتلى في القصف.", ("vague", 10, 10, 99), "عشرات"),
        ("نزح مئات الآلاف من منازلهم.", ("vague", 100000, 100000, 999999), "مئات الآلاف"),
        ("اعتقلت الشرطة عدد من المشتبه بهم.", ("unknown", None, None, None), "عدد من"),
    ],
)
def test_vague_and_unknown_quantities_keep_their_words(text, count, term):
    found = only(text)
    assert found["count"] == count
    assert found["vague_term"] == term
    assert found["quotes"]["count"] == term


def test_an_outcome_with_no_number_is_a_figure_of_unknown_size():
    found = only("وأسفر القصف عن سقوط قتلى وجرحى في صفوف المدنيين.")
    assert found["category"] == "casualties"
    assert found["count"] == ("unknown", None, None, None)
    assert found["quotes"]["count"] is None
    assert found["actor"] == "civilians"


@pytest.mark.parametrize(
    "text",
    [
        "قتل أحد عناصر الشرطة في هجوم.",  # "one of", not a count
        "وقع الهجوم يوم الاثنين في حلب.",  # a weekday
        "وقعت الحادثة عام 2017 في إدلب.",  # a year
        "وقعت الحادثة في 12/08/2018.",  # a date
        "وصل الرتل الثالث إلى المدينة.",  # an ordinal
        "نفى المصدر مقتل 30 عنصرا في الهجوم.",  # a denied toll
        "عدد القتلى ليس 200 كما أشيع.",  # a negated number
    ],
)
def test_traps_are_not_figures(text):
    assert figures(text) == []


def test_distances_and_years_next_to_a_figure_are_left_out():
    found = figures("قتل 4 أشخاص عام 2017 على بعد 120 كلم من دمشق.")
    assert [f["count"] for f in found] == [("exact", 4, 4, 4)]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("نزحت 300 عائلة من القرية.", "families"),
        ("وصلت 20 دبابة إلى الجبهة.", "vehicles"),
        ("شنت الطائرات 6 غارات على المدينة.", "strikes"),
        ("سقطت 16 قذيفة على الحي.", "munitions"),
        ("قتل 5 مدنيين في القصف.", "persons"),
    ],
)
def test_unit_comes_from_the_counted_noun(text, unit):
    assert only(text)["unit"] == unit


def test_counts_of_things_are_other_unless_a_cue_fits_them():
    strikes = only("شنت الطائرات 6 غارات على المدينة.")
    assert strikes["category"] == "other" and strikes["quotes"]["unit"] == "غارات"
    # a killing cue in the clause cannot make shells into dead people
    shells = only("سقطت 16 قذيفة على الحي ما أدى إلى مقتل مدني.")
    assert shells["category"] == "other"


def test_group_actor_and_subgroup_from_the_words_after_the_number():
    sdf = only("قتل 11 عنصرا من قوات سوريا الديمقراطية في الهجوم.")
    assert sdf["actor"] == "SDF" and sdf["quotes"]["group"] == "قوات سوريا الديمقراطية"
    leaders = only("فر أكثر من 21 قياديا من تنظيم داعش من السجن.")
    assert leaders["actor"] == "Islamic State" and leaders["subgroup"] == "leaders"
    assert only("قتل 5 مدنيين في القصف.")["actor"] == "civilians"


def test_a_list_shares_the_actor_named_after_it():
    found = figures("سلمت القوات خمسة مسلحين و11 امرأة و30 طفلا من معتقلي داعش إلى بلادهم.")
    assert [f["count"][1] for f in found] == [5, 11, 30]
    assert {f["actor"] for f in found} == {"Islamic State"}
    assert [f["subgroup"] for f in found] == [None, "women", "children"]
    assert {f["category"] for f in found} == {"handed_over"}


def test_subsets_point_at_their_total_and_inherit_it():
    found = figures("قتل 18 مدنيا بينهم 7 أطفال و3 نساء، وأصيب 5 آخرون.")
    total, children, women, wounded = found
    assert children["part_of"] == women["part_of"] == total["key"]
    assert children["quotes"]["part_of"] == "بينهم"
    assert children["category"] == women["category"] == "killed"
    assert (children["subgroup"], women["subgroup"]) == ("children", "women")
    assert wounded["category"] == "wounded" and wounded["part_of"] is None


def test_a_nested_subset_after_a_list_belongs_to_the_first_total():
    found = figures(
        "وثق المرصد مقتل 300 مدني بينهم 100 طفل و50 مواطنة، ومن بينهم 200 مواطن سوري بينهم 60 طفلا."
    )
    by_count = {f["count"][1]: f for f in found}
    assert by_count[200]["part_of"] == by_count[300]["key"]
    assert by_count[200]["subgroup"] == "syrian_nationals"
    assert by_count[60]["part_of"] == by_count[200]["key"]


def test_of_them_after_the_number_is_a_subset_and_others_continue_it():
    found = figures(
        "فر 21 سجينا من السجن، وتم القبض على ستة منهم في المدينة، وعلى 10 آخرين في القرية."
    )
    escaped, six, ten = found
    assert escaped["category"] == "escaped"
    assert six["part_of"] == ten["part_of"] == escaped["key"]
    assert six["category"] == ten["category"] == "arrested"


def test_a_subset_reads_its_own_cue_in_the_relative_clause_after_it():
    found = figures(
        "ارتفع إلى 2000 عدد الخارجين من الجيب، من ضمنهم نحو 300 عنصر، ممن جرى اعتقالهم."
    )
    total, members = found
    assert total["category"] == "displaced" and total["scope"]["kind"] == "cumulative"
    assert members["part_of"] == total["key"] and members["category"] == "arrested"


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("قتل 5 مدنيين في القصف.", {"kind": "incident", "since": None, "until": None}),
        (
            "ارتفعت حصيلة القتلى إلى 25 شخصا.",
            {"kind": "cumulative", "since": None, "until": None},
        ),
        (
            "قتل 40 شخصا منذ الاثنين الماضي.",
            {"kind": "cumulative", "since": "2018-08-27", "until": None},
        ),
        (
            "قتل 257 عنصرا منذ الـ 10 من نوفمبر وحتى الـ 10 من ديسمبر من العام 2017.",
            {"kind": "period", "since": "2017-11-10", "until": "2017-12-10"},
        ),
        (
            "وثق المرصد مقتل 12 مدنيا خلال الشهر الماضي.",
            {"kind": "period", "since": "2018-08-01", "until": "2018-08-31"},
        ),
        ("قتل 32 مدنيا خلال 24 ساعة.", {"kind": "period", "since": None, "until": None}),
        ("قتل 3 عناصر خلال العملية.", {"kind": "incident", "since": None, "until": None}),
    ],
)
def test_scope_from_cumulative_and_period_cues(text, scope):
    assert only(text)["scope"] == scope


def test_reported_by_names_the_source_in_the_sentence_or_before():
    found = figures("قال المرصد السوري إن 12 مدنيا قتلوا. وأصيب 20 آخرون في القصف.")
    assert [f["reported_by"] for f in found] == ["SOHR", "SOHR"]
    assert found[0]["quotes"]["reported_by"] == "المرصد السوري"


def test_a_fact_told_twice_is_one_figure():
    text = "قتل 14 عنصرا من قسد في الهجوم. وأكد المرصد مقتل 14 عنصرا من قسد."
    assert len(figures(text)) == 1


def test_arabic_noise_does_not_hide_a_figure():
    # diacritics, tatweel and a right-to-left mark inside the sentence
    text = "قُتِلَ ١٢ مدنيـاً\u200f في القصـف على البلدة."
    found = only(text)
    assert found["category"] == "killed" and found["count"] == ("exact", 12, 12, 12)
    assert found["quotes"]["count"] == "١٢"


def test_an_actor_owning_a_place_is_not_the_group_counted():
    found = only("ارتفع إلى 2000 عدد الأشخاص الخارجين من جيب التنظيم.")
    assert found["actor"] is None


def test_others_are_of_the_same_group_as_the_figure_before():
    found = figures("قتل ثلاثة مدنيين وأصيب آخران في ضربة استهدفت مقاتلي تنظيم داعش.")
    assert [f["actor"] for f in found] == ["civilians", "civilians"]


def test_things_belong_to_whoever_used_them():
    assert only("شنت طائرات التحالف الدولي 6 غارات على المدينة.")["actor"] == (
        "International Coalition"
    )


FRAGMENTS = [
    "قتل ",
    "١٢ ",
    "أكثر من 5 ",
    "مدنيين ",
    "بينهم ",
    "أطفال، ",
    "في بلدة هجين ",
    "أمس. ",
    "\u200f",
    "ـ",
    "َ",
    "\n",
    "قوات سوريا الديمقراطية ",
    "اشتباكات ",
    "2018 ",
    "عشرات ",
    "x",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30), st.booleans())
def test_any_text_gives_exact_citations_and_never_fails(parts, dated):
    text = "".join(parts)
    for record in extract_records(text, PUBLISHED if dated else None):
        assert_exact(record, text)


def test_text_without_arabic_gives_nothing():
    assert extract_records("", None) == []
    assert extract_records("12 people were killed in 2018.", None) == []


def test_of_them_before_a_vague_count_is_a_subset():
    total, many = figures("أسفر القصف عن مقتل أكثر من 200 شخص، منهم العديد من المدنيين.")
    assert many["part_of"] == total["key"] and many["count"][0] == "unknown"
    assert many["category"] == "killed" and many["actor"] == "civilians"
