"""`msalab check | hint | progress | solve | grade | release`: exercises, hints, your progress, grading and the
student copy."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from msalab.errors import MsalabError


def add_course_commands(sub: Any) -> None:
    c = sub.add_parser("check", help="Run an exercise's public checks against its running lab.")
    c.add_argument("exercise", help="exercise id, e.g. hello.greeting")
    c.add_argument("--answers", type=Path, help="folder of answer files (default: ./.msalab-answers)")
    c.set_defaults(handler=cmd_check)

    h = sub.add_parser("hint", help="Show an exercise's next hint you have not seen, or hint N.")
    h.add_argument("exercise", help="exercise id, e.g. hello.greeting")
    h.add_argument("n", nargs="?", type=int, help="which hint (1 is the gentlest); default: the next unseen one")
    h.set_defaults(handler=cmd_hint)

    p = sub.add_parser("progress", help="Show your own check results across the chapters.")
    p.add_argument("--json", action="store_true", help="the records as JSON")
    p.set_defaults(handler=cmd_progress)

    s = sub.add_parser("solve", help="Write a chapter with the reference answers in its answer cells.")
    s.add_argument("chapter", help="chapter name or file, e.g. 00-welcome")
    s.add_argument("-o", "--out", type=Path, required=True)
    s.set_defaults(handler=cmd_solve)

    g = sub.add_parser("grade", help="Grade submitted notebooks: each answer checked against a lab in a known state.")
    g.add_argument("submissions", nargs="+", type=Path, help="notebooks, or folders of them")
    g.add_argument("--out", type=Path, required=True, help="folder for grades.csv, JSON and feedback")
    g.add_argument("--workers", type=int, default=1, help="submissions graded at once (each has its own lab)")
    g.add_argument("--timeout", type=float, default=1800, help="seconds a whole notebook may run")
    g.add_argument("--cell-timeout", type=float, default=300, help="seconds one cell may run")
    g.add_argument("--chapter", help="the chapter every submission must be")
    g.add_argument("--memory", default="2g", help="memory one submission's sandbox may use (default 2g)")
    g.add_argument("--pids", type=int, default=512, help="processes one submission's sandbox may run")
    g.add_argument("--cpus", type=float, default=1.0, help="CPUs one submission's sandbox may use")
    g.add_argument(
        "--execute-notebook",
        action="store_true",
        help="also run each whole notebook in its sandbox, to report errors in its other cells: slower, "
        "same verdicts (the checks depend only on the answers)",
    )
    g.add_argument("--answers-only", action="store_true", help=argparse.SUPPRESS)  # the default now
    g.add_argument(
        "--fresh-labs",
        action="store_true",
        help="start a new lab for every submission instead of resetting each worker's warm lab",
    )
    g.add_argument(
        "--check-unanswered",
        action="store_true",
        help="run the checks of an answer that is still the starting code too (it scores 0 either way)",
    )
    g.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run submissions' code on this machine, with its Docker engine and files: trusted notebooks only",
    )
    g.set_defaults(handler=cmd_grade)

    r = sub.add_parser("release", help="Write the student copy: no solutions, no hidden checks.")
    r.add_argument("--out", type=Path, required=True)
    r.set_defaults(handler=cmd_release)


def cmd_check(args: argparse.Namespace) -> int:
    from msalab import checking, checklog, session
    from msalab.answers import answers_dir
    from msalab.exercises import find
    from msalab.lab import Lab

    ex = find(args.exercise)
    lab = session.current(ex.lab) or Lab.from_engine(ex.lab)
    report = checking.run_checks(lab, [ex.id], args.answers or answers_dir(), include_hidden=False)
    checklog.record(ex.id, report)
    print(report)
    return 0 if report.passed else 1


def cmd_hint(args: argparse.Namespace) -> int:
    from msalab.hints import reveal

    print(reveal(args.exercise, args.n))
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from msalab.progresstable import table

    shown = table()
    if args.json:
        import json

        print(json.dumps(shown.to_json(), indent=1))
    else:
        print(shown)
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from msalab.notebooks import solve

    print(f"Wrote {solve(args.chapter, args.out)}.")
    return 0


def submissions(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(p.glob("*.ipynb"))
        elif p.exists():
            found.append(p)
        else:
            raise MsalabError(f"There is no file or folder {p}; check the path.")
    if not found:
        raise MsalabError("No submissions found: name .ipynb files or folders holding them.")
    return found


def cmd_grade(args: argparse.Namespace) -> int:
    from msalab.grader import Limits, grade_batch
    from msalab.sandbox import SandboxLimits

    box = None if args.no_sandbox else SandboxLimits(memory=args.memory, pids=args.pids, cpus=args.cpus)
    if box is None:
        print("Grading WITHOUT a sandbox: submissions' code runs on this machine, with its Docker engine and files.")
    outcomes = grade_batch(
        submissions(args.submissions),
        args.out,
        Limits(
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.timeout,
            sandbox=box,
            execute_notebook=args.execute_notebook,
            reuse_labs=not args.fresh_labs,
            skip_unanswered=not args.check_unanswered,
        ),
        workers=args.workers,
        chapter=args.chapter,
    )
    for o in outcomes:
        note = f"  ({o.problems[0]})" if o.problems else ""
        print(f"{o.submission:<30} {o.total:g}/{o.max_total:g}{note}")
    print()
    print((args.out / "summary.md").read_text())
    print(
        f"Wrote {args.out / 'grades.csv'}, {args.out / 'summary.md'} and one JSON, results.json and feedback.md "
        "per submission."
    )
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from msalab.release import release

    print(f"Wrote the student copy to {release(args.out)}.")
    return 0
