"""Public checks of the hello lab: what `msalab.check(...)` runs in the notebook."""

import httpx

from msalab.checks import CheckContext, check


@check("hello.greeting", points=1, title="back greets 'ada' as 'Hello, Ada!'")
def greets_ada(ctx: CheckContext) -> None:
    body = httpx.get(f"{ctx.lab.url('front')}/hello/ada", timeout=10).json()
    got = body.get("greeting")
    ctx.expect(got == "Hello, Ada!", f"front answered {got!r}; expected 'Hello, Ada!'.")


@check("hello.client", points=1, title="greet_via_front returns front's greeting")
def returns_the_greeting(ctx: CheckContext) -> None:
    expected = httpx.get(f"{ctx.lab.url('front')}/hello/grace", timeout=10).json()["greeting"]
    got = ctx.run_answer("greet_via_front", ctx.lab.url("front"), "grace")
    ctx.expect(got == expected, f"greet_via_front(url, 'grace') returned {got!r}; front's greeting is {expected!r}.")
