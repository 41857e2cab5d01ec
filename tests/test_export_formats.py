"""Every export format, from a database reviewed through the decision functions."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from reviewed_db import ARTICLE, review
from typer.testing import CliRunner

from db.engine import session_scope
from extractor.cli import app
from extractor.cli_export import WRITERS, ExportFormat, export_to
from extractor.exports.acled import fatalities, lowest_reported
from schemas.gold import GoldDocument, records_from_gold

runner = CliRunner()


@pytest.fixture
def reviewed(sqlite_engine, sqlite_url):
    return sqlite_engine, sqlite_url, review(sqlite_engine)


def run_export(url: str, out: Path, *args: str) -> None:
    result = runner.invoke(app, ["--db", url, "export", "--out", str(out), *args])
    assert result.exit_code == 0, result.output


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_is_the_default_and_holds_the_review(reviewed, tmp_path):
    _, url, _ = reviewed
    out = tmp_path / "gold.jsonl"
    run_export(url, out)
    (doc,) = lines(out)  # the document left in progress is not exported
    assert doc["doc_id"] == "t-1" and doc["text"] == ARTICLE and doc["state"] == "done"
    assert doc["extractions"][0]["prompt_tokens"] == 900
    assert doc["extractions"][0]["run"]["params"] == {"temperature": 0}
    records = {r["key"]: r for r in doc["records"]}
    assert records["F4"]["rejected"] and records["F5"]["origin"] == "human"
    assert records["F1"]["prompt_version"] == "p1" and records["F5"]["backend"] is None
    by = next(v for v in records["F3"]["values"] if v["field"] == "reported_by")
    assert by["model"]["value"] is None and by["decision"] == "edited"
    assert by["final"]["value"] == "SOHR" and by["decided_by"] == "mona"
    start, end = by["final"]["start"], by["final"]["end"]
    assert ARTICLE[start:end] == by["final"]["source"] == "المرصد"
    actor2 = next(v for v in records["E2"]["values"] if v["field"] == "actor2")
    assert actor2["decision"] == "rejected" and actor2["final"]["value"] is None
    assert actor2["model"]["value"] == "civilians"
    actions = [a["action"] for a in doc["audit"]]
    assert actions[:3] == ["edited", "undo", "edited"] and actions[-1] == "done"
    assert doc["audit"][1]["after"]["undoes"] == 1
    assert doc["audit"][0]["record"] == records["F3"]["n"]
    assert doc["audit"][0]["field"] == "reported_by"


def test_state_all_and_since_choose_documents(reviewed, tmp_path):
    _, url, _ = reviewed
    run_export(url, tmp_path / "all.jsonl", "--state", "all")
    assert [d["state"] for d in lines(tmp_path / "all.jsonl")] == ["done", "in_progress"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    run_export(url, tmp_path / "later.jsonl", "--since", tomorrow)
    assert lines(tmp_path / "later.jsonl") == []
    run_export(url, tmp_path / "since.jsonl", "--since", "2020-01-01")
    assert len(lines(tmp_path / "since.jsonl")) == 1


def test_csv_has_one_row_per_value_with_final_state(reviewed, tmp_path):
    _, url, done = reviewed
    out = tmp_path / "values.csv"
    run_export(url, out, "--format", "csv")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == done.values
    by = next(r for r in rows if r["record"] == "F3" and r["field"] == "reported_by")
    assert json.loads(by["final_value"]) == "SOHR" and by["decision"] == "edited"
    assert ARTICLE[int(by["start"]) : int(by["end"])] == by["quote"]
    rejected_record = [r for r in rows if r["record"] == "F4"]
    assert rejected_record and all(r["final_value"] == "" for r in rejected_record)
    count = next(r for r in rows if r["record"] == "F1" and r["field"] == "count")
    assert (
        json.loads(count["model_value"])["best"] == 7 and count["model_quote"] == "ما لا يقل عن ٧"
    )


def test_parquet_reads_back_typed_and_equal_to_the_csv(reviewed, tmp_path):
    _, url, done = reviewed
    run_export(url, tmp_path / "values.parquet", "--format", "parquet")
    run_export(url, tmp_path / "values.csv", "--format", "csv")
    table = pq.read_table(tmp_path / "values.parquet")
    assert table.num_rows == done.values
    assert str(table.schema.field("start").type) == "int64"
    assert str(table.schema.field("decided_at").type) == "timestamp[us, tz=UTC]"
    with (tmp_path / "values.csv").open(encoding="utf-8", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    parquet_rows = table.to_pylist()
    assert [r["final_value"] or "" for r in parquet_rows] == [r["final_value"] for r in csv_rows]
    decided = [r["decided_at"] for r in parquet_rows]
    assert [d.isoformat() if d else "" for d in decided] == [r["decided_at"] for r in csv_rows]


def test_acled_csv_rows_and_fatalities(reviewed, tmp_path):
    _, url, _ = reviewed
    out = tmp_path / "acled.csv"
    run_export(url, out, "--format", "acled-csv")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {r["event_id_cnty"]: r for r in csv.DictReader(handle)}
    clash, arrest = rows["t-1:E1"], rows["t-1:E2"]
    assert (clash["event_type"], clash["sub_event_type"]) == ("Battles", "Armed clash")
    # SDF toll: 7 (at least) and 5 (SOHR) are two reports of one toll -> 5; the two
    # leaders are part of it; the rejected F4 (the wounded) is not counted.
    assert clash["fatalities"] == "5"
    assert clash["event_date"] == "2026-03-13" and clash["time_precision"] == "1"
    assert clash["location"] == "ذيبان" and clash["admin1"] == "Deir ez-Zor"
    assert "في هجوم شنّه تنظيم داعش على بلدة ذيبان" in clash["notes"]
    assert arrest["sub_event_type"] == "Arrests" and arrest["actor2"] == ""


def test_acled_lowest_reported_number_per_qualifier():
    assert lowest_reported({"best": 7, "low": 7, "high": None}) == 7
    assert lowest_reported({"best": 10, "low": 11, "high": None}) == 10  # more than 10
    assert lowest_reported({"best": None, "low": 5, "high": 9}) == 5  # between 5 and 9
    assert lowest_reported({"best": 10, "low": 10, "high": 99}) == 10  # عشرات
    assert lowest_reported({"best": None, "low": None, "high": None}) is None


def test_acled_fatalities_add_groups_and_take_the_lowest_report():
    gold = GoldDocument.model_validate(
        {
            "doc_id": "x",
            "figures": [
                {"id": "F1", "category": "killed", "best": 4, "low": 4, "actor": "SDF"},
                {"id": "F2", "category": "killed", "best": 6, "low": 6, "actor": "SDF"},
                {"id": "F3", "category": "killed", "best": 3, "low": 3, "actor": "Islamic State"},
                {"id": "F4", "category": "killed", "best": 1, "actor": "SDF", "part_of": "F2"},
                {"id": "F5", "category": "wounded", "best": 9, "actor": "SDF"},
                {"id": "F6", "category": "killed", "qualifier": "unknown", "actor": "civilians"},
                {"id": "F7", "category": "killed", "best": 50, "actor": "SDF", "event": "E9"},
            ],
        }
    )
    records = records_from_gold(gold)
    for record in records:
        if record.key != "F7":
            event = next(v for v in record.values if v.field == "event")
            record.values[record.values.index(event)] = event.model_copy(update={"value": "E1"})
    total, unnumbered = fatalities("E1", records)
    assert total == 4 + 3
    assert unnumbered == ["F6"]


def test_gold_v1_scores_f1_one_against_itself(reviewed, tmp_path):
    _, url, _ = reviewed
    out = tmp_path / "gold.jsonl"
    run_export(url, out, "--format", "gold-v1", "--state", "all")
    documents = [GoldDocument.model_validate(d) for d in lines(out)]
    assert [(len(d.figures), len(d.events)) for d in documents] == [(4, 2), (0, 1)]
    result = runner.invoke(app, ["eval", "--gold", str(out), "--pred", str(out), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["figures"]["f1"] == 1.0 and scores["events"]["f1"] == 1.0
    assert scores["figures"]["matched"] == 4 and scores["events"]["matched"] == 3


def test_a_failed_export_leaves_the_previous_file_untouched(reviewed, tmp_path, monkeypatch):
    engine, _, _ = reviewed
    out = tmp_path / "gold.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    writer = WRITERS[ExportFormat.JSONL]

    def crash(dumps, handle):
        handle.write("half a line")
        raise RuntimeError("disk gone")

    monkeypatch.setitem(
        WRITERS, ExportFormat.JSONL, writer.__class__(crash, writer.open_args, writer.history)
    )
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        export_to(session, out, ExportFormat.JSONL)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".gold")] == []
