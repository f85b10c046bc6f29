"""Hidden checks of the hello lab: run by the grader only."""

import httpx

from msalab.checks import CheckContext, check


@check(
    "hello.greeting",
    points=1,
    title="every word of a name is capitalised, shouting is calmed",
    states=("chapter: Change it so that every word of a name starts with a capital letter and the rest is lower case"),
)
def proper_names(ctx: CheckContext) -> None:
    for name, want in [("grace hopper", "Hello, Grace Hopper!"), ("ADA", "Hello, Ada!")]:
        got = httpx.get(f"{ctx.lab.url('front')}/hello/{name}", timeout=10).json().get("greeting")
        ctx.expect(got == want, f"for {name!r} front answered {got!r}; expected {want!r}.")


@check(
    "hello.client",
    points=1,
    title="greet_via_front answers 'unavailable' while back is down",
    states=(
        "chapter: When `front` cannot answer properly (any status other than 200, or no connection at "
        'all), it returns `"unavailable"` instead of raising'
    ),
)
def survives_a_dead_back(ctx: CheckContext) -> None:
    ctx.lab.kill("back")
    try:
        got = ctx.run_answer("greet_via_front", ctx.lab.url("front"), "ada")
    finally:
        ctx.lab.start("back")
    ctx.expect(got == "unavailable", f"with back killed, greet_via_front returned {got!r}; expected 'unavailable'.")
