"""The mesh's control plane: it learns who is in the mesh from the sidecars' own polls, holds the desired
routes, clusters, certificates and policies, and serves each sidecar its configuration (Envoy's xDS over
REST/JSON). Change something here and every sidecar has it within a second or two; nothing restarts.

For you (published as `control`):
    GET  /mesh                    instances, and whether every sidecar runs the current configuration
    GET  /ready                   200 once every sidecar has taken the current configuration (else 503)
    PUT  /faults/{target}         inject a fault into an instance ("pricing-v2") or a service ("pricing"):
                                  {"abort_percent": 20, "abort_status": 503, "delay_percent": 0, "delay_ms": 0}
    DELETE /faults                remove every fault
    GET  /canary, POST /canary/reset   the canary's weights and counts; start counting afresh
    GET  /stats/{instance}?filter=REGEX   a sidecar's own statistics (Envoy's admin /stats)
    GET  /config/{instance}       what that sidecar is given: listeners, routes, clusters (keys left out)
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import traceback
from typing import Any

import canary
import httpx
import xds
from ca import Authority
from fastapi import FastAPI, Request, Response

log = logging.getLogger("uvicorn.error")
app = FastAPI(title="mesh control plane")
mesh = xds.Mesh(Authority())
STARTED = time.monotonic()
WARMUP = 2.5  # seconds: let every sidecar poll once before telling any of them what the mesh looks like
STALE = 6.0  # an instance whose sidecar has not polled for this long has left the mesh
TICK = 1.0  # the canary controller's period
lock = threading.RLock()
admin = httpx.Client(timeout=1)  # the sidecars' admin endpoints, for readiness

# (instance, type, resource names) -> what that sidecar last said: the version it runs, when, and any NACK
polls: dict[tuple[str, str, tuple[str, ...]], dict[str, Any]] = {}
last_seen: dict[str, float] = {}
errors: dict[str, str] = {}  # where building a configuration failed: your code raised, or a sidecar refused it
canary_state: dict[str, Any] = {"baseline": {}, "stats": {}, "since": time.time()}


def _node(raw: dict[str, Any], address: str) -> xds.Node:
    """Who is polling, as the sidecar says (its id, service and version) and where it polls from."""
    meta = raw.get("metadata") or {}
    return xds.Node(
        id=str(raw.get("id")),
        service=str(raw.get("cluster")),
        version=str(meta.get("version", "v1")),
        address=address,
    )


def _forget_stale() -> None:
    now = time.monotonic()
    for nid, seen in list(last_seen.items()):
        if now - seen > STALE:
            last_seen.pop(nid, None)
            mesh.nodes.pop(nid, None)


def _resources(node: xds.Node, type_url: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    if type_url == xds.LISTENER:
        found = mesh.listeners(node)
    elif type_url == xds.CLUSTER:
        found = mesh.clusters(node)
    elif type_url == xds.ROUTES:
        found = [mesh.routes(node, n) for n in names]
    else:
        return []
    return [{"@type": type_url, **r} for r in found]


def _version(resources: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(resources, sort_keys=True).encode()).hexdigest()[:12]


async def _discovery(request: Request, type_url: str) -> Response:
    body = await request.json()
    node = _node(body.get("node", {}), request.client.host if request.client else "")
    names = tuple(body.get("resource_names") or ())
    key = (node.id, type_url, names)
    with lock:
        mesh.nodes[node.id] = node
        last_seen[node.id] = time.monotonic()
        _forget_stale()
        said = polls.setdefault(key, {})
        said.update(version=body.get("version_info", ""), at=time.monotonic())
        if body.get("error_detail"):
            message = body["error_detail"].get("message", "")
            said["nacked"] = said.get("offered")
            errors[f"{node.id} {type_url.rsplit('.', 1)[1]}"] = f"the sidecar refused its configuration: {message}"
            log.error("%s refused its %s: %s", node.id, type_url.rsplit(".", 1)[1], message)
        if time.monotonic() - STARTED < WARMUP:
            return Response(status_code=503, content="warming up: learning who is in the mesh")
        try:
            resources = _resources(node, type_url, names)
        except Exception as exc:  # your answer raised: the sidecars keep their last configuration
            errors[f"{node.id} build"] = f"{type(exc).__name__}: {exc}"
            log.error("building %s for %s failed:\n%s", type_url, node.id, traceback.format_exc())
            return Response(status_code=500, content=str(exc))
        errors.pop(f"{node.id} build", None)
        version = _version(resources)
        said["offered"] = version
    return Response(
        content=json.dumps({"version_info": version, "resources": resources, "type_url": type_url}),
        media_type="application/json",
    )


@app.post("/v3/discovery:listeners")
async def lds(request: Request) -> Response:
    return await _discovery(request, xds.LISTENER)


@app.post("/v3/discovery:clusters")
async def cds(request: Request) -> Response:
    return await _discovery(request, xds.CLUSTER)


@app.post("/v3/discovery:routes")
async def rds(request: Request) -> Response:
    return await _discovery(request, xds.ROUTES)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


def _sync() -> dict[str, Any]:
    """Which sidecars run the configuration the control plane would give them now."""
    now = time.monotonic()
    behind = []
    taken: list[tuple[str, str]] = []  # listeners acknowledged: are they in use yet?
    with lock:
        for (nid, type_url, names), said in polls.items():
            if nid not in mesh.nodes or now - said.get("at", 0) > 3.0:
                continue  # gone, or a subscription the sidecar dropped
            try:
                want = _version(_resources(mesh.nodes[nid], type_url, names))
            except Exception:
                continue  # reported in errors
            what = f"{nid} {type_url.rsplit('.', 1)[1]} {'/'.join(names)}".strip()
            if said.get("version") != want and said.get("nacked") != want:
                behind.append(what)
            elif type_url == xds.LISTENER and said.get("version") == want:
                taken.append((what, mesh.nodes[nid].address))
    # Outside the lock: these ask the sidecars over HTTP.
    behind += [f"{what} (warming up)" for what, address in taken if not _listeners_active(address)]
    warm = now - STARTED >= WARMUP + 1.5
    return {"in_sync": warm and not behind, "behind": sorted(behind), "warming_up": not warm}


def _listeners_active(address: str) -> bool:
    """A sidecar acknowledges new listeners before they take connections (they warm up first): ask it."""
    try:
        dump = admin.get(f"http://{address}:9901/config_dump", params={"resource": "dynamic_listeners"}).json()
    except (httpx.HTTPError, ValueError):
        return False
    # A listener that is new or changed waits in warming_state until its routes arrived; unchanged ones keep the
    # version that brought them, so the version says nothing here.
    return not any("warming_state" in listener for listener in dump.get("configs", []))


@app.get("/ready")
def ready(response: Response) -> dict[str, Any]:
    state = _sync()
    if not state["in_sync"]:
        response.status_code = 503
    return state


@app.get("/mesh")
def status() -> dict[str, Any]:
    with lock:
        instances = {
            n.id: {
                "service": n.service,
                "version": n.version,
                "address": n.address,
                "identity": xds.spiffe_id(n.service),
            }
            for n in sorted(mesh.nodes.values(), key=lambda n: n.id)
        }
        return {
            "instances": instances,
            "faults": mesh.faults,
            "canary": {"weights": mesh.weights, "by_header": mesh.by_header},
            "errors": dict(errors),
            **_sync(),
        }


@app.put("/faults/{target}")
def put_fault(target: str, fault: dict[str, Any]) -> dict[str, Any]:
    with lock:
        mesh.faults[target] = fault
        return mesh.faults


@app.delete("/faults")
def clear_faults() -> dict[str, Any]:
    with lock:
        mesh.faults.clear()
        return mesh.faults


# ---- the canary controller -----------------------------------------------------------------------------------
client = httpx.Client(timeout=2)


def _admin_counters(instance: str, pattern: str) -> dict[str, int]:
    text = client.get(f"http://{instance}:9901/stats", params={"filter": pattern}).text
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(": ")
        if value.strip().isdigit():
            out[name] = int(value)
    return out


def _version_counts() -> dict[str, dict[str, int]]:
    """Requests and 5xx answers per version of pricing, as pricing's own sidecars counted them: every attempt,
    also those a retry hid from users (a canary that fails 30% of its attempts is a bad canary)."""
    totals = {"v1": {"requests": 0, "errors": 0}, "v2": {"requests": 0, "errors": 0}}
    for node in [n for n in list(mesh.nodes.values()) if n.service == "pricing" and n.version in totals]:
        try:
            counters = _admin_counters(node.address, r"^http\.inbound\.downstream_rq_(completed|5xx)$")
        except httpx.HTTPError:
            continue
        for name, value in counters.items():
            kind = "requests" if name.endswith("completed") else "errors"
            totals[node.version][kind] += value
    return totals


def _canary_tick() -> None:
    counts = _version_counts()
    base = canary_state["baseline"]
    stats = {v: {k: max(counts[v][k] - base.get(v, {}).get(k, 0), 0) for k in ("requests", "errors")} for v in counts}
    canary_state["stats"] = stats
    try:
        result = dict(canary.weights(json.loads(json.dumps(stats))) or {})
        weights = {v: max(int(result.get(v, 0)), 0) for v in ("v1", "v2")}
        if sum(weights.values()) <= 0:
            raise ValueError(f"weights {result} send no traffic anywhere")
        header = result.get("by_header")
        errors.pop("canary", None)
    except Exception as exc:
        errors["canary"] = f"weights() failed: {type(exc).__name__}: {exc}"
        return
    with lock:
        mesh.weights = weights
        mesh.by_header = str(header) if header else None


def _controller() -> None:
    while True:
        time.sleep(TICK)
        try:
            _canary_tick()
        except Exception:
            log.exception("canary controller")


threading.Thread(target=_controller, daemon=True, name="canary").start()


@app.get("/canary")
def canary_status() -> dict[str, Any]:
    return {
        "weights": mesh.weights,
        "by_header": mesh.by_header,
        "stats": canary_state["stats"],
        "since": canary_state["since"],
    }


@app.post("/canary/reset")
def canary_reset() -> dict[str, Any]:
    """Start the canary afresh: count from now (what weights() sees starts at zero)."""
    canary_state["baseline"] = _version_counts()
    canary_state["since"] = time.time()
    _canary_tick()
    return canary_status()


@app.get("/stats/{instance}")
def stats(instance: str, filter: str = "") -> Response:
    if instance not in mesh.nodes:
        return Response(status_code=404, content=f"no sidecar called {instance} in the mesh")
    text = client.get(f"http://{instance}:9901/stats", params={"filter": filter} if filter else None).text
    return Response(content=text, media_type="text/plain")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("(a PEM, left out)" if k == "inline_string" else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


@app.get("/config/{instance}")
def config(instance: str) -> Response:
    node = mesh.nodes.get(instance)
    if node is None:
        return Response(status_code=404, content=f"no sidecar called {instance} in the mesh")
    with lock:
        listeners = mesh.listeners(node)
        names = ["edge"] if node.service == xds.INGRESS else ["inbound", "outbound"]
        out = {
            "listeners": listeners,
            "routes": [mesh.routes(node, n) for n in names],
            "clusters": mesh.clusters(node),
        }
    return Response(content=json.dumps(_redact(out), indent=1), media_type="application/json")
