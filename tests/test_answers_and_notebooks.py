"""Answer cells and notebook surgery, without Docker: what a submission can and cannot change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from msalab import answers, notebooks
from msalab.errors import MsalabError
from msalab.results import CheckResult, Report


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["msalab"] = {"chapter": "00-welcome", "lab": "hello"}
    return nb


def _answer(exercise: str, body: str, magic: str | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"%%answer {magic or exercise}\n{body}")
    cell.metadata["msalab"] = {"answer": exercise}
    return cell


def test_strip_magic_only_removes_a_leading_magic_line() -> None:
    assert answers.strip_magic("%%answer a.b\nx = 1\n") == "x = 1\n"
    assert answers.strip_magic("x = 1\n%%answer a.b\n") == "x = 1\n%%answer a.b\n"


def test_only_answer_cells_are_taken_and_the_last_duplicate_wins() -> None:
    nb = _nb(
        nbformat.v4.new_code_cell("print('all passed')"),
        _answer("hello.client", "first = 1\n"),
        _answer("hello.client", "second = 2\n"),
    )
    assert notebooks.extract_answers(nb) == {"hello.client": "second = 2\n"}


def test_a_submission_cannot_redirect_its_answer_with_the_magic_line() -> None:
    canonical = _nb(_answer("hello.greeting", "stub\n"), _answer("hello.client", "stub\n"))
    submitted = _nb(_answer("hello.greeting", "mine\n", magic="hello.client"))
    graded = notebooks.with_answers(canonical, notebooks.extract_answers(submitted))
    assert [c.source for c in graded.cells] == ["%%answer hello.greeting\nmine\n", "%%answer hello.client\nstub\n"]
    assert canonical.cells[0].source == "%%answer hello.greeting\nstub\n", "the canonical notebook is not changed"


def test_solve_fills_every_answer_cell_with_the_reference(tmp_path: Path) -> None:
    out = notebooks.solve("00-welcome", tmp_path / "solved.ipynb")
    solved = notebooks.extract_answers(nbformat.read(out, as_version=4))
    for ex, code in solved.items():
        assert code == notebooks.reference_answer_path(ex).read_text()


def test_unknown_chapter_lists_the_real_ones() -> None:
    with pytest.raises(MsalabError, match=r"no chapter 'nope'; the chapters are: .*00-welcome"):
        notebooks.load_chapter("nope")


def test_a_module_answer_runs_in_the_notebook_and_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(answers.ANSWERS_ENV, str(tmp_path))
    namespace: dict[str, object] = {}
    message = answers.run_answer_cell("hello.client", "def greet_via_front(u, n):\n    return n\n", namespace)
    assert "saved" in message and callable(namespace["greet_via_front"])
    assert (tmp_path / "hello.client.py").read_text().startswith("def greet_via_front")


def test_a_service_answer_without_a_running_lab_says_to_start_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(answers.ANSWERS_ENV, str(tmp_path))
    monkeypatch.delenv("MSALAB_PROVIDED_SESSION", raising=False)
    message = answers.run_answer_cell("hello.greeting", "def greeting(n):\n    return n\n", {})
    assert "start the lab (msalab.up('hello'))" in message
    monkeypatch.setenv("MSALAB_LANG", "ko")
    message = answers.run_answer_cell("hello.greeting", "def greeting(n):\n    return n\n", {})
    assert (
        message
        == "hello.greeting 답안을 저장했어요. 실습 환경을 시작한 뒤(msalab.up('hello')) 이 셀을 다시 실행하세요."
    )


def test_report_shows_a_table_and_a_plain_fallback() -> None:
    r = Report(
        [
            CheckResult("a.b", "one", "first check", True, 1, 1, "passed"),
            CheckResult("a.b", "two", "second <check>", False, 0, 2, "saw 3, expected 4"),
        ]
    )
    assert (r.points, r.max_points, r.passed) == (1, 3, False)
    assert "FAIL 0/2  second <check>: saw 3, expected 4" in str(r) and "1 of 3 points" in str(r)
    assert "second &lt;check&gt;" in r._repr_html_() and "failed" in r._repr_html_()


def test_grade_without_submissions_is_one_sentence(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "msalab.cli", "grade", str(tmp_path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and out.stderr.startswith("msalab: No submissions found")


def test_a_check_loaded_twice_counts_once() -> None:
    from msalab.checks import _registry, check, load_checks

    load_checks("hello", include_hidden=True)
    before = len(_registry)

    def greets_ada(ctx: object) -> None:  # same exercise and name as a public check of hello
        pass

    check("hello.greeting")(greets_ada)
    assert len(_registry) == before


def test_an_answer_that_does_not_compile_is_blamed_without_touching_the_lab() -> None:
    from msalab.exercises import find
    from msalab.grader import deploy_answers

    memory = find("layers.memory")
    assert answers.syntax_error(memory, "def f():\n    return 1\n") is None
    assert answers.syntax_error(memory, "def broken(:\n    pass\n") == (
        "SyntaxError: invalid syntax (memory.py, line 1)"
    )
    assert "IndentationError" in str(answers.syntax_error(memory, "if True:\npass\n"))
    assert "null bytes (memory.py)" in str(answers.syntax_error(memory, "x = 1\0"))
    rules = find("telemetry.slo")  # a Prometheus rules file: not Python, so its service judges it
    assert not rules.is_python and answers.syntax_error(rules, "groups: [") is None
    assert find("telemetry.p99").is_python  # a function answer
    # No lab at all: the blame is decided from the source alone, before anything is deployed.
    blamed = deploy_answers(None, ["layers.memory"], {"layers.memory": "def broken(:\n    pass\n"}, {})  # type: ignore[arg-type]
    assert blamed["layers.memory"].startswith("Your answer is not valid Python")
    assert blamed["layers.memory"].endswith("SyntaxError: invalid syntax (memory.py, line 1)")


def test_an_answer_cell_that_is_not_valid_python_is_not_deployed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(answers.ANSWERS_ENV, str(tmp_path))
    message = answers.run_answer_cell("hello.greeting", "def greeting(n:\n    return n\n", {})
    assert message.startswith("Answer to hello.greeting saved, but not deployed: it is not valid Python (SyntaxError")
    assert (tmp_path / "hello.greeting.py").is_file()  # kept all the same: it is the learner's work
