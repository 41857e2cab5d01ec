"""Team sign-in: scrypt hashes in a file written by `athar annotator add`."""

import stat

import pytest
from typer.testing import CliRunner

from db.auth import (
    AuthError,
    authenticate,
    hash_password,
    read_users,
    remove_user,
    set_password,
    verify_password,
)
from extractor.cli import app
from extractor.cli_review import streamlit_command


def test_a_password_verifies_only_against_its_own_hash():
    stored = hash_password("كلمة سر طويلة")
    assert stored.startswith("scrypt$") and "كلمة" not in stored
    assert verify_password("كلمة سر طويلة", stored)
    assert not verify_password("كلمة سر طويله", stored)
    assert hash_password("كلمة سر طويلة") != stored, "each hash has its own salt"
    assert not verify_password("x", "md5$abc")
    assert not verify_password("x", "garbage")


def test_the_file_holds_names_and_hashes_only_readable_by_its_owner(tmp_path):
    path = tmp_path / "team" / "auth"
    assert set_password(path, "ليلى", "one")
    assert set_password(path, "omar", "two")
    assert not set_password(path, "omar", "three"), "a second add changes the password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "one" not in path.read_text() and set(read_users(path)) == {"ليلى", "omar"}
    assert authenticate(path, "ليلى", "one")
    assert authenticate(path, "omar", "three") and not authenticate(path, "omar", "two")
    assert not authenticate(path, "nobody", "one")
    assert remove_user(path, "omar") and not remove_user(path, "omar")
    assert not authenticate(path, "omar", "three")
    with pytest.raises(AuthError):
        set_password(path, "a:b", "x")
    with pytest.raises(AuthError):
        set_password(path, "c", "")


def test_a_malformed_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "auth"
    path.write_text("# team\nليلى:scrypt$1$1$1$AA$AA\nbroken line\n", encoding="utf-8")
    with pytest.raises(AuthError, match=":3:"):
        read_users(path)


def test_the_cli_adds_lists_and_removes_annotators(tmp_path, monkeypatch):
    path = tmp_path / "auth"
    monkeypatch.setenv("ATHAR_AUTH_FILE", str(path))
    runner = CliRunner()
    added = runner.invoke(app, ["annotator", "add", "ليلى", "--password-stdin"], input="sesame\n")
    assert added.exit_code == 0, added.output
    assert authenticate(path, "ليلى", "sesame")
    listed = runner.invoke(app, ["annotator", "list"])
    assert listed.output.split() == ["ليلى"]
    prompted = runner.invoke(
        app, ["annotator", "add", "omar", "--file", str(path)], input="pw\npw\n"
    )
    assert prompted.exit_code == 0 and authenticate(path, "omar", "pw")
    assert runner.invoke(app, ["annotator", "remove", "omar"]).exit_code == 0
    assert runner.invoke(app, ["annotator", "remove", "omar"]).exit_code == 1
    monkeypatch.delenv("ATHAR_AUTH_FILE")
    assert runner.invoke(app, ["annotator", "list"]).exit_code == 2


def test_review_refuses_team_mode_without_annotators(tmp_path):
    empty = tmp_path / "auth"
    empty.write_text("# nobody yet\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["review", "--db", str(tmp_path / "athar.db"), "--auth-file", str(empty)]
    )
    assert result.exit_code == 2
    assert "athar annotator add" in result.output


def test_review_serves_headless_without_usage_statistics():
    command = streamlit_command(8600, "127.0.0.1")
    assert command[command.index("run") + 1].endswith("review_app/app.py")
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--server.port"] == "8600"
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
