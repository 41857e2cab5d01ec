"""Where the shared dev data lives: ../shared/data beside the project, read at run time."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
DEV_TEXTS = SHARED_DATA / "dev" / "texts.jsonl"
DEV_GOLD = SHARED_DATA / "dev" / "gold.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
