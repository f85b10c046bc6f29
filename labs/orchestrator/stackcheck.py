"""What the orchestrator lab's public and hidden checks share: deploy the learner's own stack afresh, read what
the swarm made of it, and say in plain words what is missing."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import swarmctl as sw

from msalab.checks import CheckContext, CheckFailed

# exercise -> (digest of the stack text this check process deployed last, whether it was deployed afresh)
_deployed: dict[str, tuple[str, bool]] = {}


def deploy_answer(ctx: CheckContext, image: str = "shop:v1", fresh: bool = True) -> dict[str, Any]:
    """Deploy the stack your `stack(image)` returns (the service shop_web) and return its spec as the swarm
    keeps it. Fresh: the stack is removed first, so no earlier update is still on its way (checks of one
    exercise reuse a fresh deployment of the one before); not fresh: an update of what runs, at once."""
    text = ctx.run_answer("stack", image)
    if not isinstance(text, str) or not text.strip():
        raise CheckFailed(
            f"Your stack({image!r}) returned {type(text).__name__}; it must return the stack file's text."
        )
    digest = hashlib.sha256(f"{image}\0{text}".encode()).hexdigest()
    last = _deployed.get(ctx.exercise.id)
    # A fresh deployment of the same text serves both kinds of request; an update serves only updates.
    already = last is not None and last[0] == digest and (last[1] or not fresh) and sw.exists(ctx.lab)
    if not already:
        if fresh:
            sw.remove(ctx.lab)
        try:
            sw.deploy(ctx.lab, text)
        except sw.SwarmError as e:
            raise CheckFailed(f"The swarm refused your stack: {e}") from None
        if not sw.exists(ctx.lab):
            raise CheckFailed(
                f"Your stack has no service `web` (the stack is deployed as `{sw.STACK}`, so the swarm "
                f"calls it {sw.SERVICE}); name the shop's service `web`."
            )
        _deployed[ctx.exercise.id] = (digest, fresh)
    return sw.inspect(ctx.lab)["Spec"]


def replicas(spec: dict[str, Any]) -> int:
    return int(spec.get("Mode", {}).get("Replicated", {}).get("Replicas", 0) or 0)


def healthcheck(spec: dict[str, Any]) -> dict[str, Any]:
    """The health check the tasks run (empty when none, or when it is switched off with NONE)."""
    found = dict(spec["TaskTemplate"]["ContainerSpec"].get("Healthcheck") or {})
    return {} if not found.get("Test") or found["Test"][0] == "NONE" else found


def update_config(spec: dict[str, Any]) -> dict[str, Any]:
    return dict(spec.get("UpdateConfig") or {})


def seconds(nanoseconds: int | None) -> float:
    return (nanoseconds or 0) / 1e9


def wait_converged(ctx: CheckContext, count: int, version: str | None = None, timeout: float = 45) -> float:
    try:
        return sw.wait_until(
            f"{count} running tasks", lambda: sw.converged(ctx.lab, count, version), timeout, every=0.5
        )
    except TimeoutError:
        seen = ", ".join(f"{t.name} {t.image} {t.state}" for t in sw.tasks(ctx.lab)) or "none"
        raise CheckFailed(
            f"The swarm did not get to {count} running tasks{f' of {version}' if version else ''} within "
            f"{timeout:.0f} s; its tasks: {seen}."
        ) from None


def require(ctx: CheckContext, problems: list[str], before: str) -> None:
    """Fail fast, before any long measurement, when the stack lacks what the measurement needs."""
    ctx.expect(not problems, f"{before} needs {'; '.join(problems)} first.")


def settle(ctx: CheckContext, timeout: float = 30) -> None:
    """Wait until Traefik routes users to the service (it polls the swarm every second; a busy machine is slower)."""
    try:
        sw.wait_until("Traefik routes to the shop", lambda: sw.served(ctx.lab.url("manager") + "/"), timeout, every=0.3)
    except TimeoutError:
        raise CheckFailed(f"Traefik did not route users to your service within {timeout:.0f} s.") from None
    time.sleep(1)  # and to every task that is running, not just the first it saw
