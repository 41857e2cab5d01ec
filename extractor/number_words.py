"""The Arabic words that number reading needs, kept as data.

Words are written here in ordinary spelling; `extractor.numbers` folds them
with the matching normaliser at import, so hamza, ى/ي and ة/ه variants all
match without being listed twice. Clitics (و ف ب ل ك and the article ال) are
handled by the reader, not listed here.
"""

# Cardinals 1-10 in both genders. 1 and 2 follow their noun ("رجل واحد").
UNITS: dict[str, int] = {
    "واحد": 1,
    "واحدة": 1,
    "اثنان": 2,
    "اثنين": 2,
    "اثنتان": 2,
    "اثنتين": 2,
    "ثنتان": 2,
    "ثنتين": 2,
    "ثلاث": 3,
    "ثلاثة": 3,
    "أربع": 4,
    "أربعة": 4,
    "خمس": 5,
    "خمسة": 5,
    "ست": 6,
    "ستة": 6,
    "سبع": 7,
    "سبعة": 7,
    "ثمان": 8,
    "ثماني": 8,
    "ثمانية": 8,
    "تسع": 9,
    "تسعة": 9,
    "عشر": 10,
    "عشرة": 10,
}

# Forms that only count before عشر/عشرة: أحد alone means "one of" (a trap).
TEEN_ONLY: dict[str, int] = {
    "أحد": 1,
    "إحدى": 1,
    "اثنا": 2,
    "اثني": 2,
    "اثنتا": 2,
    "اثنتي": 2,
}

# The second word of a teen (ثلاثة عشر، إحدى عشرة).
TEEN_TEN: frozenset[str] = frozenset({"عشر", "عشرة"})

TENS: dict[str, int] = {
    "عشرون": 20,
    "عشرين": 20,
    "ثلاثون": 30,
    "ثلاثين": 30,
    "أربعون": 40,
    "أربعين": 40,
    "خمسون": 50,
    "خمسين": 50,
    "ستون": 60,
    "ستين": 60,
    "سبعون": 70,
    "سبعين": 70,
    "ثمانون": 80,
    "ثمانين": 80,
    "تسعون": 90,
    "تسعين": 90,
}

# "مئة" after a unit multiplies it (ثلاث مئة); the other forms stand alone.
HUNDRED_WORDS: frozenset[str] = frozenset({"مئة", "مائة"})
_HUNDRED_STEMS: dict[str, int] = {
    "ثلاث": 3,
    "أربع": 4,
    "خمس": 5,
    "ست": 6,
    "سبع": 7,
    "ثمان": 8,
    "ثماني": 8,
    "تسع": 9,
}
HUNDREDS: dict[str, int] = {
    "مئة": 100,
    "مائة": 100,
    "مئتان": 200,
    "مئتين": 200,
    "مائتان": 200,
    "مائتين": 200,
    "مئتا": 200,
    "مئتي": 200,
    "مائتا": 200,
    "مائتي": 200,
} | {stem + h: n * 100 for stem, n in _HUNDRED_STEMS.items() for h in HUNDRED_WORDS}

# Scale words that multiply the number before them ("350 ألف", "ثلاثة آلاف").
SCALES: dict[str, int] = {
    "ألف": 1_000,
    "ألفا": 1_000,
    "آلاف": 1_000,
    "مليون": 1_000_000,
    "مليونا": 1_000_000,
    "ملايين": 1_000_000,
    "مليار": 1_000_000_000,
    "مليارا": 1_000_000_000,
    "مليارات": 1_000_000_000,
}

# Fractions count only with a scale word: "نصف مليون" = 500000, "مليون ونصف"
# = 1500000. Alone ("نصف القتلى") they are not counts.
FRACTIONS: dict[str, tuple[int, int]] = {"نصف": (1, 2), "ربع": (1, 4)}

# Scale words that are a number on their own ("ألف" = 1000, "ألفان" = 2000).
# Their plurals standing alone are vague (see VAGUE), not numbers.
LONE_SCALES: dict[str, int] = {
    "ألف": 1_000,
    "ألفا": 1_000,
    "ألفان": 2_000,
    "ألفين": 2_000,
    "مليون": 1_000_000,
    "مليونا": 1_000_000,
    "مليونان": 2_000_000,
    "مليونين": 2_000_000,
    "مليار": 1_000_000_000,
    "مليارا": 1_000_000_000,
}

# Plural quantity words read as vague counts: the floor of their range.
# A following plural scale word multiplies ("عشرات الآلاف" = 10000..99999).
VAGUE: dict[str, int] = {
    "عشرات": 10,
    "مئات": 100,
    "آلاف": 1_000,
    "ملايين": 1_000_000,
}
VAGUE_SCALES: dict[str, int] = {
    "آلاف": 1_000,
    "ملايين": 1_000_000,
}

# Quantity words with no number in them: a figure of unknown size.
# "عدد" alone is not one ("عدد القتلى" is "the number of the dead").
UNKNOWN_CUES: tuple[tuple[str, ...], ...] = (
    ("عدد", "كبير", "من"),
    ("عدد", "من"),
    ("العديد",),
    ("عديد",),
    ("عدة",),
    ("بعض",),
    ("بضعة",),
    ("بضع",),
)

# Plural outcome nouns: a phrase made only of them ("قتلى وجرحى") reports a
# figure of unknown size. Only `parse_count` uses them; finding figures by
# their nouns is the extractor's job.
OUTCOME_NOUNS: frozenset[str] = frozenset(
    {
        "قتلى",
        "جرحى",
        "مصابين",
        "مصابون",
        "إصابات",
        "ضحايا",
        "معتقلين",
        "معتقلون",
        "مخطوفين",
        "مختطفين",
        "أسرى",
        "نازحين",
        "نازحون",
        "مفقودين",
    }
)

# Qualifiers written before the number, longest first within each.
PREFIX_QUALIFIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "at_least": (
        ("ما", "لا", "يقل", "عن"),
        ("ما", "لا", "تقل", "عن"),
        ("ما", "لا", "يقل", "على"),
        ("لا", "يقل", "عن"),
        ("لا", "تقل", "عن"),
        ("على", "الأقل"),
    ),
    # "لا يزيد عن N" (at most N): read as fewer than N+1.
    "at_most": (
        ("ما", "لا", "يزيد", "عن"),
        ("ما", "لا", "يزيد", "على"),
        ("ما", "لا", "يتجاوز"),
        ("لا", "يزيد", "عن"),
        ("لا", "يزيد", "على"),
        ("لا", "تزيد", "عن"),
        ("لا", "تزيد", "على"),
        ("لا", "يتجاوز"),
        ("لا", "تتجاوز"),
        ("لا", "يتعدى"),
    ),
    "more_than": (
        ("أكثر", "من"),
        ("أزيد", "من"),
        ("ما", "يزيد", "عن"),
        ("ما", "يزيد", "على"),
        ("ما", "يربو", "على"),
        ("ما", "يتجاوز"),
        ("ما", "يفوق"),
        ("يزيد", "عن"),
        ("يزيد", "على"),
        ("تزيد", "عن"),
        ("تزيد", "على"),
        ("يربو", "على"),
        ("يتجاوز",),
        ("تتجاوز",),
        ("يفوق",),
    ),
    "less_than": (
        ("أقل", "من"),
        ("ما", "يقل", "عن"),
        ("يقل", "عن"),
    ),
    "approx": (
        ("ما", "يقارب"),
        ("ما", "يناهز"),
        ("ما", "يقرب", "من"),
        ("نحو",),
        ("حوالي",),
        ("حوالى",),
        ("قرابة",),
        ("زهاء",),
        ("يقارب",),
        ("تقارب",),
        ("يناهز",),
        ("تناهز",),
        ("تقريبا",),
    ),
}

# Qualifiers written after the number (and its counted noun).
SUFFIX_QUALIFIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "at_least": (("على", "الأقل"), ("أو", "أكثر")),
    "approx": (("تقريبا",),),
}

# Words that open a range ("بين 5 و10", "ما بين 15 إلى 20", "من 5 إلى 10").
RANGE_OPENERS: tuple[tuple[str, ...], ...] = (("ما", "بين"), ("بين",), ("من",))
RANGE_JOINERS: frozenset[str] = frozenset({"و", "إلى", "الى", "حتى"})

# "ارتفع من 11 إلى 14" is an updated toll, not a range.
CHANGE_VERBS: frozenset[str] = frozenset(
    {
        "ارتفع",
        "ارتفعت",
        "يرتفع",
        "ترتفع",
        "ارتفاع",
        "زاد",
        "زادت",
        "تزايد",
        "ازداد",
        "انخفض",
        "انخفضت",
        "تراجع",
        "تراجعت",
        "قفز",
        "قفزت",
    }
)

# Singular nouns whose dual is a count of two. Each is (singular, has a sound
# masculine plural). A noun with a sound plural (مدني -> مدنيين) spells its
# oblique dual like its plural, so only its -ان dual (مدنيان) is read as 2.
DUAL_NOUNS: tuple[tuple[str, bool], ...] = (
    ("عنصر", False),
    ("طفل", False),
    ("شخص", False),
    ("جندي", False),
    ("قتيل", False),
    ("جريح", False),
    ("رجل", True),  # رجلين is also "two legs"
    ("شاب", False),
    ("ضابط", False),
    ("قائد", False),
    ("أمير", False),
    ("سجين", False),
    ("أسير", False),
    ("حارس", False),
    ("زعيم", False),
    ("شقيق", False),
    ("ابن", False),
    ("طبيب", False),
    ("شهيد", False),
    ("فرد", False),
    ("صبي", False),
    ("صاروخ", False),
    ("لغم", False),
    ("انفجار", False),
    ("تفجير", False),
    ("هجوم", False),
    ("مدني", True),
    ("مسلح", True),
    ("مقاتل", True),
    ("معتقل", True),
    ("آخر", True),
    ("شرطي", True),
    ("عسكري", True),
    ("مواطن", True),
    ("مسعف", True),
    ("صحفي", True),
    ("ناشط", True),
    ("موظف", True),
    ("مهاجم", True),
    ("انتحاري", True),
    ("إرهابي", True),
    ("قيادي", True),
    ("متشدد", True),
    ("جهادي", True),
    ("مخطوف", True),
    ("مختطف", True),
    ("مصاب", True),
    ("امرأة", False),
    ("طفلة", False),
    ("فتاة", False),
    ("سيدة", False),
    ("شقيقة", False),
    ("ابنة", False),
    ("رهينة", False),
    ("جثة", False),
    ("عائلة", False),
    ("أسرة", False),
    ("سيارة", False),
    ("طائرة", False),
    ("مروحية", False),
    ("غارة", False),
    ("ضربة", False),
    ("قذيفة", False),
    ("عبوة", False),
    ("عملية", False),
    ("دبابة", False),
    ("آلية", False),
    ("عربة", False),
    ("مدرعة", False),
    ("شاحنة", False),
    ("حافلة", False),
)

# Ordinals: never counts, and they swallow a following عشر or و+tens
# ("الحادي عشر", "الخامس والعشرين").
ORDINALS: frozenset[str] = frozenset(
    {
        "أول",
        "أولى",
        "حادي",
        "حادية",
        "ثاني",
        "ثانية",
        "ثالث",
        "ثالثة",
        "رابع",
        "رابعة",
        "خامس",
        "خامسة",
        "سادس",
        "سادسة",
        "سابع",
        "سابعة",
        "ثامن",
        "ثامنة",
        "تاسع",
        "تاسعة",
        "عاشر",
        "عاشرة",
    }
)

# Month names (Gregorian, Levantine, Maghrebi). كانون and تشرين stand for
# their two months: the ordinal after them is part of the name.
MONTHS: frozenset[str] = frozenset(
    {
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "إبريل",
        "مايو",
        "يونيو",
        "يونيه",
        "يوليو",
        "يوليه",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
        "كانون",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين",
        "جانفي",
        "فيفري",
        "أفريل",
        "ماي",
        "جوان",
        "جويلية",
        "أوت",
    }
)

# Words right before a year-like number (1900-2100) that make it a year.
YEAR_CUES: frozenset[str] = frozenset(
    {
        "عام",
        "العام",
        "أعوام",
        "سنة",
        "السنة",
        "منذ",
        "حتى",
        "في",
        "خلال",
        "قبل",
        "بعد",
        "مطلع",
        "أوائل",
        "أواخر",
        "أواسط",
        "منتصف",
        "بداية",
        "نهاية",
        "ربيع",
        "صيف",
        "خريف",
        "شتاء",
    }
)
# Words right after a year that mark it as one ("2018م").
YEAR_SUFFIXES: frozenset[str] = frozenset({"م", "ميلادي", "ميلادية", "هـ"})

# Words right before a number that make it a label, a time or a share, not a
# count ("القرار 2254", "الفرقة 17", "الساعة 10", "بنسبة 40", "ميغ 21").
LABEL_CUES: frozenset[str] = frozenset(
    {
        "رقم",
        "قرار",
        "القرار",
        "المادة",
        "الفقرة",
        "البند",
        "الفرقة",
        "اللواء",
        "الفوج",
        "الكتيبة",
        "الطريق",
        "الصفحة",
        "عيار",
        "الساعة",
        "قناة",
        "فرانس",
        "جنيف",
        "نسبة",
        "ميغ",
        "سوخوي",
        "إس",
        "إف",
        "تي",
        "إم",
    }
)

# Words right after a number that make it a measure, a duration, a time of
# day, money or a share ("120 كلم", "خلال 24 ساعة", "10 صباحا", "40 بالمئة").
MEASURE_WORDS: frozenset[str] = frozenset(
    {
        "كلم",
        "كم",
        "كيلومتر",
        "كيلومترا",
        "كيلومترات",
        "كيلو",
        "كيلوغرام",
        "كيلوغراما",
        "كغ",
        "كلغ",
        "غرام",
        "طن",
        "أطنان",
        "متر",
        "مترا",
        "أمتار",
        "ميل",
        "ميلا",
        "أميال",
        "هكتار",
        "دونم",
        "دونما",
        "لتر",
        "برميل",
        "دولار",
        "دولارا",
        "دولارات",
        "يورو",
        "ليرة",
        "ليرات",
        "دينار",
        "دينارا",
        "دنانير",
        "ريال",
        "جنيه",
        "درهم",
        "بالمئة",
        "بالمائة",
        "ثانية",
        "ثوان",
        "ثواني",
        "دقيقة",
        "دقائق",
        "ساعة",
        "ساعات",
        "يوم",
        "يوما",
        "أيام",
        "أسبوع",
        "أسبوعا",
        "أسابيع",
        "شهر",
        "شهرا",
        "أشهر",
        "شهور",
        "عام",
        "عاما",
        "أعوام",
        "سنة",
        "سنوات",
        "سنين",
        "عقد",
        "عقود",
        "قرن",
        "قرون",
        "درجة",
        "درجات",
        "صباحا",
        "صباح",
        "مساء",
        "مساءا",
        "ظهرا",
        "فجرا",
        "ليلا",
    }
)
# Two-word measures after a number ("40 في المئة").
MEASURE_PHRASES: tuple[tuple[str, ...], ...] = (("في", "المئة"), ("في", "المائة"))

WEEKDAYS: frozenset[str] = frozenset(
    {"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}
)

# A duration word followed by a weekday, "أمس" or a year names a day or a
# year ("14 يوم الجمعة", "5 عام 2018"); it does not measure the number.
DATE_HEADS: frozenset[str] = frozenset({"يوم", "عام", "سنة"})
DATE_HEAD_FOLLOWERS: frozenset[str] = WEEKDAYS | {"أمس"}

# Words before واحد/اثنان that make them an idiom, not a count
# ("في آن واحد", "في وقت واحد", "مرة واحدة", "من جانب واحد").
NON_COUNT_HEADS: frozenset[str] = frozenset(
    {"آن", "وقت", "مرة", "دفعة", "لحظة", "جانب", "صوت", "طرف"}
)
