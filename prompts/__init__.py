"""Versioned prompt templates, one file per prompt.

A prompt file is a list of chat messages separated by `=== role ===` lines.
Loading happens in two stages, with two kinds of placeholder, so the article
can never be mistaken for instructions:

1. `[[ name ]]` placeholders are filled once, when the prompt is loaded, with
   static text the caller supplies (the codebook's lists). The result is the
   prompt's static text, and its hash is the prompt's version: a changed
   codebook list or a changed word is a new version, a changed comment is not.
2. `{{ published }}` and `{{ source }}` stay in the static text and are
   filled per article by `Prompt.render`, a sandboxed Jinja render identical
   to instructor's `context=` templating. The article enters only as the
   value of `{{ source }}`, never as template text, in the last message, so
   every request shares the longest possible cached prefix.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from textwrap import dedent

from jinja2 import Environment, StrictUndefined, Template, meta
from jinja2.sandbox import SandboxedEnvironment

PROMPTS_DIR = Path(__file__).parent
SUFFIX = ".md"
DEFAULT_PROMPT = "extract_v1"
ARTICLE_VARIABLES = frozenset({"source", "published"})

_SEPARATOR = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)
# Load-time placeholders use brackets so that {{ ... }} survives to request time.
_STATIC = Environment(
    variable_start_string="[[",
    variable_end_string="]]",
    block_start_string="[%",
    block_end_string="%]",
    comment_start_string="[#",
    comment_end_string="#]",
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)


class PromptError(ValueError):
    pass


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt: static message templates and the version they hash to."""

    name: str
    messages: tuple[tuple[str, str], ...]
    version: str

    @property
    def text(self) -> str:
        """The static text, as hashed: what changes the version."""
        return json.dumps(self.messages, ensure_ascii=False)

    def render(self, **context: str) -> list[dict[str, str]]:
        """Messages with the article filled in, exactly as instructor's `context=` would render
        them (a sandboxed Jinja render, then dedent), for live calls and the Batch API's request
        file alike. Templates are compiled once, and messages without placeholders rendered once:
        compiling the static instructions for every request would cost more than the rest of
        a document's processing."""
        return [
            {"role": role, "content": _rendered(content, context)}
            for role, content in self.messages
        ]


_SANDBOX = SandboxedEnvironment()


@cache
def _compiled(content: str) -> tuple[Template, bool]:
    """A message's template, and whether it has placeholders at all."""
    has_variables = bool(meta.find_undeclared_variables(_SANDBOX.parse(content)))
    return _SANDBOX.from_string(content), has_variables


@cache
def _static(content: str) -> str:
    return dedent(_compiled(content)[0].render())


def _rendered(content: str, context: Mapping[str, str]) -> str:
    template, has_variables = _compiled(content)
    return dedent(template.render(**context)) if has_variables else _static(content)


def list_prompts() -> list[str]:
    """Names of the prompts shipped in this folder, selectable with `--prompt`."""
    return sorted(p.stem for p in PROMPTS_DIR.glob(f"*{SUFFIX}"))


def prompt_path(name: str) -> Path:
    """A prompt's file: a bare name is looked up here, a path is taken as given."""
    candidate = Path(name)
    if candidate.suffix == SUFFIX and candidate.exists():
        return candidate
    path = PROMPTS_DIR / f"{name}{SUFFIX}"
    if not path.exists():
        raise PromptError(f"no prompt {name!r}; available: {', '.join(list_prompts())}")
    return path


def load_prompt(name: str = DEFAULT_PROMPT, static: Mapping[str, str] | None = None) -> Prompt:
    """Read a prompt file, fill its load-time placeholders and check its shape."""
    path = prompt_path(name)
    messages = _split(path.read_text(encoding="utf-8"), path)
    try:
        filled = tuple(
            (role, _STATIC.from_string(content).render(**(static or {})))
            for role, content in messages
        )
    except Exception as error:  # jinja raises several types; all mean a bad template
        raise PromptError(f"{path}: {error}") from error
    _check(filled, path)
    digest = hashlib.sha256(json.dumps(filled, ensure_ascii=False).encode("utf-8"))
    return Prompt(name=path.stem, messages=filled, version=digest.hexdigest()[:12])


def _split(raw: str, path: Path) -> list[tuple[str, str]]:
    parts = _SEPARATOR.split(raw)
    # parts = [header, role, content, role, content, ...]
    if len(parts) < 3:
        raise PromptError(f"{path}: no '=== role ===' separator")
    return [(parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts), 2)]


def _check(messages: tuple[tuple[str, str], ...], path: Path) -> None:
    """The article must enter once, in the last message, which must be the user's."""
    env = SandboxedEnvironment()
    for i, (_role, content) in enumerate(messages):
        names = meta.find_undeclared_variables(env.parse(content))
        unknown = names - ARTICLE_VARIABLES
        if unknown:
            raise PromptError(f"{path}: unknown placeholders {sorted(unknown)} in message {i}")
        last = i == len(messages) - 1
        if ("source" in names) != last:
            raise PromptError(f"{path}: {{{{ source }}}} must appear in the last message only")
    role, content = messages[-1]
    if role != "user" or content.count("{{ source }}") != 1:
        raise PromptError(f"{path}: the last message must be the user's, with one {{{{ source }}}}")
