"""Which hints a learner has seen: hints.json in the learner's state folder (msalab.paths.state_dir).

    {"revealed": [{"exercise": "hello.greeting", "tier": 1, "time": "2026-12-05T17:10:00+00:00"}, ...]}

A list of events rather than a set, so an instructor can see when help was needed, not only whether.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msalab.paths import state_dir, write_json_atomically

LOG_FILE = "hints.json"


def log_path() -> Path:
    return state_dir() / LOG_FILE


def events() -> list[dict[str, Any]]:
    try:
        data = json.loads(log_path().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        # A missing or half-written file (from before writes were atomic, or edited by hand) must not keep
        # a learner from getting help: start a fresh record.
        return []
    revealed = data.get("revealed", []) if isinstance(data, dict) else []
    return [e for e in revealed if isinstance(e, dict)]


def seen(exercise: str) -> set[int]:
    return {int(e["tier"]) for e in events() if e.get("exercise") == exercise and "tier" in e}


def record(exercise: str, tier: int) -> None:
    entries = [*events(), {"exercise": exercise, "tier": tier, "time": datetime.now(UTC).isoformat(timespec="seconds")}]
    write_json_atomically(log_path(), {"revealed": entries})
