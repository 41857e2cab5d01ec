"""Canonical actors (CODEBOOK.md section 5) with the Arabic aliases seen in the news.

The list is extendable: add a canonical name and its aliases here. Actors not
on the list are kept as written (free text), as the codebook allows.
"""

CANONICAL_ACTORS: dict[str, tuple[str, ...]] = {
    "Islamic State": (
        "داعش",
        "تنظيم داعش",
        "تنظيم الدولة",
        "تنظيم الدولة الإسلامية",
        "الدولة الإسلامية",
        "الدولة الإسلامية في العراق والشام",
    ),
    "SDF": (
        "قسد",
        "قوات سوريا الديمقراطية",
        "قوات سورية الديمقراطية",
        "سوريا الديموقراطية",
        "سوريا الديمقراطية",
    ),
    "Asayish": ("الآسايش", "أسايش", "الأسايش", "قوى الأمن الداخلي"),
    "International Coalition": ("التحالف الدولي", "التحالف الدولي بقيادة واشنطن", "قوات التحالف"),
    "Iraqi Security Forces": (
        "القوات العراقية",
        "الجيش العراقي",
        "القوات الأمنية العراقية",
        "جهاز مكافحة الإرهاب",
    ),
    "Syrian Government Forces": (
        "قوات النظام",
        "الجيش السوري",
        "القوات الحكومية السورية",
        "قوات الحكومة السورية",
    ),
    "Popular Mobilization Forces": ("الحشد الشعبي",),
    "Turkish Armed Forces": ("الجيش التركي", "القوات التركية"),
    "Russian Forces": ("القوات الروسية",),
    "civilians": ("مدنيين", "مدنيا", "مدنياً", "المدنيين", "مواطنين", "المواطنين", "الأهالي"),
}

_BY_NAME: dict[str, str] = {
    name.casefold(): canonical
    for canonical, aliases in CANONICAL_ACTORS.items()
    for name in (canonical, *aliases)
}


def canonical_actor(name: str | None) -> str | None:
    """Map a canonical name or a known alias to its canonical name; keep others as written."""
    if name is None:
        return None
    stripped = name.strip()
    return _BY_NAME.get(stripped.casefold(), stripped) or None
