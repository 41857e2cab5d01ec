"""`athar review` (the Streamlit review app) and `athar annotator` (team sign-in)."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from db.auth import AUTH_FILE_ENV, AuthError, auth_file, read_users, remove_user, set_password
from extractor.console import console, engine, errors, use_database

APP = Path(__file__).resolve().parents[1] / "review_app" / "app.py"


def streamlit_command(port: int, host: str) -> list[str]:
    """`streamlit run` on the app: headless, no usage statistics, no file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def review(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite file (default: as for every command)."),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 opens it to the network.")
    ] = "127.0.0.1",
    auth: Annotated[
        Path | None,
        typer.Option(
            "--auth-file",
            help=f"Team mode: sign in with passwords from this file (default: ${AUTH_FILE_ENV}).",
        ),
    ] = None,
) -> None:
    """Open the review app: annotators accept, edit or reject each cited value."""
    if db:
        use_database(db)
    # Migrates the database now, so the app never starts against an old schema.
    url = engine().url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url}
    auth = auth or auth_file()
    if auth is not None:
        if not read_users(auth):
            errors.print(f"no annotators in {auth}: add one with `athar annotator add NAME`")
            raise typer.Exit(2)
        env[AUTH_FILE_ENV] = str(auth.resolve())
    mode = f"team sign-in from {auth}" if auth else "single-user mode"
    console.print(
        f"athar review on http://{host}:{port} ({mode}, database {engine().url!r})",
        highlight=False,
    )
    sys.stdout.flush()
    os.execve(sys.executable, streamlit_command(port, host), env)


annotator_app = typer.Typer(
    help="Team sign-in: annotators and their passwords (the file named by ATHAR_AUTH_FILE).",
    no_args_is_help=True,
)

AuthFile = Annotated[
    Path | None,
    typer.Option("--file", help=f"The auth file (default: ${AUTH_FILE_ENV})."),
]


def _file(given: Path | None) -> Path:
    path = given or auth_file()
    if path is None:
        errors.print(f"name the auth file with --file or ${AUTH_FILE_ENV}")
        raise typer.Exit(2)
    return path


@annotator_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The annotator's name as shown in the app.")],
    file: AuthFile = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add an annotator (or set a new password); only a scrypt hash is stored."""
    path = _file(file)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        new = set_password(path, name, password)
    except AuthError as refused:
        errors.print(str(refused))
        raise typer.Exit(2) from None
    console.print(f"{'added' if new else 'changed the password of'} {name.strip()} in {path}")


@annotator_app.command("remove")
def remove(name: str, file: AuthFile = None) -> None:
    """Remove an annotator from the team file (their past decisions stay)."""
    path = _file(file)
    if not remove_user(path, name):
        errors.print(f"{name} is not in {path}")
        raise typer.Exit(1)
    console.print(f"removed {name} from {path}")


@annotator_app.command("list")
def list_annotators(file: AuthFile = None) -> None:
    """The names in the team file."""
    for name in sorted(read_users(_file(file))):
        console.print(name, highlight=False)
