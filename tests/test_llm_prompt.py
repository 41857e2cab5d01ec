"""The extraction prompt: its shape, its version, and how the article enters it."""

import json
import re
from pathlib import Path

import instructor
import pytest
from instructor.templating import handle_templating

from extractor.llm.prompting import actors_block, extraction_prompt
from prompts import DEFAULT_PROMPT, PROMPTS_DIR, PromptError, list_prompts, load_prompt
from schemas.actors import CANONICAL_ACTORS
from schemas.codebook import EventType, FigureCategory, Qualifier, ScopeKind
from schemas.extraction import ArticleExtraction

# An article that looks like template syntax must still be read as plain text.
HOSTILE = "قتل {{ 7 * 7 }} مدنيين {% if true %}في{% endif %} {# تعليق #} الرقة"


def test_shipped_prompt_is_listed_and_versioned() -> None:
    assert DEFAULT_PROMPT in list_prompts()
    prompt = extraction_prompt()
    assert re.fullmatch(r"[0-9a-f]{12}", prompt.version)
    assert extraction_prompt().version == prompt.version
    roles = [role for role, _ in prompt.messages]
    assert roles[0] == "system" and roles[-1] == "user"


def test_static_text_first_article_last() -> None:
    messages = extraction_prompt().messages
    assert all("{{ source }}" not in content for _, content in messages[:-1])
    last = messages[-1][1]
    # Only the closing tag follows the article, so everything before it is a shared prefix.
    assert last.rstrip().endswith("{{ source }}\n</article>")


def test_prompt_teaches_every_codebook_term() -> None:
    system = extraction_prompt().messages[0][1]
    for term in [*FigureCategory, *EventType, *Qualifier, *ScopeKind]:
        assert re.search(rf"\b{term.value}\b", system), term
    for name, aliases in CANONICAL_ACTORS.items():
        assert name in system
        assert all(alias in system for alias in aliases)


def test_version_follows_the_rendered_text_not_comments(tmp_path: Path) -> None:
    source = (PROMPTS_DIR / "extract_v1.md").read_text("utf-8")
    changed_comment = tmp_path / "a.md"
    changed_comment.write_text(source.replace("version 1.", "version 1 (copy)."), "utf-8")
    changed_words = tmp_path / "b.md"
    changed_words.write_text(source.replace("You read one", "You read a single"), "utf-8")
    static = {"actors": actors_block()}
    base = load_prompt(DEFAULT_PROMPT, static).version
    assert load_prompt(str(changed_comment), static).version == base
    assert load_prompt(str(changed_words), static).version != base
    assert load_prompt(DEFAULT_PROMPT, {"actors": "- SDF: قسد"}).version != base


def test_article_is_data_not_template() -> None:
    prompt = extraction_prompt()
    rendered = prompt.render(source=HOSTILE, published="2020-05-01")
    assert HOSTILE in rendered[-1]["content"]
    assert 'published="2020-05-01"' in rendered[-1]["content"]


def test_render_matches_instructor_context_rendering() -> None:
    """athar renders the article into the prompt itself; the result must be exactly what
    instructor's own `context=` templating would send."""
    prompt = extraction_prompt()
    context = {"source": HOSTILE + "\n\n  سطر بمسافة\n", "published": "unknown"}
    live = handle_templating(
        {"messages": [{"role": role, "content": text} for role, text in prompt.messages]},
        mode=instructor.Mode.JSON_SCHEMA,
        provider=instructor.Provider.OPENAI,
        context=context,
    )["messages"]
    assert prompt.render(**context) == live


def test_few_shot_answers_fit_the_schema() -> None:
    messages = extraction_prompt().messages
    answers = [content for role, content in messages if role == "assistant"]
    assert len(answers) == 2
    for answer in answers:
        parsed = ArticleExtraction.model_validate(json.loads(answer))
        assert parsed.figures and parsed.events


@pytest.mark.parametrize(
    "body, message",
    [
        ("=== system ===\nrules\n=== user ===\nno article here", "last message"),
        ("=== system ===\n{{ source }}\n=== user ===\n{{ source }}", "last message only"),
        ("=== system ===\n{{ secret }}\n=== user ===\n{{ source }}", "unknown placeholders"),
        ("=== system ===\n[[ missing ]]\n=== user ===\n{{ source }}", "undefined"),
        ("no separators at all", "separator"),
    ],
)
def test_malformed_prompt_files_are_refused(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(body, "utf-8")
    with pytest.raises(PromptError, match=message):
        load_prompt(str(path))


def test_unknown_prompt_names_the_available_ones() -> None:
    with pytest.raises(PromptError, match=DEFAULT_PROMPT):
        load_prompt("no_such_prompt")
