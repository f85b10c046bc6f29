"""Exercises, declared by each lab in its lab.toml:

    [exercises.greeting]
    title = "Greet loudly"
    kind = "service"          # the answer is a file of a service: deployed into its container, which restarts
    service = "back"
    file = "greeting.py"      # relative to the service's source folder

    [exercises.client]
    title = "Call the front service from Python"
    kind = "module"           # the answer is a Python module: checks import it in a fresh process
    builds_on = ["greeting"]  # optional: earlier exercises this answer cannot work without (see below)

`builds_on` is for an answer that breaks the lab for everyone else when an earlier one is missing (an authorization
policy that admits callers by the identities an mTLS answer gives them). When the grader has to run an exercise
it builds on at its starting code (that answer keeps its service from starting, or is not answered), it runs this
one at its starting code too, so that the exercises after both are still checked on their own merits.

The id of an exercise is "<lab>.<name>". Its points are the sum of its checks' points (public and hidden).
"""

from __future__ import annotations

from dataclasses import dataclass

from msalab.errors import MsalabError, TopologyError
from msalab.topology import LabSpec, available_labs, load_lab

KINDS = ("service", "module")


@dataclass(frozen=True)
class Exercise:
    id: str
    lab: str
    name: str
    title: str
    kind: str
    service: str | None = None
    file: str | None = None
    builds_on: tuple[str, ...] = ()  # ids of earlier exercises of the same lab

    @property
    def is_python(self) -> bool:
        """Whether the answer is Python: a function answer, or a service file ending in .py (not a rules file)."""
        return self.file is None or self.file.endswith(".py")

    def target_in_container(self, spec: LabSpec) -> tuple[str, str]:
        """(folder in the container, file name) where a service answer goes."""
        assert self.service is not None and self.file is not None
        from msalab.runtime import SOURCE_ROOT

        source = spec.services[spec.members(self.service)[0]].source
        assert source is not None
        return f"{SOURCE_ROOT}/{source.name}", self.file


def lab_exercises(spec: LabSpec) -> list[Exercise]:
    raw = spec.extra.get("exercises", {})
    out = []
    for name, fields in raw.items():
        ex_id = f"{spec.name}.{name}"
        kind = fields.get("kind", "module")
        if kind not in KINDS:
            raise TopologyError(f"Exercise {ex_id} has kind '{kind}'; use one of {', '.join(KINDS)}.")
        ex = Exercise(
            ex_id,
            spec.name,
            name,
            str(fields.get("title", name)),
            kind,
            fields.get("service"),
            fields.get("file"),
            _builds_on(ex_id, fields.get("builds_on", []), [e.name for e in out]),
        )
        if kind == "service":
            replicas = spec.members(ex.service or "")
            svc = spec.services[replicas[0]] if replicas else None
            if svc is None or svc.source is None or not ex.file:
                raise TopologyError(
                    f"Exercise {ex_id} is a service answer: name a service with a source folder and a file."
                )
            if not (svc.source / ex.file).is_file():
                raise TopologyError(f"Exercise {ex_id} replaces {ex.file}, which {svc.group}'s source lacks.")
        out.append(ex)
    return out


def _builds_on(ex_id: str, names: object, earlier: list[str]) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TopologyError(f"Exercise {ex_id} has builds_on = {names!r}; give a list of exercise names.")
    for name in names:
        if name not in earlier:
            raise TopologyError(
                f"Exercise {ex_id} builds on '{name}', which is not an exercise declared before it in its lab.toml."
            )
    lab = ex_id.partition(".")[0]
    return tuple(f"{lab}.{name}" for name in names)


def building_on(exercise_id: str) -> list[str]:
    """The exercises whose answers build on this one, directly or through another: what a grader runs at their
    starting code when it runs this one at its own."""
    found: list[str] = []
    for ex in lab_exercises(load_lab(exercise_id.partition(".")[0])):
        if any(dep == exercise_id or dep in found for dep in ex.builds_on):
            found.append(ex.id)
    return found


def find(exercise_id: str) -> Exercise:
    lab, _, _ = exercise_id.partition(".")
    if lab not in available_labs():
        raise MsalabError(f"No exercise is called '{exercise_id}': there is no lab '{lab}'.")
    for ex in lab_exercises(load_lab(lab)):
        if ex.id == exercise_id:
            return ex
    known = ", ".join(e.id for e in lab_exercises(load_lab(lab))) or "none"
    raise MsalabError(f"No exercise is called '{exercise_id}'; lab '{lab}' has: {known}.")
