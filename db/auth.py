"""Team sign-in: a file of annotator names and scrypt password hashes.

A team points `ATHAR_AUTH_FILE` at the file; `athar annotator add NAME`
writes it and the review app reads it. Only hashes are stored, in the
htpasswd style (`name:hash`, one per line), so the file can sit beside the
database without revealing anyone's password. Without the variable the app
runs in single-user mode and an annotator only gives a name.
"""

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

AUTH_FILE_ENV = "ATHAR_AUTH_FILE"

# scrypt cost: 2**15 * 8 * 128 bytes = 32 MiB and ~50 ms per check, OWASP's minimum.
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


class AuthError(ValueError):
    """A name or password that cannot be stored, or a malformed auth file."""


def auth_file() -> Path | None:
    """The team's auth file, when team mode is on."""
    configured = os.environ.get(AUTH_FILE_ENV)
    return Path(configured) if configured else None


def hash_password(password: str) -> str:
    if not password:
        raise AuthError("a password is required")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a stored hash in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or ":" in name or "\n" in name:
        raise AuthError("a name must be non-empty and contain no ':' or line break")
    return name


def read_users(path: Path) -> dict[str, str]:
    """Name -> password hash; a missing file means no users yet."""
    if not path.exists():
        return {}
    users: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not name:
            raise AuthError(f"{path}:{number}: expected name:hash")
        users[name] = stored
    return users


def _write_users(path: Path, users: dict[str, str]) -> None:
    """Replace the file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.writelines(f"{name}:{stored}\n" for name, stored in sorted(users.items()))
    os.replace(tmp, path)


def set_password(path: Path, name: str, password: str) -> bool:
    """Add an annotator or change their password; True when the name is new."""
    name = _check_name(name)
    users = read_users(path)
    new = name not in users
    users[name] = hash_password(password)
    _write_users(path, users)
    return new


def remove_user(path: Path, name: str) -> bool:
    users = read_users(path)
    if users.pop(name.strip(), None) is None:
        return False
    _write_users(path, users)
    return True


def authenticate(path: Path, name: str, password: str) -> bool:
    """Whether `name` is on the team and `password` is theirs."""
    stored = read_users(path).get(name.strip())
    if stored is None:
        hash_password(password or "-")  # same cost as a real check: names cannot be timed
        return False
    return verify_password(password, stored)
