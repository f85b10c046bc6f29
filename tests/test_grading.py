"""The grader against real labs: honest scores whatever a submission does, and the batch always goes on."""

from __future__ import annotations

import csv
import json
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, labelled
from msalab import notebooks
from msalab.grader import Limits, grade_batch
from msalab.notebooks import answer_cells, load_chapter, reference_answers
from msalab.release import leaks, release

pytestmark = pytest.mark.docker

CHAPTER = "00-welcome"


def _chapter() -> nbformat.NotebookNode:
    return load_chapter(CHAPTER)[1]


def _solved() -> nbformat.NotebookNode:
    nb = _chapter()
    return notebooks.with_answers(nb, reference_answers(nb))


def _set_answer(nb: nbformat.NotebookNode, exercise: str, code: str) -> nbformat.NotebookNode:
    answer_cells(nb)[exercise].source = f"%%answer {exercise}\n{code}"
    return nb


def _tampered() -> nbformat.NotebookNode:
    """Check cells faked, msalab.check monkeypatched, one exercise's answer pasted into the other's cell."""
    nb = _chapter()
    for cell in nb.cells:
        if "msalab.check(" in cell.source and not notebooks.answer_id(cell):
            cell.source = 'print("all passed")'
    client_answer = reference_answers(nb)["hello.client"]
    _set_answer(nb, "hello.greeting", client_answer)
    _set_answer(
        nb,
        "hello.client",
        "import msalab\nmsalab.check = lambda *a, **k: 'full marks'\n"
        "def greet_via_front(base_url, name):\n    raise NotImplementedError\n",
    )
    return nb


MARK = f"msalab-hostile-{uuid.uuid4().hex[:8]}"  # names every process a hostile submission starts


def _detached(loop_body: str) -> str:
    """Answer code that starts a process outliving its kernel, running `loop_body` for ten minutes."""
    script = (
        f"import time\n# {MARK}\nend = time.time() + 600\nwhile time.time() < end:\n{loop_body}\n    time.sleep(0.2)\n"
    )
    return (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {script!r}], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    )


def _hostile(out: Path) -> dict[str, nbformat.NotebookNode]:
    """Submissions that attack the grader: each keeps the honest greeting answer, so its cost is visible."""
    honest_client = reference_answers(_chapter())["hello.client"]
    steal = (
        "import pathlib\n"
        f"for root in [pathlib.Path({str(REPO)!r}), pathlib.Path('/course'), pathlib.Path.cwd()]:\n"
        "    found = root / 'solutions' / 'hello' / 'answers' / 'client.py'\n"
        "    if found.is_file():\n"
        "        exec(found.read_text())\n"
        "        break\n"
        "else:\n"
        "    def greet_via_front(base_url, name):\n"
        "        raise RuntimeError('no reference answer within reach')\n"
    )
    kill_all = _detached(
        "    try:\n"
        "        import docker\n"
        "        [c.kill() for c in docker.from_env().containers.list()]\n"
        "    except Exception:\n"
        "        pass"
    )
    forge = _detached(
        "    try:\n"
        f"        open({str(out / 'grades.csv')!r}, 'w').write('submission,total\\nforger,999\\n')\n"
        "    except OSError:\n"
        "        pass"
    )
    fork_bomb = (
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(20)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        break\n"
    )
    return {
        "steals": _set_answer(_solved(), "hello.client", steal),
        "killer": _set_answer(_solved(), "hello.client", kill_all + honest_client),
        "forger": _set_answer(_solved(), "hello.client", forge + honest_client),
        "hog": _set_answer(_solved(), "hello.client", "blob = b'x' * (3 * 2**30)\n" + honest_client),
        "forkbomb": _set_answer(_solved(), "hello.client", fork_bomb + honest_client),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, docker_engine: None) -> dict[str, dict]:
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    for name, nb in _hostile(out).items():
        nbformat.write(nb, subs / f"{name}.ipynb")
    nbformat.write(_solved(), subs / "solved.ipynb")
    nbformat.write(_tampered(), subs / "tampered.ipynb")
    nbformat.write(_set_answer(_solved(), "hello.client", "while True:\n    pass\n"), subs / "endless.ipynb")
    nbformat.write(_set_answer(_solved(), "hello.client", "import os\nos._exit(1)\n"), subs / "exits.ipynb")
    (subs / "garbage.ipynb").write_text("this is not a notebook {")
    other = _solved()
    other.metadata["msalab"]["chapter"] = "99-other"
    nbformat.write(other, subs / "other_chapter.ipynb")
    grade_batch(
        sorted(subs.glob("*.ipynb")),
        out,
        # The notebook runs too (what a hostile notebook does there is tested here), and each worker keeps a warm
        # lab between its submissions: the hostile ones are graded on the same labs as the honest ones.
        Limits(cell_timeout=20, notebook_timeout=240, execute_notebook=True, reuse_labs=True),
        workers=2,
        chapter=CHAPTER,
        quiet=True,
    )
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    results["_csv"] = list(csv.DictReader((out / "grades.csv").open()))  # type: ignore[assignment]
    results["_out"] = out  # type: ignore[assignment]
    return results


def scores(result: dict) -> dict[str, float]:
    return {ex: e["score"] for ex, e in result["exercises"].items()}


def test_solved_gets_full_marks_in_a_parallel_batch(graded: dict) -> None:
    r = graded["solved"]
    assert r["total"] == r["max_total"] == 4, r
    assert r["problems"] == []


def test_tampering_gains_nothing(graded: dict) -> None:
    assert graded["tampered"]["total"] == 0, graded["tampered"]


def test_an_endless_loop_costs_that_exercise_only_with_a_reason(graded: dict) -> None:
    r = graded["endless"]
    assert scores(r) == {"hello.greeting": 2, "hello.client": 0}
    assert any("ran longer than 20 s" in p or "KeyboardInterrupt" in p for p in r["problems"]), r["problems"]
    messages = [c["message"] for c in r["exercises"]["hello.client"]["checks"]]
    # The hang is waited out once: the first check says so, the exercise's other checks are not run.
    assert "did not finish within" in messages[0], messages
    assert len(messages) > 1 and all(m.startswith("Not checked: an earlier check") for m in messages[1:]), messages


def test_a_dying_kernel_costs_that_exercise_only_with_a_reason(graded: dict) -> None:
    r = graded["exits"]
    assert scores(r) == {"hello.greeting": 2, "hello.client": 0}
    assert any("kernel died" in p for p in r["problems"]), r["problems"]


def test_bad_submissions_get_a_reason_and_a_zero_row(graded: dict) -> None:
    assert "is not a Jupyter notebook" in graded["garbage"]["problems"][0]
    assert "is chapter 99-other, not 00-welcome" in graded["other_chapter"]["problems"][0]
    for name in ("garbage", "other_chapter"):
        assert (graded[name]["total"], graded[name]["max_total"]) == (0, 4)


def test_outputs_for_the_class_and_for_gradescope(graded: dict) -> None:
    rows = {row["submission"]: row for row in graded["_csv"]}
    assert set(rows) == {"solved", "tampered", "endless", "exits", "garbage", "other_chapter", *_hostile(REPO)}
    assert rows["solved"]["total"] == "4" and rows["endless"]["hello.client"] == "0"
    gs = json.loads((graded["_out"] / "solved" / "results.json").read_text())
    assert gs["score"] == 4 and {t["visibility"] for t in gs["tests"]} == {"visible", "after_published"}
    assert "0 of 2" in (graded["_out"] / "tampered" / "feedback.md").read_text()
    summary = (graded["_out"] / "summary.md").read_text()
    assert f"{len(rows)} submission(s)" in summary and "| hello.client | 2 |" in summary, summary


def test_grading_leaves_no_container_behind(graded: dict) -> None:
    assert labelled() == (0, 0)


# ---- the sandbox: hostile submissions in the same batch ------------------------------------------------------
def test_the_reference_answer_is_out_of_reach(graded: dict) -> None:
    r = graded["steals"]
    assert scores(r) == {"hello.greeting": 2, "hello.client": 0}, r
    assert any("no reference answer within reach" in c["message"] for c in r["exercises"]["hello.client"]["checks"])


def test_killing_containers_through_docker_fails_and_a_neighbour_keeps_full_marks(graded: dict) -> None:
    # The killer was graded beside the honest submissions (two workers) and reaches no Docker engine.
    assert graded["solved"]["total"] == 4 and graded["killer"]["total"] == 4, graded["killer"]


def test_forged_grades_and_detached_processes_change_nothing(graded: dict) -> None:
    rows = {row["submission"]: row for row in graded["_csv"]}
    assert rows["forger"]["total"] == "4" and "999" not in (graded["_out"] / "grades.csv").read_text()
    time.sleep(1)  # a surviving forger would have written again by now
    assert "999" not in (graded["_out"] / "grades.csv").read_text()
    assert not _processes_with(MARK), "a process a submission started outlived its grading"


def test_memory_and_process_limits_stop_a_submission_with_a_reason(graded: dict) -> None:
    hog, bomb = graded["hog"], graded["forkbomb"]
    assert any("more memory than the sandbox allows" in p for p in hog["problems"]), hog["problems"]
    assert any("more processes than the sandbox allows" in p for p in bomb["problems"]), bomb["problems"]
    assert scores(hog)["hello.greeting"] == 2 and scores(bomb)["hello.greeting"] == 2


def _processes_with(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


# ---- release ---------------------------------------------------------------------------------------------------
def test_release_holds_no_solution(tmp_path: Path) -> None:
    out = release(tmp_path / "student")
    assert not (out / "solutions").exists() and not (out / "tests").exists()
    assert (out / "chapters" / f"{CHAPTER}.ipynb").is_file() and (out / "labs" / "hello" / "checks.py").is_file()
    assert leaks(out) == []
    # The scan is real: a reference answer pasted into a lab file, or a hidden check, is found.
    stub_file = out / "labs" / "hello" / "services" / "back" / "greeting.py"
    stub_file.write_text(reference_answers(_chapter())["hello.greeting"])
    assert leaks(out) == ["labs/hello/services/back/greeting.py contains lines of solutions/hello/answers/greeting.py"]
    stub_file.write_text("def survives_a_dead_back(ctx):\n    pass\n")
    assert leaks(out) == [
        "labs/hello/services/back/greeting.py defines survives_a_dead_back of solutions/hello/hidden_checks.py"
    ]
