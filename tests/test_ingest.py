"""Ingest: every kind of input, every kind of bad input, through the real CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.ingest import MAX_BYTES, Problem, decode, read_paths

ARTICLE = "أعلنت قوى الأمن الداخلي القبض على ١٢ شخصاً في مدينة الحسكة أمس."
OTHER = "قُتل 7 عناصر من قوات سوريا الديمقراطية في هجوم بريف دير الزور."


def athar(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATHAR_DB": str(db)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "extractor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def items(*paths: Path) -> tuple[list, list[Problem]]:
    found = list(read_paths(list(paths)))
    return [i for i in found if not isinstance(i, Problem)], [
        i for i in found if isinstance(i, Problem)
    ]


def test_txt_is_stored_exactly_as_decoded(tmp_path):
    raw = "\ufeff" + ARTICLE + "\r\n\u200f"
    (tmp_path / "a.txt").write_bytes(raw.encode("utf-8"))
    docs, problems = items(tmp_path / "a.txt")
    assert problems == [] and docs[0].text == raw[1:]  # only the BOM goes


def test_windows_1256_arabic_is_detected(tmp_path):
    (tmp_path / "old.txt").write_bytes(ARTICLE.replace("١٢", "12").encode("cp1256"))
    docs, problems = items(tmp_path / "old.txt")
    assert problems == [] and docs[0].text == ARTICLE.replace("١٢", "12")


def test_latin_noise_is_not_taken_for_windows_1256():
    with pytest.raises(ValueError, match="undecodable byte at offset 0"):
        decode(bytes([0xE9]) + b"caf" + bytes([0xE9, 0xFF, 0xFE]) * 3)


def test_utf16_with_bom(tmp_path):
    (tmp_path / "u.txt").write_bytes(ARTICLE.encode("utf-16"))
    assert items(tmp_path / "u.txt")[0][0].text == ARTICLE


def test_jsonl_with_metadata_and_bad_lines(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {"id": "x1", "title": "عنوان", "published": "2026-03-14", "text": ARTICLE},
            ensure_ascii=False,
        ),
        '{"id": "x2", "text": "broken',
        json.dumps({"id": "x3"}),
        "",
        json.dumps({"id": "x4", "text": "   "}),
        json.dumps({"id": 5, "text": OTHER}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = items(path)
    assert [(d.external_id, d.title, d.published) for d in docs] == [
        ("x1", "عنوان", "2026-03-14"),
        ("5", None, None),
    ]
    assert [str(p) for p in problems] == [
        f"{path}:2: malformed JSON (Unterminated string starting at: line 1 column 22 (char 21))",
        f"{path}:3: no string 'text' field",
        f"{path}:5: empty article text",
    ]


def test_csv_with_text_column_and_without(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(f'id,title,text\nc1,أ,"{ARTICLE}"\nc2,,"{OTHER}"\n', encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\n1,x\n", encoding="utf-8")
    docs, problems = items(good, bad)
    assert [d.external_id for d in docs] == ["c1", "c2"] and docs[1].text == OTHER
    assert [p.reason for p in problems] == ["no 'text' column"]


def test_html_keeps_visible_text_only(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        f"<html><head><title>خبر</title><script>var x = 1;</script></head>"
        f"<body><p>{ARTICLE}</p><p>{OTHER} &amp; المزيد</p></body></html>",
        encoding="utf-8",
    )
    docs, _ = items(page)
    assert docs[0].title == "خبر"
    assert docs[0].text == f"{ARTICLE}\n{OTHER} & المزيد"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b" \n\t\n", "empty article text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
        ("mixed.txt", ARTICLE.encode() + b"\xff\xfe\xfa" + b"abc\x01", "not UTF-8 or Windows-1256"),
        ("huge.txt", b"a" * (MAX_BYTES + 1), "file larger than"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
    ],
)
def test_bad_input_gets_one_clear_problem(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    docs, problems = items(tmp_path / name)
    assert docs == []
    assert len(problems) == 1 and problems[0].reason.startswith(reason)
    assert problems[0].where == str(tmp_path / name)


def test_folders_are_read_recursively_and_missing_paths_reported(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text(OTHER, encoding="utf-8")
    (tmp_path / "a" / "b" / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "image.png").write_bytes(b"\x89PNG\x00")
    docs, problems = items(tmp_path / "a", tmp_path / "missing.txt")
    assert sorted(d.text for d in docs) == sorted([ARTICLE, OTHER])
    assert [p.reason for p in problems] == ["no such file or folder"]


def test_cli_ingest_goes_on_past_bad_input_and_keeps_what_is_stored(tmp_path):
    db = tmp_path / "athar.db"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "x.jsonl").write_text('{"text": "' + OTHER + '"}\n{oops\n', encoding="utf-8")
    first = athar("ingest", str(tmp_path / "in"), db=db)
    assert first.returncode == 0, first.stderr
    assert "added 2, duplicates 0, skipped 2" in first.stdout
    assert f"{tmp_path / 'in' / 'empty.txt'}: empty file" in first.stderr
    assert f"{tmp_path / 'in' / 'x.jsonl'}:2: malformed JSON" in first.stderr
    again = athar("ingest", str(tmp_path / "in" / "good.txt"), db=db)
    assert "added 0, duplicates 1, skipped 0" in again.stdout


def test_cli_ingests_every_dev_article_once(tmp_path, dev_texts):
    db = tmp_path / "athar.db"
    texts = str(Path(__file__).resolve().parents[1].parent / "shared/data/dev/texts.jsonl")
    first = athar("ingest", texts, db=db)
    assert f"added {len(dev_texts)}, duplicates 0, skipped 0" in first.stdout, first.stderr
    second = athar("ingest", texts, db=db)
    assert f"added 0, duplicates {len(dev_texts)}, skipped 0" in second.stdout
    status = athar("status", db=db)
    assert status.returncode == 0
    row = next(line for line in status.stdout.splitlines() if "documents " in line)
    assert row.split("│")[2].strip() == str(len(dev_texts))
