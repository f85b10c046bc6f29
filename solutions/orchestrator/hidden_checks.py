"""Hidden checks of the orchestrator lab: only the grader runs these. They break things on the lab's swarm
(kill tasks, roll releases under load) and watch the swarm put the desired state back."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "labs" / "orchestrator"))

import kubecheck as kc
import stackcheck as sc
import swarmctl as sw

from msalab.checks import CheckContext, check, lab_module

# Loaded by path: in one grading process another lab's checks may be `checks` already.
public = lab_module("orchestrator", "checks.py")

UPDATE_TIMEOUT = 90


# ---- 1. desired state ----------------------------------------------------------------------------------------
@check(
    "orchestrator.desired",
    points=1,
    title="two killed tasks are replaced and three run again within 30 s",
    states=(
        "chapter: a **restart policy** that restarts a crashed task within a few seconds "
        "(`deploy.restart_policy`).\n"
        "chapter: The checks deploy your stack, count healthy tasks behind Traefik, kill two tasks and "
        "look at the limits the swarm gave each container."
    ),
)
def killed_tasks_come_back(ctx: CheckContext) -> None:
    spec = sc.deploy_answer(ctx, fresh=False)
    sc.require(ctx, public.desired_state_problems(spec), "Healing after crashes")
    sc.deploy_answer(ctx)
    sc.wait_converged(ctx, 3)
    victims = sw.running(ctx.lab)[:2]
    for task in victims:
        sw.kill_task(ctx.lab, task)
    took = sc.wait_converged(ctx, 3, timeout=30)
    still = {t.id for t in sw.running(ctx.lab)} & {t.id for t in victims}
    ctx.expect(not still, "The killed tasks still count as running; the swarm never noticed the crash.")
    return f"3 tasks running again {took:.1f} s after two were killed"


@check(
    "orchestrator.desired",
    points=1,
    title="each task's memory limit is enforced by its container",
    states=(
        "chapter: **limits** for each task: at most `128M` of memory and some CPU "
        "(`deploy.resources.limits`);\n"
        "chapter: The checks deploy your stack, count healthy tasks behind Traefik, kill two tasks and "
        "look at the limits the swarm gave each container."
    ),
)
def limits_reach_the_containers(ctx: CheckContext) -> None:
    spec = sc.deploy_answer(ctx, fresh=False)
    sc.require(ctx, public.desired_state_problems(spec), "Enforced limits")
    sc.deploy_answer(ctx)
    sc.wait_converged(ctx, 3)
    task = sw.running(ctx.lab)[0]
    out = sw.docker(
        ctx.lab, "inspect", "--format", "{{.HostConfig.Memory}}", f"{task.name}.{task.id}", node=task.node
    ).strip()
    ctx.expect(0 < int(out) <= public.MAX_MEMORY, f"Task {task.name}'s container has a memory limit of {out} bytes.")


# ---- 2. rolling update ---------------------------------------------------------------------------------------
def roll(ctx: CheckContext, to: str, until: tuple[str, ...]) -> tuple[sw.Load, str, float]:
    """Deploy v1 afresh, put load on it, then deploy `to` over it; returns the load, the update's end state and
    its seconds."""
    spec = sc.deploy_answer(ctx, "shop:v1")
    count = sc.replicas(spec)
    sc.wait_converged(ctx, count, "v1")
    sc.settle(ctx)
    with sw.load(ctx.lab.url("manager") + "/") as measured:
        time.sleep(1)
        started = time.monotonic()
        sc.deploy_answer(ctx, f"shop:{to}", fresh=False)
        try:
            sw.wait_until("the update", lambda: sw.update_state(ctx.lab) in until, UPDATE_TIMEOUT, every=0.5)
        except TimeoutError:
            pass
        took = time.monotonic() - started
        time.sleep(1)
    state = ""
    for _ in range(10):  # the end state, once the manager answers
        state = sw.update_state(ctx.lab)
        if state:
            break
        time.sleep(0.5)
    return measured, state, took


@check(
    "orchestrator.rolling",
    points=2,
    title="v1 to v2 under load: zero failed requests, every task on v2",
    timeout=150,
    states=("chapter: Write `stack(image)` so that going from `shop:v1` to `shop:v2` fails no request at all."),
)
def zero_failed_requests(ctx: CheckContext) -> None:
    spec = sc.deploy_answer(ctx, fresh=False)
    sc.require(ctx, public.rollout_problems(spec), "A rollout without failures")
    measured, state, took = roll(ctx, "v2", ("completed", "paused", "rollback_completed"))
    ctx.expect(state == "completed", f"The update to v2 ended as {state!r} after {took:.0f} s; expected completed.")
    ctx.expect(measured.sent >= 100, f"Only {measured.sent} requests got through during the update.")
    ctx.expect(
        measured.failed == 0,
        f"{measured.failed} of {measured.sent} requests failed during the update ({measured.failures()}); "
        "expected none.",
    )
    count = sc.replicas(spec)
    ctx.expect(sw.converged(ctx.lab, count, "v2"), f"After the update not all {count} tasks run v2.")
    return f"0 of {measured.sent} requests failed; the update took {took:.1f} s"


# ---- 3. rollback ---------------------------------------------------------------------------------------------
@check(
    "orchestrator.rollback",
    points=2,
    title="a broken release rolls back to v1 by itself, few requests fail",
    timeout=150,
    states=(
        "chapter: The check rolls your stack from v1 to `shop:broken` under load and expects all tasks "
        "back on v1 by themselves, with at most 1% of requests failed."
    ),
)
def broken_release_rolls_back(ctx: CheckContext) -> None:
    spec = sc.deploy_answer(ctx, fresh=False)
    sc.require(ctx, public.rollback_problems(spec), "An automatic rollback")
    measured, state, took = roll(ctx, "broken", ("rollback_completed", "completed", "paused", "rollback_paused"))
    ctx.expect(
        state == "rollback_completed",
        f"The update to the broken release ended as {state!r} after {took:.0f} s; expected rollback_completed.",
    )
    count = sc.replicas(spec)
    ctx.expect(sw.converged(ctx.lab, count, "v1"), f"After the rollback not all {count} tasks run v1.")
    allowed = max(2, measured.sent // 100)
    ctx.expect(
        measured.failed <= allowed,
        f"{measured.failed} of {measured.sent} requests failed meanwhile; at most {allowed} (1%) may.",
    )
    return f"rolled back in {took:.1f} s; {measured.failed} of {measured.sent} requests failed"


# ---- 4. Kubernetes -------------------------------------------------------------------------------------------
@check(
    "orchestrator.kubernetes",
    points=1,
    title="the manifests say what the stack says",
    states=(
        "chapter: No cluster runs here: the checks validate your manifests against Kubernetes' own "
        "schemas (the `kubernetes-validate` package) and compare them with your stack."
    ),
)
def same_intent_as_the_stack(ctx: CheckContext) -> None:
    docs = kc.documents(ctx)
    deployment, service, config = (kc.one(docs, k) for k in ("Deployment", "Service", "ConfigMap"))
    spec = deployment.get("spec", {})
    ctx.expect(spec.get("replicas") == 3, f"The Deployment asks for {spec.get('replicas')} replicas; the stack has 3.")
    pod_labels = spec.get("template", {}).get("metadata", {}).get("labels") or {}
    selector = spec.get("selector", {}).get("matchLabels") or {}
    ctx.expect(selector and selector.items() <= pod_labels.items(), "The Deployment's selector misses its own pods.")
    wanted = service.get("spec", {}).get("selector") or {}
    ctx.expect(
        wanted and wanted.items() <= pod_labels.items(),
        f"The Service selects {wanted}, which the Deployment's pods ({pod_labels}) do not all carry.",
    )
    c = kc.container(deployment)
    ports = {p.get("containerPort") for p in c.get("ports") or []} | {p.get("name") for p in c.get("ports") or []}
    targets = {p.get("targetPort") for p in service.get("spec", {}).get("ports") or []}
    ctx.expect(
        8000 in targets or targets & (ports - {None}), f"The Service sends to {targets}; the shop listens on 8000."
    )
    name = config.get("metadata", {}).get("name")
    uses = [e.get("configMapRef", {}).get("name") for e in c.get("envFrom") or []]
    uses += [(e.get("valueFrom") or {}).get("configMapKeyRef", {}).get("name") for e in c.get("env") or []]
    ctx.expect(name in uses, f"The container does not take its settings from the ConfigMap {name!r}.")
    memory = str((c.get("resources") or {}).get("limits", {}).get("memory", ""))
    ctx.expect(
        0 < kc.memory_bytes(memory) <= public.MAX_MEMORY,
        f"The container's memory limit is {memory!r}; the stack's is at most 128M.",
    )
