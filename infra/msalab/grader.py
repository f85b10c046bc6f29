"""`msalab grade`: score a batch of submitted notebooks against real labs, whatever the submissions do.

For each submission: take only its answer cells, deploy them into a lab in a known state and run the public
and hidden checks, learner code sealed in a sandbox. The checks depend on nothing but the lab and the answers,
so by default the notebook itself is not run; `--execute-notebook` also runs it (put together from the canonical
chapter and the answers, with nbclient, per-cell and per-notebook limits) to report errors in its other cells.
A batch keeps one warm lab per worker and resets it between submissions. A crash, a hang, a dead kernel or a
file that is not a notebook costs that submission points with a reason; the batch goes on and no container is
left behind.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from msalab import answers, checking, execution, notebooks, readiness, runtime, sandbox, session, translation
from msalab.checks import load_checks
from msalab.errors import MsalabError
from msalab.exercises import Exercise, find
from msalab.lab import Lab
from msalab.paths import course_root
from msalab.release import release as release_tree
from msalab.results import CheckResult, Report
from msalab.sandbox import SandboxLimits

DEFAULT_CELL_TIMEOUT = 300.0
DEFAULT_NOTEBOOK_TIMEOUT = 1800.0
DEFAULT_DEPLOY_TIMEOUT = 60.0


@dataclass
class ExerciseScore:
    score: float
    max: float
    checks: list[CheckResult]


@dataclass
class Outcome:
    submission: str
    chapter: str | None
    exercises: dict[str, ExerciseScore] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why points may be missing, in plain words
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(e.score for e in self.exercises.values())

    @property
    def max_total(self) -> float:
        return sum(e.max for e in self.exercises.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "chapter": self.chapter,
            "total": self.total,
            "max_total": self.max_total,
            "problems": self.problems,
            "seconds": round(self.seconds, 2),
            "exercises": {k: asdict(v) for k, v in self.exercises.items()},
        }


@dataclass(frozen=True)
class Limits:
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT
    # Where submission code runs; None runs it on this machine, for trusted notebooks only (`--no-sandbox`).
    sandbox: SandboxLimits | None = field(default_factory=SandboxLimits)
    # True also runs the whole notebook (to report errors in its other cells); the verdicts do not depend on it:
    # the checks always run against a lab with only the answers deployed.
    execute_notebook: bool = False
    # Keep the checks' lab between submissions graded by one process, reset to a fresh start's state in between
    # (runtime.reset); False starts a new lab for every submission.
    reuse_labs: bool = False
    # How long a service may take to be ready again with an answer deployed: what a hanging answer costs, once.
    deploy_timeout: float = DEFAULT_DEPLOY_TIMEOUT
    # An answer that is still the chapter's starting code (in any edition) scores 0 without running its checks,
    # and a submission with nothing answered needs no lab; False runs them anyway (tests/test_chapter_grades.py
    # does, to prove that the starting code earns nothing).
    skip_unanswered: bool = True


# ---- one submission -------------------------------------------------------------------------------------------
def grade_one(path: Path, limits: Limits, chapter_wanted: str | None = None, release: Path | None = None) -> Outcome:
    """Grade one submitted notebook; `release` is the student release that sandboxes see (made when None)."""
    started = time.monotonic()
    outcome = Outcome(submission=path.stem, chapter=None)
    try:
        _grade_into(outcome, path, limits, chapter_wanted, release)
    except Exception as e:  # the grader's own trouble (engine gone, ...): that submission only
        outcome.problems.append(f"Grading stopped early: {e}")
        if not outcome.exercises:
            _zero_for(outcome, outcome.chapter or chapter_wanted)
    outcome.seconds = time.monotonic() - started
    return outcome


def _grade_into(outcome: Outcome, path: Path, limits: Limits, chapter_wanted: str | None, release: Path | None) -> None:
    try:
        submitted = nbformat.read(path, as_version=4)
    except Exception:
        outcome.problems.append(f"{path.name} is not a Jupyter notebook; submit the chapter's .ipynb file.")
        _zero_for(outcome, chapter_wanted)
        return
    chapter = notebooks.chapter_name(submitted)
    if chapter is None:
        outcome.problems.append(f"{path.name} is not a chapter of this course (its metadata names no chapter).")
        _zero_for(outcome, chapter_wanted)
        return
    if chapter_wanted and chapter != chapter_wanted:
        outcome.problems.append(f"{path.name} is chapter {chapter}, not {chapter_wanted}; submit the right one.")
        _zero_for(outcome, chapter_wanted)
        return
    outcome.chapter = chapter
    _, canonical = notebooks.load_chapter(chapter)
    lab_name = canonical.metadata["msalab"]["lab"]
    exercise_ids = list(notebooks.answer_cells(canonical))
    given = {ex: code for ex, code in notebooks.extract_answers(submitted).items() if ex in exercise_ids}
    # An exercise whose answer cell was deleted is graded on the chapter's stub, as if unanswered.
    stubs = notebooks.extract_answers(canonical)
    answer_code = {ex: given.get(ex, stubs[ex]) for ex in exercise_ids}
    at_start = unanswered_exercises(chapter, answer_code, stubs)
    unanswered = at_start if limits.skip_unanswered else frozenset()
    sub = Submission(
        notebooks.with_answers(canonical, answer_code), lab_name, exercise_ids, answer_code, stubs, unanswered, at_start
    )

    with tempfile.TemporaryDirectory(prefix="msalab-grade-") as tmp:
        work = Path(tmp)
        if unanswered == set(exercise_ids) and not limits.execute_notebook:
            report = not_answered(lab_name, unanswered)  # nothing to deploy or check: no lab needed
        elif limits.sandbox is None:
            report = _grade_unsandboxed(outcome, sub, work, limits)
        else:
            report = _grade_sandboxed(outcome, sub, work, limits, release or student_release())
    _score(outcome, lab_name, exercise_ids, report)


@dataclass(frozen=True)
class Submission:
    """What is graded: the canonical chapter with the submission's answers, and the chapter's starting code."""

    notebook: nbformat.NotebookNode
    lab: str
    exercises: list[str]
    code: dict[str, str]  # exercise -> the submission's answer (the starting code where its cell was deleted)
    stubs: dict[str, str]  # exercise -> the chapter's starting code
    unanswered: frozenset[str] = frozenset()  # exercises whose answer is still the starting code: not checked
    at_start: frozenset[str] = frozenset()  # the same, whether or not they are checked


def _grade_sandboxed(outcome: Outcome, sub: Submission, work: Path, limits: Limits, release: Path) -> Report:
    """The notebook runs in a sandbox against a lab of its own; the checks then run against a fresh lab with
    only the answers deployed, so nothing the notebook did to its lab (files changed, processes left running)
    can reach a verdict. Learner code the checks call runs in an answer box."""
    assert limits.sandbox is not None
    folder = work / "answers"
    folder.mkdir()
    for ex_id in sub.exercises:
        answers.save(find(ex_id), sub.code[ex_id], folder)
    # The checks' lab boots while the notebook runs: most of a start is waiting for services to be ready.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="msalab-checks-lab") as pool:
        fresh = pool.submit(_checks_lab, sub.lab)
        try:
            if limits.execute_notebook:
                outcome.problems += _run_notebook(sub, work, limits, release)
        except BaseException:
            _down_when_up(fresh)
            raise
    lab = fresh.result()
    try:
        with sandbox.answer_box(lab, release, folder, limits.sandbox) as box:
            return check_answers(
                lab,
                sub.exercises,
                sub.code,
                folder,
                box.name,
                sub.stubs,
                limits.deploy_timeout,
                sub.unanswered,
                sub.at_start,
            )
    finally:
        _done_with(lab, limits.reuse_labs)


def _run_notebook(sub: Submission, work: Path, limits: Limits, release: Path) -> list[str]:
    assert limits.sandbox is not None
    lab = runtime.up(sub.lab, mode="kernel", quiet=True)
    try:
        return sandbox.run_notebook(
            sub.notebook, lab, release, work, limits.cell_timeout, limits.notebook_timeout, limits.sandbox
        )
    finally:
        lab.down()


def _down_when_up(starting: Future[Lab]) -> None:
    try:
        starting.result().down()
    except Exception:
        pass  # it failed to start: runtime.up removed what it had started


def _grade_unsandboxed(outcome: Outcome, sub: Submission, work: Path, limits: Limits) -> Report:
    # A lab the notebook ran against is not kept: the checks start from it healed, then it goes.
    reuse = limits.reuse_labs and not limits.execute_notebook
    lab = _checks_lab(sub.lab)
    try:
        if limits.execute_notebook:
            outcome.problems += execute(sub.notebook, lab, work, limits)
            lab = _healthy(lab)
        return check_answers(
            lab,
            sub.exercises,
            sub.code,
            work / "answers",
            stubs=sub.stubs,
            deploy_timeout=limits.deploy_timeout,
            unanswered=sub.unanswered,
            at_start=sub.at_start,
        )
    finally:
        _done_with(lab, reuse)


# ---- warm labs: one per lab and grading process, reset between submissions --------------------------------------
_warm: dict[str, Lab] = {}


def _checks_lab(name: str) -> Lab:
    """A lab an earlier grading in this process kept warm (and reset since), whatever this grading's limits say
    about keeping it afterwards; else a new one."""
    if name in _warm:
        return _warm.pop(name)
    return runtime.up(name, mode="kernel", quiet=True)


def _done_with(lab: Lab, reuse: bool) -> None:
    """Keep the lab for the next submission, reset now so that nothing this one did can reach that one's
    verdicts; a lab that does not reset cleanly is removed (the next submission starts a new one)."""
    if reuse:
        try:
            runtime.reset(lab)
            _warm[lab.name] = lab
            return
        except Exception:
            pass
    lab.down()


def release_warm_labs() -> None:
    """Remove the labs this process keeps warm (a batch's workers do so when they finish)."""
    while _warm:
        _warm.popitem()[1].down()


_release: dict[Path, Path] = {}


def student_release() -> Path:
    """The student release that sandboxes see, written once per process (a batch writes one for all)."""
    root = course_root()
    if root not in _release or not _release[root].is_dir():
        holder = Path(tempfile.mkdtemp(prefix="msalab-release-"))
        atexit.register(shutil.rmtree, holder, True)
        _release[root] = release_tree(holder / "course")
    return _release[root]


def execute(nb: nbformat.NotebookNode, lab: Lab, work: Path, limits: Limits) -> list[str]:
    """Run the notebook on this machine, unsandboxed, in a fresh kernel that uses the grader's lab."""
    env = {
        **os.environ,
        session.PROVIDED_ENV: lab.session,
        answers.ANSWERS_ENV: str(work / "kernel-answers"),
    }
    return execution.execute(nb, work, env, limits.cell_timeout, limits.notebook_timeout)


def _healthy(lab: Lab) -> Lab:
    """Undo what the notebook did to its lab (killed, paused) so that every check starts from a running lab;
    a lab the notebook removed altogether is started afresh."""
    try:
        states = lab.states()
    except Exception:
        lab.down()
        return runtime.up(lab.name, mode="kernel", quiet=True)
    for service, state in states.items():
        if state == "paused":
            lab.unpause(service)
        elif state != "running":
            try:
                lab.start(service)
            except MsalabError:
                pass  # a broken answer inside it; deploying the answers next says so for its exercise
    return lab


def check_answers(
    lab: Lab,
    exercise_ids: list[str],
    code: dict[str, str],
    folder: Path,
    sandbox: str | None = None,
    stubs: dict[str, str] | None = None,
    deploy_timeout: float | None = None,
    unanswered: frozenset[str] = frozenset(),
    at_start: frozenset[str] = frozenset(),
) -> Report:
    """Deploy the answers and run every check. A service answer that keeps its service from starting is
    blamed: it scores 0 with the cause, and the other exercises are checked with its starting code instead. An
    unanswered exercise is deployed (the others' checks may call it) but not checked. `at_start`: the exercises
    whose answer is the starting code, checked or not (an answer that builds on one of them is not deployed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for ex_id in exercise_ids:
        answers.save(find(ex_id), code[ex_id], folder)
    blamed = deploy_answers(lab, exercise_ids, code, stubs or {}, deploy_timeout, at_start | unanswered)
    checked = [ex for ex in exercise_ids if ex not in blamed and ex not in unanswered]
    report = (
        checking.run_checks(lab, checked, folder, include_hidden=True, sandbox=sandbox, replaced=blamed)
        if checked
        else Report()
    )
    for spec in load_checks(lab.name, include_hidden=True):
        if spec.exercise in blamed:
            report.results.append(
                CheckResult(
                    spec.exercise, spec.name, spec.title, False, 0, spec.points, blamed[spec.exercise], spec.hidden
                )
            )
    report.results += not_answered(lab.name, unanswered).results
    return report


# ---- unanswered exercises ----------------------------------------------------------------------------------------
NOT_ANSWERED = "Not answered: this is still the chapter's starting code, which earns nothing."


def unanswered_exercises(chapter: str, code: dict[str, str], stubs: dict[str, str]) -> frozenset[str]:
    """The exercises whose answer is the chapter's starting code as some edition ships it (`stubs`: the English
    one's), to the character (a changed docstring may be what a check reads, so only an untouched stub counts)."""
    shipped = {ex: {_untouched(stub)} for ex, stub in stubs.items()}
    for path in translation.translated_editions(chapter):
        for ex, stub in notebooks.extract_answers(nbformat.read(path, as_version=4)).items():
            shipped.setdefault(ex, set()).add(_untouched(stub))
    return frozenset(ex for ex, answer in code.items() if _untouched(answer) in shipped.get(ex, set()))


def _untouched(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines())


def not_answered(lab_name: str, exercises: Iterable[str]) -> Report:
    """Every check of the unanswered exercises, failed without running: the starting code earns nothing."""
    wanted = set(exercises)
    return Report(
        [
            CheckResult(spec.exercise, spec.name, spec.title, False, 0, spec.points, NOT_ANSWERED, spec.hidden)
            for spec in load_checks(lab_name, include_hidden=True)
            if spec.exercise in wanted
        ]
    )


def deploy_answers(
    lab: Lab,
    exercise_ids: list[str],
    code: dict[str, str],
    stubs: dict[str, str],
    within: float | None = None,
    at_start: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Deploy service answers one at a time, each onto the ones before it; returns exercise -> why it was blamed.

    One at a time, a service that does not come up points at the answer just deployed, and a hang costs its
    readiness limit once. A blamed answer is replaced by the chapter's starting code (never by a reference), and
    so is an answer that builds on an exercise left at its starting code (blamed, or `at_start`)."""
    blamed: dict[str, str] = {}
    for ex_id in exercise_ids:
        ex = find(ex_id)
        missing = [dep for dep in ex.builds_on if dep in blamed or dep in at_start]
        if missing and ex_id not in at_start:
            blamed[ex_id] = _builds_on_missing(missing[0], missing[0] in blamed)
            if ex.kind == "service" and ex_id in stubs:
                _deploy_stub(lab, ex, stubs[ex_id], within)
            continue
        if ex.kind != "service":
            continue
        # A module that does not compile breaks more than its service's start: tools that read the whole package
        # (a linter, a module imported only by a test) fail on it in other exercises' checks too.
        unparsable = answers.syntax_error(ex, code[ex_id])
        if unparsable is not None:
            blamed[ex_id] = (
                f"Your answer is not valid Python, so it earns nothing here and the other exercises were checked "
                f"with its starting code instead: {unparsable}"
            )
            continue  # nothing was deployed: its service still runs the starting code
        try:
            answers.deploy(lab, ex, code[ex_id], within)
            continue
        except MsalabError as e:
            blamed[ex_id] = (
                f"Your answer keeps {ex.service} from starting, so it earns nothing here and the other exercises "
                f"were checked with its starting code instead: {readiness.summary(str(e))}"
            )
        if ex_id in stubs:
            _deploy_stub(lab, ex, stubs[ex_id], within)
    return blamed


def _deploy_stub(lab: Lab, ex: Exercise, stub: str, within: float | None) -> None:
    try:
        answers.deploy(lab, ex, stub, within)
    except MsalabError:
        pass  # the starting code does not come up either: the checks that need it will say so


def _builds_on_missing(dependency: str, blamed: bool) -> str:
    if blamed:
        return (
            f"Not checked: this answer builds on {dependency}, whose answer could not run here (its feedback says "
            "why), so it earns nothing here and the other exercises were checked with its starting code instead."
        )
    return (
        f"Not checked: this answer builds on {dependency}, which is not answered yet, so it earns nothing here and "
        "the other exercises were checked with its starting code instead."
    )


def _score(outcome: Outcome, lab_name: str, exercise_ids: list[str], report: Report) -> None:
    max_by_ex: dict[str, float] = dict.fromkeys(exercise_ids, 0.0)
    for spec in load_checks(lab_name, include_hidden=True):
        if spec.exercise in max_by_ex:
            max_by_ex[spec.exercise] += spec.points
    for ex in exercise_ids:
        checks = [r for r in report.results if r.exercise == ex]
        outcome.exercises[ex] = ExerciseScore(sum(r.points for r in checks), max_by_ex[ex], checks)
    if report.problem:
        outcome.problems.append(report.problem)


def _zero_for(outcome: Outcome, chapter: str | None) -> None:
    """A submission that could not be graded still gets a row: zero for every exercise of the chapter."""
    if not chapter:
        return
    _, canonical = notebooks.load_chapter(chapter)
    lab_name = canonical.metadata["msalab"]["lab"]
    _score(outcome, lab_name, list(notebooks.answer_cells(canonical)), Report())


# ---- a batch ---------------------------------------------------------------------------------------------------
def grade_batch(
    submissions: Iterable[Path],
    out: Path,
    limits: Limits,
    workers: int = 1,
    chapter: str | None = None,
    quiet: bool = False,
) -> list[Outcome]:
    from tqdm.auto import tqdm

    from msalab.grade_output import write_outputs

    paths = sorted(submissions)
    out.mkdir(parents=True, exist_ok=True)
    tree = None
    if limits.sandbox is not None:
        sandbox.preflight(limits.sandbox)  # a refused sandbox stops the batch before anything is graded
        tree = student_release()
    outcomes: list[Outcome] = []
    bar = tqdm(total=len(paths), desc="grading", unit="submission", disable=quiet)
    # Grading runs in worker processes: a grader crash stays with its submission, and each worker keeps its own
    # warm lab (when limits.reuse_labs), removed by the lab's own finalizer when the worker exits.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx) as pool:
        futures = {pool.submit(grade_one, p, limits, chapter, tree): p for p in paths}
        for f in as_completed(futures):
            try:
                outcome = f.result()
            except Exception as e:  # the worker process itself died
                outcome = Outcome(submission=futures[f].stem, chapter=chapter, problems=[f"Grading crashed: {e}"])
                _zero_for(outcome, chapter)
            outcomes.append(outcome)
            bar.set_postfix_str(f"{outcome.submission}: {outcome.total:g}/{outcome.max_total:g}")
            bar.update(1)
    bar.close()
    outcomes.sort(key=lambda o: o.submission)
    write_outputs(outcomes, out)
    return outcomes
