"""Reading articles from files: .txt, .jsonl, .csv, .html, and folders of them.

Bad input never stops a batch: each problem becomes one `Problem` naming the
file (and line), and reading goes on. Text is kept exactly as decoded; the
only thing decided here is the encoding.
"""

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from db.documents import NewDocument

MAX_BYTES = 2 * 1024 * 1024
SUPPORTED = {".txt", ".jsonl", ".csv", ".html", ".htm"}
METADATA = ("title", "url", "published", "outlet")


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class DecodeError(ValueError):
    pass


def _arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u0600" <= c <= "\u06ff") / len(letters)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1256 Arabic.

    Windows-1256 is tried only when UTF-8 fails, and accepted only if the
    result reads as Arabic: any byte string decodes as cp1256, so the check
    is what tells Arabic from noise.
    """
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError("binary file (contains NUL bytes)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if _arabic_share(text) >= 0.5 and not any(
        unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text
    ):
        return text
    raise DecodeError(
        f"not UTF-8 or Windows-1256 text (undecodable byte at offset {utf8_error.start})"
    )


def _document(text: str, where: str, fields: dict | None = None) -> NewDocument | Problem:
    if not text.strip():
        return Problem(where, "empty article text")
    if len(text.encode("utf-8")) > MAX_BYTES:
        return Problem(where, f"article larger than {MAX_BYTES} bytes")
    fields = fields or {}
    external_id = fields.get("id")
    return NewDocument(
        text=text,
        external_id=str(external_id) if external_id not in (None, "") else None,
        source_path=where,
        **{k: (str(fields[k]) if fields.get(k) not in (None, "") else None) for k in METADATA},
    )


def _read_whole(path: Path) -> str | Problem:
    size = path.stat().st_size
    if size == 0:
        return Problem(str(path), "empty file")
    if size > MAX_BYTES:
        return Problem(str(path), f"file larger than {MAX_BYTES} bytes ({size})")
    try:
        return decode(path.read_bytes())
    except DecodeError as error:
        return Problem(str(path), str(error))


def read_txt(path: Path) -> Iterator[NewDocument | Problem]:
    text = _read_whole(path)
    yield text if isinstance(text, Problem) else _document(text, str(path))


def read_jsonl(path: Path) -> Iterator[NewDocument | Problem]:
    if path.stat().st_size == 0:
        yield Problem(str(path), "empty file")
        return
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            if len(raw) > MAX_BYTES:
                yield Problem(where, f"line larger than {MAX_BYTES} bytes")
                continue
            try:
                item = json.loads(decode(raw.strip()))
            except DecodeError as error:
                yield Problem(where, str(error))
                continue
            except json.JSONDecodeError as error:
                yield Problem(where, f"malformed JSON ({error})")
                continue
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                yield Problem(where, "no string 'text' field")
                continue
            yield _document(item["text"], where, item)


def read_csv(path: Path) -> Iterator[NewDocument | Problem]:
    content = _read_whole(path)
    if isinstance(content, Problem):
        yield content
        return
    csv.field_size_limit(MAX_BYTES)
    reader = csv.DictReader(io.StringIO(content, newline=""))
    if "text" not in (reader.fieldnames or []):
        yield Problem(str(path), "no 'text' column")
        return
    try:
        for row in reader:
            yield _document(row.get("text") or "", f"{path}:{reader.line_num}", row)
    except csv.Error as error:
        yield Problem(f"{path}:{reader.line_num}", f"malformed CSV ({error})")


class _TextOfHtml(HTMLParser):
    """Visible text of an HTML page, one line per block element; the <title> kept aside."""

    BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
    HIDDEN = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def read_html(path: Path) -> Iterator[NewDocument | Problem]:
    content = _read_whole(path)
    if isinstance(content, Problem):
        yield content
        return
    page = _TextOfHtml()
    page.feed(content)
    yield _document(page.text(), str(path), {"title": page.title.strip()})


READERS = {
    ".txt": read_txt,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
    ".html": read_html,
    ".htm": read_html,
}


def read_paths(paths: list[Path]) -> Iterator[NewDocument | Problem]:
    """Every article under the given files and folders (folders recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith(".")
            )
        elif path.exists():
            files = [path]
        else:
            yield Problem(str(path), "no such file or folder")
            continue
        for file in files:
            reader = READERS.get(file.suffix.lower())
            if reader is None:
                yield Problem(str(file), f"unsupported file type {file.suffix or '(none)'}")
                continue
            try:
                yield from reader(file)
            except OSError as error:
                yield Problem(str(file), f"cannot read ({error.strerror})")
