"""Answer cells: the `%%answer <exercise>` cell magic, where answers are kept, and how they reach a lab.

A cell that starts with `%%answer queue.ack` is the learner's answer to that exercise. Running it
- keeps the cell's code as the answer file (`.msalab-answers/<exercise>.py` beside the notebook, or $MSALAB_ANSWERS);
- for a service answer, puts the file into the service's container and restarts it;
- for a module answer, also runs the code in the notebook, so later cells can use what it defines.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from msalab.errors import MsalabError, NotReady
from msalab.exercises import Exercise, find
from msalab.lab import Lab
from msalab.language import say
from msalab.topology import load_lab

ANSWERS_ENV = "MSALAB_ANSWERS"
MAGIC = "answer"


def answers_dir() -> Path:
    path = Path(os.environ.get(ANSWERS_ENV) or Path.cwd() / ".msalab-answers")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(exercise: Exercise, source: str, folder: Path | None = None) -> Path:
    path = (folder or answers_dir()) / f"{exercise.id}.py"
    path.write_text(source, encoding="utf-8")  # what a container reads, whatever this machine's locale
    return path


def deploy(lab: Lab, exercise: Exercise, source: str, ready_within: float | None = None) -> float:
    """Put a service answer into its container (every replica) and restart it; returns seconds until ready.

    Raises NotReady (with the container's last log lines) when the answer keeps the service from starting.
    """
    assert exercise.service is not None
    spec = load_lab(exercise.lab)
    folder, name = exercise.target_in_container(spec)
    started = time.monotonic()
    replicas = spec.members(exercise.service)

    def redeploy(service: str) -> None:
        lab.put_files(service, {name: source}, folder)
        lab.restart(service, timeout=2, ready_within=ready_within)

    with ThreadPoolExecutor(max_workers=len(replicas)) as pool:  # replicas restart side by side
        for done in [pool.submit(redeploy, r) for r in replicas]:
            done.result()
    return time.monotonic() - started


def syntax_error(exercise: Exercise, source: str) -> str | None:
    """What keeps a Python answer from compiling, in one line, or None. Compiling runs none of it."""
    if not exercise.is_python:
        return None  # a rules or config file: its service says what it makes of it
    name = Path(exercise.file or f"{exercise.id}.py").name
    try:
        compile(source, name, "exec", dont_inherit=True)
    except SyntaxError as e:  # IndentationError too
        where = f"{name}, line {e.lineno}" if e.lineno else name
        return f"{type(e).__name__}: {e.msg} ({where})"
    except (ValueError, RecursionError, MemoryError) as e:  # a NUL byte; nesting too deep for the parser
        return f"{type(e).__name__}: {e} ({name})"
    return None


def strip_magic(source: str) -> str:
    """The answer's code without a leading `%%answer ...` line."""
    lines = source.splitlines(keepends=True)
    if lines and lines[0].lstrip().startswith(f"%%{MAGIC}"):
        lines = lines[1:]
    return "".join(lines)


def run_answer_cell(exercise_id: str, source: str, namespace: dict[str, object]) -> str:
    """What the magic does; returns one line saying what happened (errors included, never raised for a
    broken answer, so that the rest of the notebook still runs)."""
    from msalab import session

    exercise = find(exercise_id.strip())
    save(exercise, source)
    ex, service = exercise.id, exercise.service
    if exercise.kind == "module":
        exec(compile(source, f"<answer {exercise.id}>", "exec"), namespace)
        return say("answer.kept", f"Answer to {ex} saved; check it with msalab.check('{ex}').", exercise=ex)
    invalid = syntax_error(exercise, source)
    if invalid is not None:  # deployed, it might break only later, in another exercise's check (a linter)
        return say(
            "answer.invalid",
            f"Answer to {ex} saved, but not deployed: it is not valid Python ({invalid}); fix it and run this cell "
            "again.",
            exercise=ex,
            error=invalid,
        )
    lab = session.current(exercise.lab)
    if lab is None:
        return say(
            "answer.no_lab",
            f"Answer to {ex} saved; start the lab (msalab.up('{exercise.lab}')) and run this cell again.",
            exercise=ex,
            lab=exercise.lab,
        )
    try:
        seconds = deploy(lab, exercise, source)
    except NotReady as e:
        return say(
            "answer.not_ready",
            f"Answer to {ex} deployed, but {service} did not start again: {e}",
            exercise=ex,
            service=service,
            error=e,
        )
    except MsalabError as e:
        return say("answer.not_deployed", f"Answer to {ex} saved, but not deployed: {e}", exercise=ex, error=e)
    return say(
        "answer.deployed",
        f"Answer to {ex} deployed into {service}, ready again in {seconds:.1f} s; check it with msalab.check('{ex}').",
        exercise=ex,
        service=service,
        seconds=seconds,
    )


def load_ipython_extension(ipython: Any) -> None:
    def answer(line: str, cell: str) -> None:
        print(run_answer_cell(line, cell, ipython.user_ns))

    ipython.register_magic_function(answer, magic_kind="cell", magic_name=MAGIC)
