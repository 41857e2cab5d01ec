"""The rules backend's events and dates, on sentences written for these tests."""

import asyncio
from datetime import date

import pytest

from extractor.rules import RulesBackend, extract_records
from extractor.rules.dates import find_dates, publication_date
from extractor.rules.lexicon import lexicon
from extractor.rules.text import Article
from schemas.codebook import RecordKind

SUNDAY = "Sun, 02 Sep 2018 20:03:23 GMT"


def events(text: str, published: str | None = SUNDAY) -> list[dict]:
    out = []
    for record in extract_records(text, published):
        for citation in [record.evidence, *(v.citation for v in record.values)]:
            if citation.quote is not None:
                assert text[citation.start : citation.end] == citation.quote
        if record.kind == RecordKind.EVENT:
            values = {v.field: v.value for v in record.values}
            values["quotes"] = {v.field: v.citation.quote for v in record.values}
            values["actors"] = {values["actor1"], values["actor2"]} - {None}
            out.append(values)
    return out


def only(text: str, published: str | None = SUNDAY) -> dict:
    found = events(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("published", "day"),
    [
        ("Sun, 02 Sep 2018 20:03:23 GMT", date(2018, 9, 2)),
        ("Fri, 01 Jun 2018 21:35:15 +0400", date(2018, 6, 1)),
        ("2026-03-14", date(2026, 3, 14)),
        ("2026-03-14T08:00:00Z", date(2026, 3, 14)),
        ("", None),
        (None, None),
        ("not a date", None),
    ],
)
def test_publication_dates_in_the_formats_sources_give(published, day):
    assert publication_date(published) == day


def dates(text: str, published: date | None) -> list[tuple[str, str | None, str]]:
    lx = lexicon()
    article = Article(text, lx)
    out = []
    for mention in find_dates(article, lx.dates, published):
        start, end = article.shadow.to_raw(mention.start, mention.end)
        value = mention.value.isoformat() if mention.value else None
        out.append((text[start:end], value, mention.precision))
    return out


SUNDAY_DATE = date(2018, 9, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وقع الهجوم أمس", ("أمس", "2018-09-01", "day")),
        ("وقع الهجوم اليوم", ("اليوم", "2018-09-02", "day")),
        ("وقع الهجوم يوم الجمعة", ("الجمعة", "2018-08-31", "day")),
        ("وقع الهجوم الأحد", ("الأحد", "2018-09-02", "day")),
        ("منذ الاثنين الماضي", ("الاثنين الماضي", "2018-08-27", "day")),
        ("في الـ 10 من سبتمبر من العام 2017", ("10 من سبتمبر من العام 2017", "2017-09-10", "day")),
        (
            "في التاسع من كانون الثاني/يناير 2017",
            ("التاسع من كانون الثاني/يناير 2017", "2017-01-09", "day"),
        ),
        ("في 20 آب الماضي", ("20 آب الماضي", "2018-08-20", "day")),
        ("في 20 تشرين الأول", ("20 تشرين الأول", "2017-10-20", "day")),
        (
            "منذ مطلع كانون الأول/ديسمبر من العام 2016",
            ("مطلع كانون الأول/ديسمبر من العام 2016", "2016-12-01", "month"),
        ),
        ("خلال الشهر الماضي", ("الشهر الماضي", "2018-08-01", "month")),
        ("منذ عام 2013", ("عام 2013", "2013-01-01", "year")),
        ("في 12/08/2018", ("12/08/2018", "2018-08-12", "day")),
    ],
)
def test_dates_resolve_against_the_publication_day(text, expected):
    assert dates(text, SUNDAY_DATE) == [expected]


def test_a_date_without_year_borrows_the_year_of_the_next_full_date():
    found = dates("في 16 تشرين الثاني و28 كانون الأول 2017", SUNDAY_DATE)
    assert [value for _, value, _ in found] == ["2017-11-16", "2017-12-28"]


def test_without_publication_date_the_latest_full_date_is_the_reference():
    found = dates("في 13 كانون الأول 2018 قال المصدر إن الهجوم وقع أمس", None)
    assert ("أمس", "2018-12-12", "day") in found


def test_relative_dates_stay_unresolved_without_any_reference():
    assert dates("وقع الهجوم أمس", None) == [("أمس", None, "day")]


def test_an_event_has_type_place_date_and_actors():
    found = only(
        "اندلعت اشتباكات عنيفة أمس بين قوات سوريا الديمقراطية وتنظيم داعش "
        "في بلدة هجين بريف دير الزور الشرقي."
    )
    assert found["event_type"] == "armed_clash"
    assert found["quotes"]["event_type"] == "اشتباكات"
    assert found["date"] == {"value": "2018-09-01", "precision": "day"}
    assert found["location"] == {"name": "بلدة هجين", "admin1": "Deir ez-Zor", "country": "SY"}
    assert found["actors"] == {"SDF", "Islamic State"}


@pytest.mark.parametrize(
    ("text", "event_type", "admin1", "country"),
    [
        (
            "شنت طائرات التحالف الدولي غارات جوية على مواقع في الباغوز.",
            "air_strike",
            "Deir ez-Zor",
            "SY",
        ),
        ("استهدفت طائرات روسية بلدة الهبيط في ريف إدلب.", "air_strike", "Idlib", "SY"),
        ("قصفت قوات النظام بالمدفعية بلدة اللطامنة.", "shelling", "Hama", "SY"),
        ("اعتقلت قوات الأسايش خمسة أشخاص في مدينة القامشلي.", "arrest", "Hasakah", "SY"),
        ("تمكن 17 سجينا من الفرار من سجن بادوش في نينوى.", "prison_break", "Nineveh", "IQ"),
        ("نزح آلاف المدنيين من مدينة الرقة.", "displacement", "Raqqa", "SY"),
        ("فرضت السلطات حظر التجول في مدينة كركوك.", "security_measure", "Kirkuk", "IQ"),
        ("خرجت مظاهرات في مدينة درعا.", "protest", "Daraa", "SY"),
        ("فجر انتحاري نفسه في سوق مدينة الموصل.", "suicide_bombing", "Nineveh", "IQ"),
        ("انفجرت عبوة ناسفة في حي الكرادة.", "explosive_device", "Baghdad", "IQ"),
        ("سيطرت قوات النظام على مدينة تدمر.", "territory_taken", "Homs", "SY"),
        (
            "اشتبكت قوات الحكومة السورية مع داعش في منطقة تلول الصفا.",
            "armed_clash",
            "Suwayda",
            "SY",
        ),
    ],
)
def test_event_types_and_gazetteer_places(text, event_type, admin1, country):
    found = only(text)
    assert found["event_type"] == event_type
    assert (found["location"]["admin1"], found["location"]["country"]) == (admin1, country)


def test_a_trigger_without_a_place_in_its_sentence_is_no_event():
    assert events("واستمرت الاشتباكات طوال الليل.") == []


@pytest.mark.parametrize(
    "text",
    [
        "يخشى السكان معركة مرتقبة في إدلب.",  # expected, not happened
        "تستعد القوات لشن هجوم على مدينة الرقة.",  # preparing
        "قتل 12 شخصا في القصف والاشتباكات والغارات على ريف حماة.",  # a list of causes
        "تنفي أنقرة استهداف المدنيين في منطقة عفرين.",  # denied
    ],
)
def test_unreal_and_background_triggers_are_not_events(text):
    assert events(text) == []


def test_one_event_per_type_place_and_day():
    text = (
        "اندلعت اشتباكات عنيفة مع داعش في بلدة هجين. وتواصلت الاشتباكات مع داعش في هجين. "
        "واندلعت اشتباكات أخرى مع داعش في مدينة البوكمال."
    )
    assert [e["location"]["name"] for e in events(text)] == ["بلدة هجين", "مدينة البوكمال"]


def test_two_towns_named_together_are_two_places():
    found = events("استعادت قوات النظام مدينتي البوكمال والميادين.")
    assert [e["location"]["name"] for e in found] == ["مدينتي البوكمال", "الميادين"]


def test_a_figure_links_to_the_event_of_its_sentence():
    text = "قتل 5 مدنيين في غارات جوية على بلدة هجين."
    records = extract_records(text, SUNDAY)
    figure = next(r for r in records if r.kind == RecordKind.FIGURE)
    event = next(r for r in records if r.kind == RecordKind.EVENT)
    assert figure.value("event") == event.key


def test_the_backend_protocol_wraps_extract_records():
    from extractor.backend import Article as Input

    backend = RulesBackend()
    assert (backend.name, backend.model, backend.endpoint_host, backend.params) == (
        "rules",
        "rules",
        None,
        {},
    )
    text = "قتل 5 مدنيين في غارات جوية على بلدة هجين."
    result = asyncio.run(backend.extract(Input(text=text, published=SUNDAY)))
    assert result.status == "ok"
    assert [r.model_dump() for r in result.records] == [
        r.model_dump() for r in extract_records(text, SUNDAY)
    ]


def test_a_campaign_toll_names_causes_not_events():
    campaign = "ارتفع إلى 900 عدد القتلى في القصف والاشتباكات على بلدة هجين منذ مطلع الشهر."
    assert events(campaign) == []
    incident = "ارتفعت حصيلة ضحايا انفجار السيارة المفخخة في مدينة القامشلي يوم الجمعة إلى 14."
    assert only(incident)["event_type"] == "explosive_device"


def test_a_clash_needs_a_side():
    assert events("اندلعت اشتباكات عنيفة في بلدة هجين.") == []
    assert only("اندلعت اشتباكات عنيفة مع تنظيم داعش في بلدة هجين.")["actors"] == {"Islamic State"}


def test_a_trigger_of_purpose_is_no_event_but_one_undergone_is():
    assert events("أطلقت قوات سوريا الديمقراطية حملة لطرد تنظيم داعش من بلدة هجين.") == []
    found = only("قتل جنديان إثر تعرض دورية للقوات التركية لهجوم في بلدة الباب.")
    assert found["event_type"] == "armed_clash"


def test_a_prison_break_happens_at_the_prison():
    found = only("أكد مصدر أمني في كركوك هروب 12 سجينا من سجن التسفيرات ليلة أمس.")
    assert found["event_type"] == "prison_break"
    assert found["location"]["name"] == "سجن التسفيرات"


def test_the_narrower_of_two_places_in_a_row_is_the_place():
    found = only("قتل ثلاثة مدنيين في غارة جوية في محافظة دير الزور في بلدة الشحيل.")
    assert found["location"]["name"] == "بلدة الشحيل"
    assert found["location"]["admin1"] == "Deir ez-Zor"
