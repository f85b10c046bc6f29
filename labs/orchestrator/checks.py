"""Public checks of the orchestrator lab: what `msalab.check(...)` runs in the notebook.

Each check calls your answer (stack(image) or manifests()), deploys the stack it returns on the lab's swarm as
the stack `shop` (removing any earlier one), and reads what the swarm made of it with `docker service inspect`
and `docker service ps` on the manager; users' requests go through Traefik.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import kubecheck as kc
import stackcheck as sc

from msalab.checks import CheckContext, check

MAX_MEMORY = 128 * 2**20


# ---- 1. desired state ----------------------------------------------------------------------------------------
def desired_state_problems(spec: dict) -> list[str]:
    problems = []
    if sc.replicas(spec) != 3:
        problems.append(f"replicas: 3 (it has {sc.replicas(spec)})")
    limits = spec["TaskTemplate"].get("Resources", {}).get("Limits", {})
    if not 0 < limits.get("MemoryBytes", 0) <= MAX_MEMORY:
        problems.append("a memory limit of at most 128M (resources.limits.memory)")
    if not limits.get("NanoCPUs"):
        problems.append("a CPU limit (resources.limits.cpus)")
    if not sc.healthcheck(spec):
        problems.append("a health check that asks the service itself (healthcheck.test)")
    policy = spec["TaskTemplate"].get("RestartPolicy", {})
    if policy.get("Condition") not in ("any", "on-failure") or sc.seconds(policy.get("Delay")) > 5:
        problems.append("a restart policy that restarts crashed tasks within 5 s (deploy.restart_policy)")
    return problems


@check(
    "orchestrator.desired", points=1, title="the stack declares 3 replicas, limits, a health check, a restart policy"
)
def declares_desired_state(ctx: CheckContext) -> None:
    problems = desired_state_problems(sc.deploy_answer(ctx, fresh=False))
    ctx.expect(not problems, "The swarm's copy of your service lacks: " + "; ".join(problems) + ".")


@check("orchestrator.desired", points=1, title="three healthy tasks serve users through Traefik")
def three_tasks_serve(ctx: CheckContext) -> None:
    spec = sc.deploy_answer(ctx, fresh=False)
    sc.require(ctx, [p for p in desired_state_problems(spec) if p.startswith("replicas")], "Serving from 3 tasks")
    sc.deploy_answer(ctx)
    sc.wait_converged(ctx, 3)
    sc.settle(ctx)
    answered = set()
    codes = []
    for _ in range(60):
        r = httpx.get(ctx.lab.url("manager") + "/", timeout=5)
        codes.append(r.status_code)
        if r.status_code == 200:
            answered.add(r.json()["task"])
    ctx.expect(set(codes) == {200}, f"Users got {sorted(set(codes))} through Traefik; expected only 200.")
    ctx.expect(len(answered) == 3, f"{len(answered)} task(s) answered 60 requests; expected all 3.")


# ---- 2. rolling update ---------------------------------------------------------------------------------------
def rollout_problems(spec: dict) -> list[str]:
    problems = []
    if sc.replicas(spec) < 2:
        problems.append("at least 2 replicas (one alone cannot be replaced without a gap)")
    if not sc.healthcheck(spec):
        problems.append("a health check (without one a task counts as running before it can serve)")
    if sc.update_config(spec).get("Order") != "start-first":
        problems.append("update_config.order: start-first (a new task is healthy before an old one stops)")
    return problems


@check("orchestrator.rolling", points=1, title="the stack rolls out health-gated, start-first")
def declares_safe_rollout(ctx: CheckContext) -> None:
    problems = rollout_problems(sc.deploy_answer(ctx, fresh=False))
    ctx.expect(not problems, "For a rollout without failures your service needs " + "; ".join(problems) + ".")


# ---- 3. rollback ---------------------------------------------------------------------------------------------
def rollback_problems(spec: dict) -> list[str]:
    problems = rollout_problems(spec)
    update = sc.update_config(spec)
    if update.get("FailureAction") != "rollback":
        problems.append("update_config.failure_action: rollback")
    if sc.seconds(update.get("Monitor")) <= 0:
        problems.append("update_config.monitor: how long a new task is watched for failure")
    return problems


@check("orchestrator.rollback", points=1, title="the stack rolls a failing update back by itself")
def declares_rollback(ctx: CheckContext) -> None:
    problems = rollback_problems(sc.deploy_answer(ctx, fresh=False))
    ctx.expect(not problems, "For a release that undoes itself your service needs " + "; ".join(problems) + ".")


# ---- 4. Kubernetes -------------------------------------------------------------------------------------------
@check(
    "orchestrator.kubernetes",
    points=1,
    title="the manifests are valid Kubernetes: a Deployment, a Service, a ConfigMap",
)
def manifests_are_valid(ctx: CheckContext) -> None:
    docs = kc.documents(ctx)
    errors = kc.schema_errors(docs)
    ctx.expect(not errors, "Kubernetes' schemas refuse your manifests: " + "; ".join(errors))
    kinds = sorted(d.get("kind", "?") for d in docs)
    ctx.expect(
        {"Deployment", "Service", "ConfigMap"} <= set(kinds),
        f"Your manifests hold {', '.join(kinds) or 'nothing'}; expected a Deployment, a Service and a ConfigMap.",
    )


@check(
    "orchestrator.kubernetes", points=1, title="the Deployment has probes, resources and a rolling update without gaps"
)
def deployment_is_probed(ctx: CheckContext) -> None:
    problems = kc.deployment_problems(kc.documents(ctx))
    ctx.expect(not problems, "Your Deployment lacks: " + "; ".join(problems) + ".")
