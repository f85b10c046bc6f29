"""Hidden checks of the shop lab: run by the grader only."""

import sys

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir, solutions_dir

sys.path.insert(0, str(labs_dir() / "shop"))

import shopcheck as public
import shopkit as kit

HIDDEN_WORKLOAD = solutions_dir() / "shop" / "hidden_workload.json"


@check(
    "shop.measure",
    points=1,
    title="both measures on use cases the chapter does not show, for other splits",
    states=(
        "chapter: Both get the trace's call events (`kit.calls(trace)`, a list of dicts like the ones you "
        "saw) and a split (capability → service name), and return a dict: use case → number."
    ),
)
def unseen_use_cases(ctx: CheckContext) -> None:
    trace = public.live_trace(ctx, HIDDEN_WORKLOAD)
    grouped = {
        "catalog": "storefront",
        "inventory": "storefront",
        "cart": "sales",
        "order": "sales",
        "shipping": "sales",
        "payment": "sales",
        "customer": "people",
    }
    for split in (grouped, {c: "one" for c in kit.CAPABILITIES}):
        for func in ("crossing_calls", "longest_chain"):
            public.compare(ctx, func, trace, split)


@check(
    "shop.measure",
    points=1,
    title="a chain counts only the hops between services, along one path",
    states=(
        "chapter: Follow a call's `parent` links up to the request's start and count the hops that change "
        "service; a use case's chain is the longest of these. Two calls made one after the other are not "
        "a chain; a call made *inside* another is.\n"
        "chapter: how many calls in the use case go from one service to *another* (a call between two "
        "capabilities of the same service stays in-process and does not count)"
    ),
)
def chains_count_hops_not_calls(ctx: CheckContext) -> None:
    def call(i, parent, caller, callee, uc="u"):
        return {
            "kind": "call",
            "use_case": uc,
            "request": 1,
            "id": i,
            "parent": parent,
            "caller": caller,
            "callee": callee,
            "op": "f",
        }

    calls = [
        call(1, None, "order", "cart"),  # same service: no hop
        call(2, 1, "cart", "catalog"),  # 1
        call(3, 2, "catalog", "inventory"),  # 2
        call(4, None, "order", "payment"),  # 1, a sibling: not longer
        call(5, 4, "payment", "customer"),  # 2
        call(6, 5, "customer", "shipping"),  # 2 (same service as customer)
        call(7, None, "cart", "order", uc="v"),  # same service: no hop, no crossing
    ]
    split = {
        "order": "a",
        "cart": "a",
        "catalog": "b",
        "inventory": "c",
        "payment": "d",
        "customer": "e",
        "shipping": "e",
    }
    got = public.as_counts(ctx.run_answer("longest_chain", calls, split), "longest_chain")
    ctx.expect(got == {"u": 2}, f"longest_chain on a made-up trace returned {got}; expected {{'u': 2}}.")
    got = public.as_counts(ctx.run_answer("crossing_calls", calls, split), "crossing_calls")
    ctx.expect(got == {"u": 4}, f"crossing_calls on a made-up trace returned {got}; expected {{'u': 4}}.")


@check(
    "shop.split",
    points=1,
    title="every rule also holds for use cases the chapter does not show",
    states=(
        "chapter: The grader also replays use cases that this chapter does not show (the shop's code has "
        "them all: read `order.py` again) and applies the same rules."
    ),
)
def unseen_use_cases_keep_the_rules(ctx: CheckContext) -> None:
    split = public.learners_split(ctx)
    problems = [
        f"{r}: {seen}"
        for r, kept, seen in kit.judge(kit.measure(public.live_trace(ctx, HIDDEN_WORKLOAD), split))
        if not kept
    ]
    ctx.expect(not problems, "in use cases the chapter does not show: " + "; ".join(problems))
