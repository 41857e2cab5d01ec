"""Arabic count reading: every row and trap of the codebook's count table."""

import json

import pytest
from shared_data import DEV_GOLD, DEV_TEXTS

from extractor.numbers import CountMention, ParsedCount, find_counts, parse_count
from schemas.codebook import Qualifier
from schemas.numbers import count_bounds_error

E, AL, MT, LT = Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.MORE_THAN, Qualifier.LESS_THAN
AP, RG, VG, UK = Qualifier.APPROX, Qualifier.RANGE, Qualifier.VAGUE, Qualifier.UNKNOWN


def exact(n: int) -> ParsedCount:
    return ParsedCount(n, n, n, E, None)


# --- row 1: exact numbers -----------------------------------------------------

EXACT = [
    # digits of every script, separators
    ("21", 21),
    ("٢١", 21),
    ("۲۱", 21),
    ("1,215", 1215),
    ("١٬٢١٥", 1215),
    ("١،٢١٥", 1215),
    ("16700", 16700),
    # units and their gender forms
    ("واحد", 1),
    ("واحدة", 1),
    ("اثنان", 2),
    ("اثنين", 2),
    ("اثنتان", 2),
    ("ثلاث", 3),
    ("ثلاثة", 3),
    ("أربع", 4),
    ("اربعة", 4),
    ("خمس", 5),
    ("ست", 6),
    ("ستة", 6),
    ("سبعة", 7),
    ("ثماني", 8),
    ("ثمانية", 8),
    ("تسع", 9),
    ("عشر", 10),
    ("عشرة", 10),
    ("عشره", 10),  # ة written as ه
    # teens
    ("أحد عشر", 11),
    ("إحدى عشرة", 11),
    ("اثنا عشر", 12),
    ("اثني عشر", 12),
    ("ثلاثة عشر", 13),
    ("تسع عشرة", 19),
    # tens and compounds with و
    ("عشرون", 20),
    ("عشرين", 20),
    ("تسعين", 90),
    ("واحد وعشرون", 21),
    ("واحد وعشرين", 21),
    ("خمسة وعشرون", 25),
    ("اثنان و ثلاثون", 32),
    # hundreds
    ("مئة", 100),
    ("مائة", 100),
    ("مئتان", 200),
    ("مائتين", 200),
    ("ثلاثمئة", 300),
    ("ثلاثمائة", 300),
    ("ثلاث مئة", 300),
    ("تسعمائة", 900),
    ("مئة وخمسون", 150),
    ("ثلاثمائة وخمسة وعشرون", 325),
    ("مئتين واثني عشر", 212),
    # ألف and larger scales multiply the number before them
    ("ألف", 1000),
    ("ألفان", 2000),
    ("ثلاثة آلاف", 3000),
    ("عشرة آلاف", 10000),
    ("350 ألف", 350000),
    ("٣٥٠ ألف", 350000),
    ("29 ألفا و358", 29358),
    ("65 ألف و900", 65900),
    ("مئة ألف", 100000),
    ("ألف ومئتان", 1200),
    ("مليون", 1000000),
    ("3 ملايين", 3000000),
    ("1.5 مليون", 1500000),
    ("٧٫٧ مليون", 7700000),
    ("مليون و200 ألف", 1200000),
    ("نصف مليون", 500000),
    ("ربع مليون", 250000),
    ("مليون ونصف", 1500000),
    # duals of counted nouns
    ("عنصرين", 2),
    ("طفلين", 2),
    ("شخصان", 2),
    ("جنديين", 2),
    ("مدنيان", 2),
    ("آخران", 2),
    ("امرأتين", 2),
    ("سيارتان", 2),
    ("الطفلين", 2),
    ("شخصين اثنين", 2),
    # the article stays, a noun after the number is ignored
    ("العشرة", 10),
    ("الستة", 6),
    ("الـ9", 9),
    ("أربعة قتلى", 4),
    ("4 آخرين", 4),
    # spelling noise: diacritics, tatweel, clitics, bidi marks, spacing
    ("ثَلَاثَةُ", 3),
    ("خمســة", 5),
    ("وثلاثة", 3),
    ("بعشرين", 20),
    ("\u200f12\u200f", 12),
    ("خمسة   وعشرون", 25),
]


@pytest.mark.parametrize(("phrase", "n"), EXACT)
def test_exact_counts(phrase: str, n: int) -> None:
    assert parse_count(phrase) == exact(n)


# --- rows 2-6: qualifiers -----------------------------------------------------

QUALIFIED = [
    # at_least: best = low = N, high null
    ("ما لا يقل عن 15", 15, 15, None, AL),
    ("لا يقل عن ٣٠", 30, 30, None, AL),
    ("بما لا يقل عن عشرين", 20, 20, None, AL),
    ("5 على الأقل", 5, 5, None, AL),
    ("16 صاروخا على الاقل", 16, 16, None, AL),
    ("25\u00a0 قتيلا على الأقل", 25, 25, None, AL),
    ("قتيلين على الأقل", 2, 2, None, AL),
    ("على الأقل 7", 7, 7, None, AL),
    ("ما لا يقل عن ستة آلاف و259", 6259, 6259, None, AL),
    # more_than: best = N, low = N+1, high null
    ("أكثر من 21", 21, 22, None, MT),
    ("اكثر من 300", 300, 301, None, MT),
    ("بأكثر من ٢٠", 20, 21, None, MT),
    ("أكثر من مئة", 100, 101, None, MT),
    ("ما يزيد عن 10", 10, 11, None, MT),
    ("ما يزيد على ألف", 1000, 1001, None, MT),
    ("يزيد عن 40", 40, 41, None, MT),
    ("أكثر من شخصين", 2, 3, None, MT),
    # less_than: best null, low 1, high N-1
    ("أقل من 10", None, 1, 9, LT),
    ("اقل من عشرين", None, 1, 19, LT),
    # "لا يزيد عن N" (at most N) is fewer than N+1
    ("لا يزيد عن 12", None, 1, 12, LT),
    ("ما لا يزيد على 12", None, 1, 12, LT),
    # approx: best = N, low and high null
    ("نحو 1215", 1215, None, None, AP),
    ("نحو30", 30, None, None, AP),
    ("نحو ٥٠٠", 500, None, None, AP),
    ("حوالي 400", 400, None, None, AP),
    ("حوالى 400", 400, None, None, AP),
    ("قرابة 50", 50, None, None, AP),
    ("زهاء ألف", 1000, None, None, AP),
    ("ما يقارب 60", 60, None, None, AP),
    ("نحو 14 ألف", 14000, None, None, AP),
    ("نحو 7.7 مليون", 7700000, None, None, AP),
    ("قرابة الـ 300", 300, None, None, AP),
    ("30 شخصا تقريبا", 30, None, None, AP),
    # range: best null, low N, high M
    ("بين 5 و10", None, 5, 10, RG),
    ("بين 5 و 10", None, 5, 10, RG),
    ("ما بين 15500 إلى 17100", None, 15500, 17100, RG),
    ("بين خمسة وعشرة", None, 5, 10, RG),
    ("من 20 إلى 30", None, 20, 30, RG),
    ("5-10", None, 5, 10, RG),
    ("٥ - ١٠", None, 5, 10, RG),
]


@pytest.mark.parametrize(("phrase", "best", "low", "high", "qualifier"), QUALIFIED)
def test_qualified_counts(
    phrase: str, best: int | None, low: int | None, high: int | None, qualifier: Qualifier
) -> None:
    assert parse_count(phrase) == ParsedCount(best, low, high, qualifier, None)


# --- rows 7-11: vague and unknown ----------------------------------------------

VAGUE = [
    ("عشرات", 10, 99, "عشرات"),
    ("العشرات", 10, 99, "العشرات"),
    ("بالعشرات", 10, 99, "العشرات"),
    ("مئات", 100, 999, "مئات"),
    ("آلاف", 1000, 9999, "آلاف"),
    ("الآلاف", 1000, 9999, "الآلاف"),
    ("عشرات الآلاف", 10000, 99999, "عشرات الآلاف"),
    ("عشرات آلاف", 10000, 99999, "عشرات آلاف"),
    ("مئات الآلاف", 100000, 999999, "مئات الآلاف"),
    ("مئات آلاف", 100000, 999999, "مئات آلاف"),
    ("عشرات القتلى", 10, 99, "عشرات"),
    ("عشـرات", 10, 99, "عشـرات"),  # the term is kept as written, tatweel and all
]


@pytest.mark.parametrize(("phrase", "floor", "ceiling", "term"), VAGUE)
def test_vague_counts(phrase: str, floor: int, ceiling: int, term: str) -> None:
    assert parse_count(phrase) == ParsedCount(floor, floor, ceiling, VG, term)


UNKNOWN = [
    ("قتلى وجرحى", None),
    ("عدد من", "عدد من"),
    ("عدد من المعتقلين", "عدد من"),
    ("عدد كبير من الجرحى", "عدد كبير من"),
    ("العديد", "العديد"),
    ("العديد من المدنيين", "العديد"),
    ("بعض", "بعض"),
    ("عدة", "عدة"),
    ("بضعة آلاف", "بضعة آلاف"),
]


@pytest.mark.parametrize(("phrase", "term"), UNKNOWN)
def test_unknown_counts(phrase: str, term: str | None) -> None:
    assert parse_count(phrase) == ParsedCount(None, None, None, UK, term)


# --- traps: no count at all ------------------------------------------------------

TRAPS = [
    "الاثنين",  # weekdays
    "يوم الإثنين",
    "الخميس",
    "أحد عناصر",  # one of
    "أحد القتلى",
    "إحدى الضحايا",
    "واحد من المسلحين",
    "عام 2018",  # years
    "في 2019",
    "منذ 2011",
    "2018م",
    "2011-2018",
    "بين 2011 و2018",
    "10 نوفمبر",  # dates
    "١٠ تشرين الثاني",
    "الـ10 من أيلول",
    "الـ19 من الشهر الماضي",
    "كانون الثاني 2018",
    "2018-12-13",
    "13/12/2018",
    "10/11",
    "10:30",  # times
    "الساعة 10",
    "120 كلم",  # measures, durations, money, shares
    "65 كيلومترا",
    "خلال 24 ساعة",
    "ثلاثة أيام",
    "18 عاما",
    "5000 دولار",
    "40%",
    "40 في المئة",
    "92 بالمئة",
    "الثالث",  # ordinals
    "الحادي عشر",
    "الخامس والعشرين",
    "العشرين",
    "القرار 2254",  # labels
    "الفرقة 17",
    "F-16",
    "إس-400",
    "في آن واحد",  # idioms with 1
    "مرة واحدة",
    "مسلحين",  # a bare sound plural is not a dual
    "مدنيين",
    "مقاتلين",
    "آخرين",
    "نحو المدينة",  # a qualifier word with no number
    "أكثر من مرة",
    "كمية كبيرة",  # ك + مية is not a hundred
    "نصف",  # a fraction without a scale word
    "",
]


@pytest.mark.parametrize("phrase", TRAPS)
def test_traps_are_not_counts(phrase: str) -> None:
    assert parse_count(phrase) is None


def test_a_sound_plural_outcome_noun_is_unknown_not_two() -> None:
    # "المعتقلين" could spell a dual, but the codebook reads it as a plural.
    assert parse_count("المعتقلين") == ParsedCount(None, None, None, UK, None)
    assert parse_count("المعتقلَين") == ParsedCount(None, None, None, UK, None)


def test_a_bare_number_is_a_count_even_when_it_could_be_a_year() -> None:
    # A quote alone gives no context; "2100 عنصر" in an article is a count.
    assert parse_count("2100") == exact(2100)
    assert parse_count("نحو 2000") == ParsedCount(2000, None, None, AP, None)


def test_the_first_count_in_a_phrase_wins() -> None:
    assert parse_count("أربعة قتلى وخمسة جرحى") == exact(4)


def test_update_from_to_is_not_a_range() -> None:
    # "rose from 11 to 14" reports an updated toll, not a range.
    mentions = find_counts("ارتفع عدد القتلى من 11 إلى 14 شخصا.")
    assert [m.parsed for m in mentions] == [exact(11), exact(14)]


# --- find_counts: exact spans in sentences -------------------------------------

SENTENCES = [
    (
        "قتل ما لا يقل عن 15 مدنيا وأصيب أكثر من 21 آخرين في قصف يوم الاثنين.",
        [
            ("ما لا يقل عن 15", ParsedCount(15, 15, None, AL, None)),
            ("أكثر من 21", ParsedCount(21, 22, None, MT, None)),
        ],
    ),
    (
        "أعلنت القوات اعتقال نحو 1215 مشتبها به منذ عام 2018، بينهم عشرات النساء.",
        [
            ("نحو 1215", ParsedCount(1215, None, None, AP, None)),
            ("عشرات", ParsedCount(10, 10, 99, VG, "عشرات")),
        ],
    ),
    (
        "وصل إلى المخيم بين 5 و10 عائلات يوم 10 نوفمبر على بعد 120 كلم من الحدود.",
        [("بين 5 و10", ParsedCount(None, 5, 10, RG, None))],
    ),
    (
        "فر ثلاثة آلاف شخص خلال 24 ساعة، وقتل عنصرين من الشرطة.",
        [("ثلاثة آلاف", exact(3000)), ("عنصرين", exact(2))],
    ),
    (
        "وقتل خمسة وعشرون مسلحا في الهجوم الثالث على البلدة يوم الخميس الـ14 من آذار.",
        [("خمسة وعشرون", exact(25))],
    ),
    (
        "أسفر الانفجار عن مقتل أحد عناصر الأمن وإصابة 7 آخرين على الأقل.",
        [("7 آخرين على الأقل", ParsedCount(7, 7, None, AL, None))],
    ),
    (
        "خلفت الحرب مئات الآلاف من القتلى وشردت نحو 6.1 مليون سوري بنسبة 30 بالمئة.",
        [
            ("مئات الآلاف", ParsedCount(100000, 100000, 999999, VG, "مئات الآلاف")),
            ("نحو 6.1 مليون", ParsedCount(6100000, None, None, AP, None)),
        ],
    ),
    (
        # a proclitic stays outside the span, the article inside
        "وقتل بأكثر من ٢٠ قذيفة سقطت على الحي والـ16 طفلا الذين أصيبوا.",
        [("أكثر من ٢٠", ParsedCount(20, 21, None, MT, None)), ("الـ16", exact(16))],
    ),
    (
        # diacritics, tatweel and a bidi mark inside the raw text
        "قُتِلَ ثَلَاثَةُ أشخاصٍ وجُرِحَ \u200fعشــرة\u200f آخرون.",
        [("ثَلَاثَةُ", exact(3)), ("عشــرة", exact(10))],
    ),
    (
        "ونقلت الشاحنات ١٬٢١٥ نازحا و٣٥٠ ألف طرد غذائي في ۲۰ شاحنة.",
        [("١٬٢١٥", exact(1215)), ("٣٥٠ ألف", exact(350000)), ("۲۰", exact(20))],
    ),
    (
        "وقال المرصد إن عدد من المعتقلين فروا، وإن 2100 عنصر استسلموا في كانون الثاني 2019.",
        [("عدد من", ParsedCount(None, None, None, UK, "عدد من")), ("2100", exact(2100))],
    ),
    (
        "ضربت الطائرة F-16 الموقع رقم 4 مرتين في الساعة 10:30 صباحا.",
        [],
    ),
    (
        # a year-like number with no counted noun after it is a year
        "اندلعت الاحتجاجات (2011) وشارك في مؤتمر 2018 الذي عقد لاحقا 1950 مندوبا.",
        [("1950", exact(1950))],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_find_counts_spans(text: str, expected: list[tuple[str, ParsedCount]]) -> None:
    mentions = find_counts(text)
    assert [(text[m.start : m.end], m.parsed) for m in mentions] == expected
    position = 0
    for mention, (phrase, _) in zip(mentions, expected, strict=True):
        # the phrase found is the first occurrence after the previous one
        assert mention.start == text.index(phrase, position)
        position = mention.end


def test_find_counts_returns_count_mentions() -> None:
    (mention,) = find_counts("قتل 3 أشخاص")
    assert mention == CountMention(4, 5, exact(3))


def test_find_counts_on_empty_and_numberless_text() -> None:
    assert find_counts("") == []
    assert find_counts("اشتباكات عنيفة في ريف المدينة منذ الصباح") == []


# --- against the gold annotations -------------------------------------------------


def _gold_figures() -> list[tuple[str, dict]]:
    texts = {}
    with DEV_TEXTS.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            texts[doc["id"]] = doc["text"]
    figures = []
    with DEV_GOLD.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            figures += [(texts[doc["doc_id"]], fig) for fig in doc["figures"]]
    return figures


def test_parse_count_agrees_with_gold_count_quotes() -> None:
    """At least 95% of gold figures with a number read as the gold says.

    Known disagreements, both about context a phrase alone cannot carry:
    "مسلحين" is 2 only because the sentence says so (رأسي ... اعتقالهما),
    and "4 آخرين" is 5 because it counts the speaker too ("أسروه مع 4 آخرين").
    """
    checked, failures = 0, []
    for _, fig in _gold_figures():
        if not fig["count_quote"] or fig["qualifier"] == "unknown":
            continue
        checked += 1
        parsed = parse_count(fig["count_quote"])
        got = parsed and (parsed.best, parsed.low, parsed.high, parsed.qualifier.value)
        want = (fig["best"], fig["low"], fig["high"], fig["qualifier"])
        if got != want:
            failures.append(f"{fig['count_quote']!r}: got {got}, gold {want}")
    share = 1 - len(failures) / checked
    print(f"parse_count agrees with gold on {checked - len(failures)}/{checked} ({share:.1%})")
    assert checked > 100
    assert share >= 0.95, "\n".join(failures)


def test_parse_count_reads_gold_unknown_quotes_with_their_term() -> None:
    """Gold figures of unknown size that quote a word ("عدد من") read as unknown, term kept."""
    rows = [
        fig for _, fig in _gold_figures() if fig["count_quote"] and fig["qualifier"] == "unknown"
    ]
    assert rows
    for fig in rows:
        parsed = parse_count(fig["count_quote"])
        assert parsed == ParsedCount(None, None, None, UK, fig["vague_term"]), fig["count_quote"]


def test_find_counts_finds_gold_count_spans() -> None:
    """Gold count spans are found with the same offsets, bar noun-inclusive quotes."""
    by_text: dict[str, list[dict]] = {}
    for text, fig in _gold_figures():
        if fig["count_span"]:
            by_text.setdefault(text, []).append(fig)
    total, missed = 0, []
    for text, figs in by_text.items():
        spans = {(m.start, m.end) for m in find_counts(text)}
        for fig in figs:
            total += 1
            if tuple(fig["count_span"]) not in spans:
                missed.append(fig["count_quote"])
    assert 1 - len(missed) / total >= 0.95, missed


def test_every_mention_in_gold_texts_is_consistent() -> None:
    """Spans are non-empty raw substrings and counts obey the codebook's bounds."""
    texts = {text for text, _ in _gold_figures()}
    for text in texts:
        for m in find_counts(text):
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == text[m.start : m.end].strip()
            p = m.parsed
            assert count_bounds_error(p.best, p.low, p.high, p.qualifier) is None, (
                text[m.start : m.end],
                p,
            )
