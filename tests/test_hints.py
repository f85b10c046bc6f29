"""Tiered hints: every exercise has some, none gives the reference away, and revealing one is recorded.

Also: every fault demo in a chapter (a cell that kills, stops, restarts or injects a fault at top level, directly
or through a helper the chapter defines) is preceded by a "predict, then run" question. No Docker needed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from msalab import hintlog, hints
from msalab.errors import MsalabError
from msalab.exercises import lab_exercises
from msalab.notebooks import answer_cells, chapter_paths, load_chapter
from msalab.topology import available_labs, load_lab

REPO = Path(__file__).resolve().parents[1]
LONG = 25  # a solution line longer than this is specific enough that a hint must not quote it


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("MSALAB_STATE", str(state))
    return state


def chapter_exercises() -> list[str]:
    return sorted(ex for path in chapter_paths() for ex in answer_cells(load_chapter(path)[1]))


def test_every_exercise_of_every_chapter_has_two_to_four_hints() -> None:
    declared = sorted(ex.id for lab in available_labs() for ex in lab_exercises(load_lab(lab)))
    assert chapter_exercises() == declared  # the notebooks' answer cells and the labs agree on the exercises
    counts = {ex: len(hints.hints_for(ex)) for ex in declared}
    assert {ex: n for ex, n in counts.items() if not 2 <= n <= 4} == {}
    assert all(text.strip() for ex in declared for text in hints.hints_for(ex))


def test_hints_files_name_only_real_exercises() -> None:
    known = set(hints.exercise_ids())
    for lab in available_labs():
        stray = set(hints.lab_hints(lab)) - known
        assert not stray, f"labs/{lab}/hints.toml has hints for unknown exercises: {sorted(stray)}"


def quoted_reference_lines(hint_text: dict[str, str]) -> list[str]:
    """The lines of the reference answers longer than LONG, not given in the starting code, that the hints of a lab
    (`hint_text`: lab -> all its hints' text) quote."""
    stubs = "\n".join(c.source for path in chapter_paths() for c in answer_cells(load_chapter(path)[1]).values())
    given = {line.strip() for line in stubs.splitlines()}  # what the learner is given anyway
    quoted = []
    for lab, lab_hint_text in hint_text.items():
        for answer in sorted((REPO / "solutions" / lab / "answers").glob("*.py")):
            for line in answer.read_text().splitlines():
                code = line.strip()
                if len(code) > LONG and code not in given and code in lab_hint_text:
                    quoted.append(f"{lab}/{answer.name}: {code}")
    return quoted


def test_no_hint_quotes_a_line_of_a_reference_answer() -> None:
    text = {lab: "\n".join(t for texts in hints.lab_hints(lab).values() for t in texts) for lab in available_labs()}
    quoted = quoted_reference_lines(text)
    assert not quoted, f"hints quote reference answers: {quoted}"


def test_revealing_shows_the_next_unseen_hint_and_records_it(own_state: Path) -> None:
    total = len(hints.hints_for("hello.greeting"))
    first, second = hints.reveal("hello.greeting"), hints.reveal("hello.greeting")
    assert (first.tier, second.tier, first.total) == (1, 2, total)
    assert f"Hint 2 of {total}" in str(second) and second.text in second._repr_markdown_()
    events = json.loads((own_state / "hints.json").read_text())["revealed"]
    assert [(e["exercise"], e["tier"]) for e in events] == [("hello.greeting", 1), ("hello.greeting", 2)]
    assert all(re.match(r"\d{4}-\d\d-\d\dT", e["time"]) for e in events)
    assert [p.name for p in own_state.iterdir()] == ["hints.json"]  # written atomically: no temporary file left


def test_asking_for_hint_n_shows_it_and_after_the_last_the_last_again() -> None:
    total = len(hints.hints_for("hello.client"))
    assert hints.reveal("hello.client", total).tier == total
    assert hintlog.seen("hello.client") == {total}
    for _ in range(total - 1):
        hints.reveal("hello.client")
    again = hints.reveal("hello.client")
    assert (again.tier, again.last_seen_again) == (total, True)
    assert hints.reveal("hello.greeting").tier == 1  # each exercise counts on its own


@pytest.mark.parametrize("n", [0, -1, 99])
def test_a_hint_number_out_of_range_says_which_exist(n: int) -> None:
    total = len(hints.hints_for("hello.greeting"))
    with pytest.raises(MsalabError, match=f"hints 1 to {total}; there is no hint {n}"):
        hints.reveal("hello.greeting", n)
    assert hintlog.events() == []


def test_an_unknown_exercise_names_the_close_ones() -> None:
    with pytest.raises(MsalabError, match=r"No exercise is called 'hello\.greting'; did you mean hello\.greeting"):
        hints.reveal("hello.greting")
    with pytest.raises(MsalabError, match=r"queue\.reliable"):
        hints.reveal("queue.relaible")


def test_a_broken_record_does_not_block_hints(own_state: Path) -> None:
    own_state.mkdir(parents=True)
    (own_state / "hints.json").write_text("{half a fi")
    assert hints.reveal("hello.greeting").tier == 1
    assert len(hintlog.events()) == 1


def test_the_notebook_function_is_public() -> None:
    import msalab

    assert "hint" in msalab.__all__
    assert msalab.hint("hello.greeting").tier == 1


def cli(*args: str, state: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MSALAB_STATE": str(state), "PYTHONPATH": str(REPO / "infra")}
    return subprocess.run(
        [sys.executable, "-m", "msalab.cli", "hint", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_the_command_line_shows_hints_and_records_them(tmp_path: Path) -> None:
    state = tmp_path / "cli-state"
    first = cli("hello.greeting", state=state)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Hint 1 of ")
    third = cli("hello.greeting", "3", state=state)
    assert third.returncode == 0 and third.stdout.startswith("Hint 3 of ")
    tiers = [e["tier"] for e in json.loads((state / "hints.json").read_text())["revealed"]]
    assert tiers == [1, 3]
    bad = cli("hello.greeting", "9", state=state)
    assert bad.returncode == 1 and "there is no hint 9" in bad.stderr and "Traceback" not in bad.stderr
    unknown = cli("nope.nothing", state=state)
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1


# ---- predict, then run --------------------------------------------------------------------------------------------

# Calls that break something on purpose: the lab handle's (kill, stop, pause, restart, a swarm task's kill) and the
# chapters' fault switches (a helper named fault, a crash point armed). A name with "crash" in it is a demo too.
FAULTS = re.compile(r"^(kill|stop|pause|restart|kill_task|arm|broker_app|fault)$|crash")


def _breaks(tree: ast.AST, helpers: set[str]) -> bool:
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):  # lab.kill, also as an argument: threading.Timer(2.0, lab.kill, ...)
            name = node.attr
        elif isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.keyword) and node.arg == "kill":  # shop.burst(orders, flow, kill="payment")
            return True
        if name and (FAULTS.search(name) or name in helpers):
            return True
    return False


def fault_demos(cells: list) -> list[int]:
    """Indexes of code cells that, run at top level, break something (directly or through a helper defined earlier)."""
    helpers: set[str] = set()
    demos = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or cell.get("metadata", {}).get("msalab", {}).get("answer"):
            continue
        try:
            tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.startswith("%")))
        except SyntaxError:
            continue
        top = []
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef):
                if _breaks(stmt, helpers):
                    helpers.add(stmt.name)
            else:
                top.append(stmt)
        if any(_breaks(stmt, helpers) for stmt in top):
            demos.append(i)
    return demos


@pytest.mark.parametrize("path", chapter_paths(), ids=lambda p: p.stem)
def test_every_fault_demo_asks_for_a_prediction_first(path: Path) -> None:
    cells = load_chapter(path)[1].cells
    missing = []
    for i in fault_demos(cells):
        before = cells[i - 1] if i else None
        if before is None or before.cell_type != "markdown" or not before.metadata.get("msalab", {}).get("predict"):
            missing.append(cells[i].source.splitlines()[0])
    assert not missing, f"{path.stem}: fault demos without a 'predict, then run' cell right before them: {missing}"


def test_the_demo_finder_finds_the_demos() -> None:
    found = {p.stem: len(fault_demos(load_chapter(p)[1].cells)) for p in chapter_paths()}
    assert sum(found.values()) >= 25, found  # it would pass vacuously if it found nothing


@pytest.mark.parametrize("path", chapter_paths(), ids=lambda p: p.stem)
def test_the_first_answer_cell_is_preceded_by_a_pointer_to_hints(path: Path) -> None:
    cells = load_chapter(path)[1].cells
    first = next((i for i, c in enumerate(cells) if c.get("metadata", {}).get("msalab", {}).get("answer")), None)
    if first is None:
        pytest.skip("no exercises")
    exercise = cells[first].metadata["msalab"]["answer"]
    assert f'msalab.hint("{exercise}")' in cells[first - 1].source
