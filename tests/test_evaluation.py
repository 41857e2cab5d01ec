"""`athar eval` scoring on tiny gold and prediction files whose right scores are
worked out by hand in the comments."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluation import events_agree, score
from extractor.matching import one_to_one, place_key
from schemas.gold import GoldDocument, GoldEvent


def figure(id: str, category: str, best, low, high, qualifier: str, **extra) -> dict:
    return {
        "id": id,
        "category": category,
        "best": best,
        "low": low,
        "high": high,
        "qualifier": qualifier,
        **extra,
    }


def event(id: str, event_type: str, **extra) -> dict:
    return {"id": id, "event_type": event_type, **extra}


GOLD = [
    {
        "doc_id": "a",
        "text_sha256": "sha-a",
        "figures": [
            figure(
                "F1",
                "killed",
                5,
                5,
                5,
                "exact",
                actor="SDF",
                count_span=[10, 11],
                count_quote="5",
                evidence="قتل 5 عناصر",
            ),
            figure(
                "F2",
                "killed",
                2,
                2,
                2,
                "exact",
                actor="SDF",
                subgroup="children",
                part_of="F1",
                count_span=[20, 21],
            ),
            figure("F3", "wounded", 10, 11, None, "more_than", count_quote="أكثر من 10"),
            figure("F4", "casualties", None, None, None, "unknown"),
        ],
        "events": [
            event(
                "E1",
                "armed_clash",
                location_name="بلدة هجين",
                admin1="Deir ez-Zor",
                country="SY",
                date="2018-09-01",
                actor1="SDF",
                actor2="Islamic State",
            ),
            event(
                "E2",
                "air_strike",
                admin1="Hasakah",
                country="SY",
                actor1="International Coalition",
                actor2="Islamic State",
            ),
        ],
    },
    {
        "doc_id": "b",
        "text_sha256": "sha-b",
        "figures": [figure("F1", "arrested", 3, 3, 3, "exact")],
        "events": [],
    },
]

PRED = [
    {
        "doc_id": "a-under-another-id",
        "text_sha256": "sha-a",
        "figures": [
            # same fact twice: the copy whose count span overlaps gold must be the match,
            # or P2's link to P1 would not land on F1
            figure("P5", "killed", 5, 5, 5, "exact", actor="SDF", count_span=[40, 41]),
            figure("P1", "killed", 5, 5, 5, "exact", actor="SDF", count_span=[10, 11]),
            figure(
                "P2",
                "killed",
                2,
                2,
                2,
                "exact",
                actor="civilians",
                subgroup="children",
                part_of="P1",
                count_span=[20, 21],
            ),
            figure("P3", "wounded", 10, 10, None, "at_least"),
            figure("P4", "casualties", None, None, None, "unknown"),
        ],
        "events": [
            event(
                "Q1",
                "armed_clash",
                location_name="هجين",
                admin1="Deir ez-Zor",
                country="SY",
                date="2018-09-01",
                actor1="داعش",
                actor2="SDF",
            ),
            event(
                "Q2",
                "air_strike",
                location_name="الحسكة",
                admin1="Hasakah",
                country="SY",
                actor1="International Coalition",
            ),
            event("Q3", "shelling", location_name="هجين", admin1="Deir ez-Zor"),
        ],
    },
    {"doc_id": "c", "text_sha256": "sha-c", "figures": [], "events": []},
]

# By hand: numbered figures, gold F1 F2 F3 (a) + F1 (b) = 4; predicted P5 P1 P2 P3 = 4;
# matched F1-P1, F2-P2 = 2 (P3's low differs from F3's; P5 has no partner left).
# Unknown: F4-P4. Events: gold 2, predicted 3, matched E1-Q1 (same town after
# dropping "بلدة"), E2-Q2 (gold names no place: same governorate).
EXPECTED = {
    "figures": (2, 4, 4, 0.5, 0.5, 0.5),
    "figures_unknown": (1, 1, 1, 1.0, 1.0, 1.0),
    "events": (2, 3, 2, 2 / 3, 1.0, 0.8),
}


def documents(items: list[dict]) -> list[GoldDocument]:
    return [GoldDocument.model_validate(d) for d in items]


def prf(d: dict) -> tuple:
    return (d["matched"], d["predicted"], d["gold"], d["precision"], d["recall"], d["f1"])


def test_scores_match_the_hand_count():
    result = score(documents(GOLD), documents(PRED)).to_dict()
    for key, expected in EXPECTED.items():
        assert prf(result[key]) == pytest.approx(expected)
    fields = {k: (v["correct"], v["total"]) for k, v in result["figure_fields"].items()}
    assert fields["qualifier"] == (2, 2)
    assert fields["actor"] == (1, 2)  # P2 says civilians, gold SDF
    assert fields["subgroup"] == (2, 2)
    assert fields["part_of"] == (2, 2)  # P2 -> P1, and P1 is F1's partner
    assert fields["count_span"] == (2, 2)
    events = {k: (v["correct"], v["total"]) for k, v in result["event_fields"].items()}
    assert events["date"] == (2, 2)  # E2 and Q2 both undated
    assert events["actors"] == (1, 2)  # order does not matter; Q2 lacks Islamic State
    assert result["missing_predictions"] == ["b"]
    assert result["unscored_predictions"] == ["c"]


def test_part_of_is_wrong_when_the_link_points_at_an_unmatched_figure():
    gold = documents(GOLD[:1])
    pred = documents(PRED[:1])
    pred[0].figures[2].part_of = "P5"  # the duplicate, not F1's partner
    fields = score(gold, pred).to_dict()["figure_fields"]
    assert (fields["part_of"]["correct"], fields["part_of"]["total"]) == (1, 2)


def test_perfect_predictions_score_one():
    result = score(documents(GOLD), documents(GOLD)).to_dict()
    assert result["figures"]["f1"] == result["events"]["f1"] == 1.0
    assert all(v["accuracy"] == 1.0 for v in result["figure_fields"].values())


def test_documents_without_sha_pair_by_id_and_different_shas_never_pair():
    gold = documents([{"doc_id": "x", "figures": [figure("F1", "killed", 1, 1, 1, "exact")]}])
    by_id = documents([{"doc_id": "x", "figures": [figure("P1", "killed", 1, 1, 1, "exact")]}])
    assert score(gold, by_id).figures.matched == 1
    gold[0].text_sha256 = "one"
    other = by_id[0].model_copy(update={"text_sha256": "two"})
    assert score(gold, [other]).figures.matched == 0


def test_matching_is_one_to_one_and_as_large_as_possible():
    # gold 0 could take 0 or 1, gold 1 only 0: greedy would leave gold 1 alone
    assert one_to_one([[0, 1], [0]]) == {0: 1, 1: 0}
    assert one_to_one([[0], [0], [0]]) == {0: 0}


@pytest.mark.parametrize(
    ("gold", "pred", "same"),
    [
        ({"location_name": "بلدة هجين"}, {"location_name": "هجين"}, True),
        ({"location_name": "أطراف بلدة ذيبان"}, {"location_name": "ذيبان"}, True),
        ({"location_name": "ريف دير الزور"}, {"location_name": "دير الزور"}, False),
        (
            {"location_name": "هجين", "admin1": "Deir ez-Zor"},
            {"location_name": "الشعفة", "admin1": "Deir ez-Zor"},
            False,
        ),
        ({"admin1": "Hasakah"}, {"location_name": "القامشلي", "admin1": "Hasakah"}, True),
        ({"admin1": "Hasakah"}, {"location_name": "الرقة", "admin1": "Raqqa"}, False),
        ({"country": "IQ"}, {"country": "IQ"}, True),
        (
            {"country": "IQ"},
            {"location_name": "الموصل", "admin1": "Nineveh", "country": "IQ"},
            False,
        ),
    ],
)
def test_event_places_match_by_name_else_by_governorate(gold, pred, same):
    g = GoldEvent(id="E1", event_type="armed_clash", **gold)
    p = GoldEvent(id="Q1", event_type="armed_clash", **pred)
    assert events_agree(g, p) is same
    other_type = p.model_copy(update={"event_type": "shelling"})
    assert events_agree(g, other_type) is False


def test_place_keys_fold_spelling_and_kind_words():
    assert place_key("مدينة الحسكة") == place_key("الحسكه") == place_key("الحَسَكة")
    assert place_key(None) is None and place_key("مدينة") is None


def write(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in items), "utf-8")
    return path


def test_athar_eval_pred_prints_the_same_numbers_as_json(tmp_path, sqlite_url):
    gold = write(tmp_path / "gold.jsonl", GOLD)
    pred = write(tmp_path / "pred.jsonl", PRED)
    result = CliRunner().invoke(
        app, ["--db", sqlite_url, "eval", "--gold", str(gold), "--pred", str(pred), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for key, expected in EXPECTED.items():
        assert prf(out[key]) == pytest.approx(expected)


def test_athar_eval_per_doc_lists_misses_and_false_alarms_with_quotes(tmp_path, sqlite_url):
    gold = write(tmp_path / "gold.jsonl", GOLD)
    pred = write(tmp_path / "pred.jsonl", PRED)
    args = ["--db", sqlite_url, "eval", "--gold", str(gold), "--pred", str(pred)]
    table = CliRunner().invoke(app, [*args, "--per-doc"], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "أكثر من 10" in table.output  # F3 missed, shown with its count quote
    assert "no prediction" in table.output  # document b
    out = json.loads(CliRunner().invoke(app, [*args, "--json", "--per-doc"]).output)
    doc_a = out["per_document"][0]
    assert [f["id"] for f in doc_a["figure_misses"]] == ["F3"]
    assert sorted(f["id"] for f in doc_a["figure_false_alarms"]) == ["P3", "P5"]
    assert [e["id"] for e in doc_a["event_false_alarms"]] == ["Q3"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of"),
        (["--run", "1", "--backend", "rules"], "exactly one of"),
        (["--run", "99"], "no run 99"),
        (["--pred", "missing.jsonl"], "cannot read"),
        (["--backend", "rules"], "athar ingest"),
    ],
)
def test_athar_eval_says_what_is_wrong(tmp_path, sqlite_url, args, message):
    gold = write(tmp_path / "gold.jsonl", GOLD)
    result = CliRunner().invoke(app, ["--db", sqlite_url, "eval", "--gold", str(gold), *args])
    assert result.exit_code != 0
    assert message in result.output
