"""The codebook as Pydantic models: validators and the strict JSON schema."""

import pytest
from pydantic import ValidationError

from schemas.actors import canonical_actor
from schemas.codebook import ACLED_TYPES, EventType, Qualifier
from schemas.extraction import ArticleExtraction, EventOut, FigureOut
from schemas.gold import GoldDocument, gold_document, records_from_gold
from schemas.numbers import count_bounds_error


def figure(**overrides) -> dict:
    base = {
        "id": "F1",
        "evidence": "مقتل 21 عنصرا",
        "category": "killed",
        "category_quote": "مقتل",
        "count_quote": "21",
        "best": 21,
        "low": 21,
        "high": 21,
        "qualifier": "exact",
        "vague_term": None,
        "unit": "persons",
        "unit_quote": None,
        "actor": "داعش",
        "subgroup": None,
        "group_quote": None,
        "scope": "incident",
        "since": None,
        "until": None,
        "scope_quote": None,
        "part_of": None,
        "part_of_quote": None,
        "event": None,
        "reported_by": None,
        "reported_by_quote": None,
    }
    return base | overrides


def assert_openai_strict(schema: dict, path: str = "$") -> None:
    """The rules of OpenAI strict structured outputs, checked on every sub-schema."""
    if "$ref" in schema:
        assert set(schema) == {"$ref"}, f"{path}: $ref has siblings {set(schema) - {'$ref'}}"
    if schema.get("type") == "object" or "properties" in schema:
        assert schema.get("additionalProperties") is False, f"{path}: additionalProperties"
        assert set(schema.get("required", [])) == set(schema["properties"]), f"{path}: required"
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            assert_openai_strict(sub, f"{path}.{name}")
    for key in ("anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            assert_openai_strict(sub, f"{path}.{key}[{i}]")
    for key in ("items",):
        if isinstance(schema.get(key), dict):
            assert_openai_strict(schema[key], f"{path}.{key}")
    for forbidden in ("default", "oneOf"):
        assert forbidden not in schema, f"{path}: {forbidden} is not allowed"


def test_model_schema_is_openai_strict():
    assert_openai_strict(ArticleExtraction.model_json_schema())


def test_strict_checker_catches_an_optional_field():
    from pydantic import BaseModel, ConfigDict

    class Loose(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str | None = None

    with pytest.raises(AssertionError):
        assert_openai_strict(Loose.model_json_schema())


@pytest.mark.parametrize("digits", ["٢١", "۲۱", "21", " 21 "])
def test_counts_accept_every_digit_script(digits):
    parsed = FigureOut.model_validate(figure(best=digits, low=digits, high=digits))
    assert (parsed.best, parsed.low, parsed.high) == (21, 21, 21)


def test_thousands_separator_in_arabic_digits():
    parsed = FigureOut.model_validate(figure(best="١٬٢١٥", low="1,215", high=1215))
    assert parsed.best == 1215


@pytest.mark.parametrize(
    ("qualifier", "best", "low", "high"),
    [
        ("exact", 21, 21, 21),
        ("at_least", 15, 15, None),
        ("more_than", 21, 22, None),
        ("less_than", None, 1, 9),
        ("approx", 1215, None, None),
        ("range", None, 5, 10),
        ("vague", 10, 10, 99),
        ("unknown", None, None, None),
    ],
)
def test_every_count_table_row_is_consistent(qualifier, best, low, high):
    assert count_bounds_error(best, low, high, Qualifier(qualifier)) is None
    FigureOut.model_validate(figure(qualifier=qualifier, best=best, low=low, high=high))


@pytest.mark.parametrize(
    ("qualifier", "best", "low", "high"),
    [
        ("exact", 21, 20, 21),
        ("at_least", 15, 15, 20),
        ("more_than", 21, 21, None),
        ("approx", None, None, None),
        ("range", 7, 5, 10),
        ("unknown", 3, None, None),
        ("exact", 30, 21, 21),
        ("range", None, 10, 5),
    ],
)
def test_inconsistent_bounds_are_refused_with_a_reason(qualifier, best, low, high):
    with pytest.raises(ValidationError, match="F1"):
        FigureOut.model_validate(figure(qualifier=qualifier, best=best, low=low, high=high))


def test_extra_keys_and_bad_enums_are_refused():
    with pytest.raises(ValidationError):
        FigureOut.model_validate(figure(offsets=[1, 2]))
    with pytest.raises(ValidationError):
        FigureOut.model_validate(figure(category="murdered"))


def test_event_dates_must_be_iso():
    event = {
        "id": "E1",
        "evidence": "هجوم على نقطة",
        "event_type": "armed_clash",
        "trigger_quote": "هجوم",
        "date": "13/03/2026",
        "date_precision": "day",
        "date_quote": None,
        "location_name": None,
        "admin1": None,
        "country": None,
        "location_quote": None,
        "actor1": None,
        "actor1_quote": None,
        "actor2": None,
        "actor2_quote": None,
        "reported_by": None,
        "reported_by_quote": None,
    }
    with pytest.raises(ValidationError):
        EventOut.model_validate(event)
    assert EventOut.model_validate(event | {"date": "2026-03-13"}).date == "2026-03-13"


def test_every_event_type_maps_to_acled():
    assert set(ACLED_TYPES) == set(EventType)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("داعش", "Islamic State"),
        ("قسد", "SDF"),
        ("قوات سورية الديمقراطية", "SDF"),
        ("SDF", "SDF"),
        ("الحشد الشعبي", "Popular Mobilization Forces"),
        ("Wagner Group", "Wagner Group"),
        (None, None),
    ],
)
def test_actor_aliases_map_to_canonical_names(written, canonical):
    assert canonical_actor(written) == canonical


def test_gold_format_round_trips_through_grounded_records(dev_gold):
    for line in dev_gold:
        doc = GoldDocument.model_validate(line)
        back = gold_document(doc.doc_id, doc.text_sha256, records_from_gold(doc))
        assert back.model_dump(mode="json") == doc.model_dump(mode="json")
