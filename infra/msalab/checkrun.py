"""`python -m msalab.checkrun`: run an exercise's checks against a running lab, in a process of their own.

Both `msalab.check()` in a notebook and the grader call this, so a learner sees exactly what the grader
gives for the public checks, and nothing done to the notebook's kernel can change the verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from msalab import readiness
from msalab.checks import AnswerHung, CheckContext, CheckFailed, CheckSpec, Runner, load_checks
from msalab.errors import MsalabError
from msalab.exercises import find
from msalab.lab import Lab
from msalab.results import CheckResult, Report


def run_one(spec: CheckSpec, ctx: CheckContext, down: dict[str, str] | None = None) -> CheckResult:
    """Run one check with its time limit; `down` names the lab's services that would not start, and why."""
    return _run_one(spec, ctx, down)[0]


def _run_one(spec: CheckSpec, ctx: CheckContext, down: dict[str, str] | None) -> tuple[CheckResult, bool]:
    """The check's result, and whether it waited out a limit (its own, or that of learner code it ran)."""
    outcome: dict[str, object] = {}
    not_ready = "; ".join(f"{service} is not ready: {why}" for service, why in (down or {}).items())

    def target() -> None:
        try:
            outcome["message"] = spec.func(ctx) or "passed"
            outcome["passed"] = True
        except (CheckFailed, AssertionError) as e:
            outcome["message"] = (str(e) or "the check's condition did not hold") + (
                f" ({not_ready})" if not_ready else ""
            )
            outcome["hung"] = isinstance(e, AnswerHung)
        except Exception as e:  # the learner's code, or the lab, failed in a way the check did not foresee
            where = traceback.extract_tb(e.__traceback__)[-1]
            seen = f"{type(e).__name__}: {e} (at {Path(where.filename).name}:{where.lineno})"
            # A service that is down explains an unforeseen failure better than the check's own line does.
            outcome["message"] = f"{not_ready} (the check saw {seen})" if not_ready else seen

    started = time.monotonic()
    worker = threading.Thread(target=target, daemon=True)  # a hung check is abandoned, and dies with the process
    worker.start()
    worker.join(spec.timeout)
    if worker.is_alive():
        outcome = {"message": f"did not finish within {spec.timeout:.0f} s", "hung": True}
    passed = bool(outcome.get("passed"))
    result = CheckResult(
        exercise=spec.exercise,
        name=spec.name,
        title=spec.title,
        passed=passed,
        points=spec.points if passed else 0,
        max_points=spec.points,
        message=str(outcome["message"]),
        hidden=spec.hidden,
        seconds=round(time.monotonic() - started, 3),
    )
    return result, bool(outcome.get("hung"))


def run(
    exercise_ids: list[str],
    lab: Lab,
    answers: Path,
    include_hidden: bool,
    runner: Runner | None = None,
    replaced: dict[str, str] | None = None,
) -> Report:
    """The checks of these exercises, in order. `replaced`: exercises whose answers the grader had to replace by
    their starting code, with why; a check that needs one of them is not run and says so."""
    report = Report()
    specs = load_checks(lab.name, include_hidden)
    down: dict[str, str] = {}
    for ex_id in exercise_ids:
        ex = find(ex_id)
        answer = answers / f"{ex.id}.py"
        ctx = CheckContext(lab, ex, answer if answer.is_file() else None, runner)
        revive(lab, down)
        hung: CheckResult | None = None  # an earlier check of this exercise waited out a limit
        for spec in (s for s in specs if s.exercise == ex_id):
            missing = [ex for ex in spec.needs if ex in (replaced or {})]
            if missing:
                report.results.append(not_run(spec, missing[0]))
            elif hung is not None:
                report.results.append(not_run_after_hang(spec, hung))
            else:
                result, waited_out = _run_one(spec, ctx, down)
                report.results.append(result)
                hung = result if waited_out else None
    return report


def not_run(spec: CheckSpec, needed: str) -> CheckResult:
    return _not_run(
        spec,
        f"Not checked: this check needs {needed} working too, and that answer could not run here (its feedback says "
        "why).",
    )


def not_run_after_hang(spec: CheckSpec, hung: CheckResult) -> CheckResult:
    """A hang costs its limit once per exercise: the checks after it are not run, and say how long it waited."""
    return _not_run(
        spec,
        f"Not checked: an earlier check of this exercise already waited {hung.seconds:.0f} s for its "
        "answer (an endless loop?), so its other checks were not run.",
    )


def _not_run(spec: CheckSpec, why: str) -> CheckResult:
    return CheckResult(spec.exercise, spec.name, spec.title, False, 0, spec.points, why, spec.hidden)


def revive(lab: Lab, down: dict[str, str]) -> None:
    """Every exercise's checks start from a running lab: start what is stopped (a service that crashed under an
    earlier check), unpause what is paused. A service that will not start is put in `down` with why, and not
    tried again: its readiness limit is paid once."""
    try:
        states = lab.states()
    except Exception:
        return  # the engine's trouble: the checks will meet it and say so
    for service, state in states.items():
        if service in down or state == "running":
            continue
        try:
            if state == "paused":
                lab.unpause(service)
            else:
                lab.start(service)
        except MsalabError as e:
            down[service] = readiness.summary(str(e))


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m msalab.checkrun")
    p.add_argument("--lab", required=True)
    p.add_argument("--session", required=True)
    p.add_argument("--answers", type=Path, required=True)
    p.add_argument("--hidden", action="store_true")
    p.add_argument("--sandbox", help="the answer box (container name) where learner code runs, under grading")
    p.add_argument("--replaced", default="{}", help="JSON: exercise -> why the grader replaced its answer")
    p.add_argument("exercises", nargs="+")
    args = p.parse_args()
    try:
        lab = Lab.from_engine(args.lab, args.session)
        runner = None
        if args.sandbox:
            from msalab.sandbox import BoxRunner

            runner = BoxRunner(args.sandbox, args.answers, lab)
        report = run(args.exercises, lab, args.answers, args.hidden, runner, json.loads(args.replaced))
    except Exception as e:
        report = Report(problem=f"The checks could not run: {e}")
    sys.stdout.write(json.dumps(report.to_json()))
    sys.stdout.flush()
    os._exit(0)  # do not wait for abandoned (hung) checks


if __name__ == "__main__":
    main()
