"""What the Kubernetes checks share: your manifests, parsed and validated offline against Kubernetes' own
schemas (the kubernetes-validate package carries them; no cluster is needed)."""

from __future__ import annotations

from typing import Any

import yaml

from msalab.checks import CheckContext, CheckFailed

KUBERNETES_VERSION = "1.30.0"  # a version every maintained cluster still speaks


def documents(ctx: CheckContext) -> list[dict[str, Any]]:
    text = ctx.run_answer("manifests")
    if not isinstance(text, str):
        raise CheckFailed(f"Your manifests() returned {type(text).__name__}; it must return the YAML text.")
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise CheckFailed(f"Your manifests are not valid YAML: {e}") from None
    if not docs or not all(isinstance(d, dict) for d in docs):
        raise CheckFailed("Your manifests hold no Kubernetes objects (each document is a mapping with a kind).")
    return docs


def schema_errors(docs: list[dict[str, Any]]) -> list[str]:
    import kubernetes_validate as kv

    errors = []
    for d in docs:
        name = f"{d.get('kind', '?')} {d.get('metadata', {}).get('name', '?')}"
        try:
            kv.validate(d, KUBERNETES_VERSION, strict=True)
        except kv.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "the top"
            errors.append(f"{name}: {e.message} (at {where})")
        except Exception as e:  # an unknown kind or apiVersion
            errors.append(f"{name}: {e}")
    return errors


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d.get("kind") == kind]
    if len(found) != 1:
        raise CheckFailed(f"Expected one {kind} in your manifests, found {len(found)}.")
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or [{}]
    return dict(containers[0])


def deployment_problems(docs: list[dict[str, Any]]) -> list[str]:
    deployment = one(docs, "Deployment")
    c = container(deployment)
    problems = []
    for probe in ("readinessProbe", "livenessProbe"):
        get = (c.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != "/health":
            problems.append(f"a {probe} that GETs /health")
    limits = (c.get("resources") or {}).get("limits") or {}
    if not limits.get("memory") or not limits.get("cpu"):
        problems.append("resources.limits with memory and cpu")
    strategy = deployment.get("spec", {}).get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or str(rolling.get("maxUnavailable")) not in (
        "0",
        "0%",
    ):
        problems.append("strategy RollingUpdate with maxUnavailable: 0 (the start-first of Kubernetes)")
    return problems


_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9, "": 1}


def memory_bytes(quantity: str) -> float:
    """A Kubernetes memory quantity ("64Mi", "128M", "100000000") in bytes; 0 when it is not one."""
    for unit in sorted(_UNITS, key=len, reverse=True):
        number = quantity[: -len(unit)] if unit else quantity
        if quantity.endswith(unit) and number.replace(".", "", 1).isdigit():
            return float(number) * _UNITS[unit]
    return 0
