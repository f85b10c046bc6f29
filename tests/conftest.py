"""Shared fixtures: a real Docker engine (required, not mocked) and throw-away course folders for test labs."""

from __future__ import annotations

import os
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# This test run sees and removes only its own labs, whatever else runs on the engine (a developer's lab,
# another test run). Subprocesses inherit it. Each pytest-xdist worker is a run of its own: it must not remove
# the labs its sibling is testing.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_run = os.environ.get("MSALAB_NAMESPACE") or f"test-{uuid.uuid4().hex[:8]}"
os.environ["MSALAB_NAMESPACE"] = f"{_run}-{_worker}" if _worker else _run

# The tests expect English unless they ask for Korean: a developer's MSALAB_LANG, or a kernel's notebook path (a
# run from a Korean edition's kernel), must not change what msalab says (see msalab.language).
os.environ.pop("MSALAB_LANG", None)
os.environ.pop("JPY_SESSION_NAME", None)

# A learner's records (progress, hints shown) go to a throw-away folder, never to the developer's own.
os.environ.setdefault("MSALAB_STATE", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"msalab-state-{_run}"))


@pytest.fixture(scope="session")
def docker_engine() -> None:
    from msalab import engine
    from msalab.errors import DockerUnavailable

    try:
        engine.client()
    except DockerUnavailable as e:
        if os.environ.get("MSALAB_SKIP_DOCKER") == "1":
            pytest.skip(str(e))
        pytest.fail(f"{e} (set MSALAB_SKIP_DOCKER=1 to run only the tests that need no engine)")
    engine.configure_testcontainers()


def labelled() -> tuple[int, int]:
    from msalab import engine, labels

    c = engine.client()
    flt = labels.filters()
    return len(c.containers.list(all=True, filters=flt, sparse=True)), len(c.networks.list(filters=flt))


@pytest.fixture
def own_state_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner's records of the test's own, and English unless the test itself asks for Korean."""
    monkeypatch.setenv("MSALAB_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("MSALAB_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


@pytest.fixture
def clean_engine(docker_engine: None) -> Iterator[None]:
    """Every docker test starts and must end with no msalab container or network on the engine."""
    from msalab import cleanup

    cleanup.remove()
    yield
    left = labelled()
    cleanup.remove()
    assert left == (0, 0), f"the test left {left[0]} container(s) and {left[1]} network(s) behind"


class Course:
    """A course root in a temp folder that shares the real infra/ (images) but has its own labs/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "labs").mkdir(parents=True)
        (root / "infra").symlink_to(REPO / "infra")

    def add_lab(self, name: str, toml: str, files: dict[str, str] | None = None) -> Path:
        folder = self.root / "labs" / name
        folder.mkdir()
        (folder / "lab.toml").write_text(textwrap.dedent(toml))
        for rel, content in (files or {}).items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(textwrap.dedent(content))
        return folder

    def env(self) -> dict[str, str]:
        return {**os.environ, "MSALAB_HOME": str(self.root)}


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    c = Course(tmp_path / "course")
    monkeypatch.setenv("MSALAB_HOME", str(c.root))
    return c


PYTHON = sys.executable
