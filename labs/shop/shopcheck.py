"""Helpers shared by the shop lab's checks (public and hidden): replaying the workload, judging answers."""

from pathlib import Path
from typing import Any

import shopkit as kit

from msalab.checks import CheckContext


def live_trace(ctx: CheckContext, workload: str | Path | None = None) -> dict[str, Any]:
    return kit.replay(ctx.lab.url("monolith"), kit.load_workload(workload))


def as_counts(value: Any, what: str) -> dict[str, int]:
    if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
        raise AssertionError(f"{what} returned {value!r}; expected a dict of use case -> whole number.")
    return {k: v for k, v in value.items() if v}  # a use case with 0 may be left out


def compare(ctx: CheckContext, func: str, trace: dict[str, Any], split: dict[str, str]) -> None:
    measured = kit.measure(trace, split)["crossing" if func == "crossing_calls" else "chain"]
    want = {uc: n for uc, n in measured.items() if n}
    got = as_counts(ctx.run_answer(func, kit.calls(trace), split), f"{func}(calls, split)")
    wrong = {uc: (got.get(uc, 0), n) for uc, n in {**want, **got}.items() if got.get(uc, 0) != want.get(uc, 0)}
    ctx.expect(
        not wrong,
        f"{func} is off for: " + ", ".join(f"{uc} (yours {a}, measured {b})" for uc, (a, b) in wrong.items()),
    )


def learners_split(ctx: CheckContext) -> dict[str, str]:
    split = ctx.run_answer("split")
    ctx.expect(isinstance(split, dict), f"split() returned {type(split).__name__}; expected a dict.")
    missing = [c for c in kit.CAPABILITIES if not isinstance(split.get(c), str) or not split.get(c)]
    ctx.expect(not missing, f"split() does not give a service name to: {', '.join(missing)}.")
    extra = sorted(set(split) - set(kit.CAPABILITIES))
    ctx.expect(not extra, f"split() names capabilities the shop does not have: {', '.join(extra)}.")
    services = sorted(set(split.values()))
    ctx.expect(
        len(services) >= kit.RULES["min_services"],
        f"your split has {len(services)} service(s) ({', '.join(services)}); the rules ask for at least "
        f"{kit.RULES['min_services']}.",
    )
    return split


def broken(rules: list[tuple[str, bool, str]], names: tuple[str, ...]) -> list[str]:
    return [f"{rule}: {seen}" for rule, kept, seen in rules if not kept and rule.startswith(names)]
