"""A learner's progress, without Docker: msalab.check's reports go into progress.json in the state folder, and
come back as one table across the course; nothing is recorded while a notebook is graded."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from msalab import checklog, remote, session
from msalab.progresstable import table
from msalab.results import CheckResult, Report


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MSALAB_STATE", str(tmp_path / "state"))
    monkeypatch.delenv(session.PROVIDED_ENV, raising=False)
    monkeypatch.delenv(remote.CHANNEL_ENV, raising=False)
    return tmp_path / "state"


def _report(*passed: bool) -> Report:
    return Report(
        [CheckResult("hello.greeting", f"c{i}", f"check {i}", ok, int(ok), 1, "") for i, ok in enumerate(passed)]
    )


WHEN = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def test_a_check_is_recorded_and_shows_in_the_table(state: Path) -> None:
    assert checklog.record("hello.greeting", _report(True, False), now=WHEN)
    saved = json.loads((state / "progress.json").read_text())
    assert saved["exercises"]["hello.greeting"]["points"] == 1
    row = next(r for r in table().rows if r.exercise == "hello.greeting")
    assert (row.chapter, row.verdict, row.points) == ("00-welcome", "failed", "1/2")


def test_the_last_verdict_wins_and_others_are_kept(state: Path) -> None:
    checklog.record("hello.greeting", _report(False), now=WHEN)
    checklog.record("hello.client", _report(True), now=WHEN)
    checklog.record("hello.greeting", _report(True, True), now=WHEN)
    rows = {r.exercise: r for r in table().rows}
    assert rows["hello.greeting"].verdict == "passed" and rows["hello.client"].verdict == "passed"
    assert rows["shop.measure"].verdict == "not checked yet"
    shown = table()
    assert "2 of" in shown.summary() and "hello.greeting" in str(shown) and "passed" in shown._repr_html_()
    assert list(state.iterdir()) == [state / "progress.json"], "no temporary file is left behind"


def test_the_table_lists_every_exercise_in_chapter_order(state: Path) -> None:
    chapters = [r.chapter for r in table().rows]
    assert chapters == sorted(chapters) and len(chapters) == len({r.exercise for r in table().rows})


def test_a_report_without_results_is_not_a_verdict(state: Path) -> None:
    assert not checklog.record("hello.greeting", Report(problem="Lab 'hello' is not running here"))
    assert not (state / "progress.json").exists()


@pytest.mark.parametrize("env", [session.PROVIDED_ENV, remote.CHANNEL_ENV])
def test_nothing_is_recorded_under_grading(state: Path, monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    monkeypatch.setenv(env, "graded")
    assert not checklog.record("hello.greeting", _report(True))
    assert not state.exists()


def test_a_damaged_file_reads_as_no_records(state: Path) -> None:
    state.mkdir(parents=True)
    (state / "progress.json").write_text("{not json")
    assert checklog.load() == {}
    assert checklog.record("hello.greeting", _report(True), now=WHEN)
    assert set(checklog.load()) == {"hello.greeting"}


def test_the_command_prints_the_table(state: Path) -> None:
    checklog.record("hello.client", _report(True), now=WHEN)
    out = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "progress"], capture_output=True, text=True, check=True
    ).stdout
    assert "hello.client" in out and "passed" in out and "exercises passed" in out


def test_the_command_gives_json_with_numbers(state: Path) -> None:
    checklog.record("hello.client", _report(True, False), now=WHEN)
    out = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "progress", "--json"], capture_output=True, text=True, check=True
    ).stdout
    row = next(r for r in json.loads(out) if r["exercise"] == "hello.client")
    assert (row["verdict"], row["points"], row["max_points"]) == ("failed", 1, 2)
