"""`athar import`: a jsonl export rebuilds a database that exports the same bytes."""

import json

from reviewed_db import review
from sqlmodel import Session, select
from typer.testing import CliRunner

from db.engine import make_engine, migrate, session_scope
from db.load import Loader, LoadError
from db.models import AuditEntry, Document, Run, Value
from db.review import current_records, reopen, undo_last
from extractor.cli import app
from extractor.cli_export import export_to

runner = CliRunner()


def test_export_import_export_is_byte_identical(any_engine, tmp_path):
    source = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    migrate(source)
    review(source)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    with session_scope(source) as session:
        assert export_to(session, first, "jsonl", "all") == 2
    with session_scope(any_engine) as session:
        loader = Loader(session)
        for line in first.read_text(encoding="utf-8").splitlines():
            assert loader.load(json.loads(line)) is not None
    with session_scope(any_engine) as session:
        export_to(session, second, "jsonl", "all")
        # Both documents came from one run: the run is stored once.
        assert len(session.exec(select(Run)).all()) == 1
    assert second.read_bytes() == first.read_bytes()


def test_import_command_skips_known_texts_and_review_goes_on(sqlite_engine, tmp_path):
    review(sqlite_engine)
    exported = tmp_path / "export.jsonl"
    with session_scope(sqlite_engine) as session:
        export_to(session, exported, "jsonl", "all")
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = runner.invoke(app, ["--db", url, "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "imported 2, duplicates 0, failed 0" in result.output
    again = runner.invoke(app, ["--db", url, "import", str(exported)])
    assert "imported 0, duplicates 2" in again.output

    from db.engine import get_engine

    with Session(get_engine(url), expire_on_commit=False) as session:
        done = session.exec(select(Document).where(Document.external_id == "t-1")).one()
        reopen(session, done.id, "mona")
        # The last decision before "done" was an accept; undo uses the imported audit log.
        entry = undo_last(session, done.id, "mona")
        assert entry is not None and entry.after["undoes"] is not None
        undone = session.get(AuditEntry, entry.after["undoes"])
        assert undone.document_id == done.id and undone.action == "accepted"
        value = session.get(Value, entry.value_id)
        assert value.decision is None and value.version == undone.after["version"] + 1
        assert sum(len(v.values) for v in current_records(session, done.id)) == 52


def test_a_line_whose_span_does_not_hold_is_refused_whole(sqlite_engine, tmp_path):
    review(sqlite_engine)
    exported = tmp_path / "export.jsonl"
    with session_scope(sqlite_engine) as session:
        export_to(session, exported, "jsonl")
    line = json.loads(exported.read_text(encoding="utf-8"))
    line["records"][0]["values"][0]["final"]["start"] += 1
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = runner.invoke(app, ["--db", url, "import", str(broken)])
    assert result.exit_code == 1 and "failed 1" in result.output

    from db.engine import get_engine

    with Session(get_engine(url)) as session:
        assert session.exec(select(Document)).all() == []
    tampered = {**line, "text": line["text"] + " "}
    with session_scope(sqlite_engine) as session:
        try:
            Loader(session).load(tampered)
            raise AssertionError("a text that does not match its sha256 was loaded")
        except LoadError as error:
            assert "sha256" in str(error)
