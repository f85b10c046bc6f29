"""Public checks of the shop lab: what `msalab.check(...)` runs in the notebook.

Every check replays the workload against the running monolith and measures the trace it records, live.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shopkit as kit
from shopcheck import broken, compare, learners_split, live_trace

from msalab.checks import CheckContext, check

# ---- 1. measuring ----------------------------------------------------------------------------------------------
ONE_PER_CAPABILITY = {c: c for c in kit.CAPABILITIES}


@check("shop.measure", points=1, title="crossing_calls matches the live trace, one service per capability")
def crossing_per_capability(ctx: CheckContext) -> None:
    compare(ctx, "crossing_calls", live_trace(ctx), ONE_PER_CAPABILITY)


@check("shop.measure", points=1, title="longest_chain matches the live trace, one service per capability")
def chain_per_capability(ctx: CheckContext) -> None:
    compare(ctx, "longest_chain", live_trace(ctx), ONE_PER_CAPABILITY)


# ---- 2. the split ----------------------------------------------------------------------------------------------
@check("shop.split", points=1, title="at least 3 services, and no table used by two of them")
def no_shared_tables(ctx: CheckContext) -> None:
    split = learners_split(ctx)
    problems = broken(kit.judge(kit.measure(live_trace(ctx), split)), ("every table",))
    ctx.expect(not problems, "; ".join(problems))


@check("shop.split", points=1, title="at least 3 services, and no dependency cycle between them")
def no_cycles(ctx: CheckContext) -> None:
    split = learners_split(ctx)
    problems = broken(kit.judge(kit.measure(live_trace(ctx), split)), ("no dependency",))
    ctx.expect(not problems, "; ".join(problems))


@check("shop.split", points=1, title="at most 4 crossing calls and 1-hop chains in every use case")
def few_crossings_short_chains(ctx: CheckContext) -> None:
    split = learners_split(ctx)
    problems = broken(kit.judge(kit.measure(live_trace(ctx), split)), ("at most", "synchronous"))
    ctx.expect(not problems, "; ".join(problems))
