"""Public checks of the mesh lab: what `msalab.check(...)` runs in the notebook.

They look at the mesh from outside: users' requests through the ingress, calls into a sidecar's mesh port
with chosen certificates (made in the control container), and the sidecars' own counters (Envoy's admin
/stats). Checks that inject a fault remove it before they return.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import meshprobe as mp

from msalab.checks import CheckContext, check

NO_CERT = r"^listener\.0\.0\.0\.0_15006\.ssl\.fail_verify_no_cert$"
INBOUND_RQ = r"^http\.inbound\.downstream_rq_total$"
EJECTIONS = r"^cluster\.catalog\.outlier_detection\.ejections_enforced_total$"


# ---- 1. mTLS -----------------------------------------------------------------------------------------------------
@check("mesh.mtls", points=1, title="users get through, and each service sees its caller's SPIFFE identity")
def callee_sees_the_caller(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    answers = [httpx.get(f"{ctx.lab.url('ingress', 'http')}/products/tea", timeout=10) for _ in range(6)]
    codes = [a.status_code for a in answers]
    ctx.expect(codes == [200] * 6, f"users' requests through the ingress answered {codes}; expected all 200.")
    for body in (a.json() for a in answers):
        ctx.expect(
            body.get("pricing_saw") == mp.MESH + "catalog",
            f"pricing saw its caller as {body.get('pricing_saw')!r}; expected {mp.MESH}catalog, from the client "
            "certificate (a sidecar forwards it only for mTLS connections).",
        )
        ctx.expect(
            body.get("caller") == mp.MESH + "ingress",
            f"catalog saw its caller as {body.get('caller')!r}; expected {mp.MESH}ingress.",
        )


@check("mesh.mtls", points=1, title="plain text and TLS without a client certificate are refused")
def no_certificate_no_entry(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    plain = mp.call_as(ctx.lab, "pricing-v1", "plain")
    ctx.expect("refused" in plain, f"pricing-v1's sidecar answered a plain-text call with {plain}; expected a refusal.")
    before = mp.total(ctx.lab, ["pricing-v1"], NO_CERT)
    bare = mp.call_as(ctx.lab, "pricing-v1", "nocert")
    ctx.expect("refused" in bare, f"a TLS caller without a certificate got {bare}; expected a refusal.")
    counted = mp.total(ctx.lab, ["pricing-v1"], NO_CERT) - before
    ctx.expect(
        counted >= 1,
        "pricing-v1's sidecar did not count that refusal as ssl.fail_verify_no_cert; expected it to ask for and "
        "verify a client certificate (require_client_certificate).",
    )
    good = mp.call_as(ctx.lab, "pricing-v1", "mesh", "catalog")
    ctx.expect(
        good.get("status") == 200, f"catalog's own mesh certificate got {good}; expected 200 (mTLS, not a closed door)."
    )


# The authorization checks need mTLS: a policy admits callers by the identities their certificates carry. The
# grader runs the authorization answer at its starting code whenever it runs mTLS's (lab.toml: builds_on), so the
# checks after it do not need mTLS: users' requests get through a mesh without policies.


# ---- 2. authorization ----------------------------------------------------------------------------------------
@check(
    "mesh.authz", points=1, title="pricing answers catalog's identity, and 403 to the ingress's", needs=("mesh.mtls",)
)
def only_catalog_calls_pricing(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    allowed = mp.call_as(ctx.lab, "pricing-v1", "mesh", "catalog")
    ctx.expect(
        allowed.get("status") == 200,
        f"catalog's identity calling pricing-v1 got {allowed}; expected 200 (this needs mTLS: exercise 1 first).",
    )
    other = mp.call_as(ctx.lab, "pricing-v1", "mesh", "ingress")
    ctx.expect(
        other.get("status") == 403, f"the ingress's identity calling pricing-v1 got {other}; expected 403 (RBAC)."
    )
    users = mp.users(ctx.lab, 10, concurrency=2)
    ctx.expect(
        mp.ok_share(users) == 1, f"users got {mp.statuses(users)}; expected only 200: the normal path stays open."
    )


# ---- 3. timeouts and retries ---------------------------------------------------------------------------------
@check(
    "mesh.resilience",
    points=1,
    title="pricing fails 20% of requests: users see (almost) none of it",
)
def flaky_pricing_is_hidden(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    try:
        mp.fault(ctx.lab, "pricing", abort_percent=20, abort_status=503)
        results = mp.users(ctx.lab, 150)
    finally:
        mp.clear_faults(ctx.lab)
    share = mp.ok_share(results)
    ctx.expect(
        share >= 0.96,
        f"with 20% of pricing's answers failing, {share:.0%} of 150 users got 200 ({mp.statuses(results)}); "
        "expected at least 96%: retry what failed.",
    )


@check(
    "mesh.resilience",
    points=1,
    title="pricing is down: a few retries per request, no retry storm",
)
def no_retry_storm(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    pricing = ["pricing-v1", "pricing-v2"]
    try:
        mp.fault(ctx.lab, "pricing", abort_percent=100, abort_status=503)
        before = mp.total(ctx.lab, pricing, INBOUND_RQ)
        results = mp.users(ctx.lab, 30, concurrency=3)
        attempts = mp.total(ctx.lab, pricing, INBOUND_RQ) - before
    finally:
        mp.clear_faults(ctx.lab)
    per_request = attempts / len(results)
    ctx.expect(
        per_request >= 1.5,
        f"with pricing down, it received {per_request:.1f} attempts per user request; expected retries "
        "(at least 1.5 on average).",
    )
    ctx.expect(
        per_request <= 4,
        f"with pricing down, it received {per_request:.1f} attempts per user request; expected at most 4: "
        "retries in more than one place multiply, and a service that is down gets hammered.",
    )


# ---- 4. outlier detection ------------------------------------------------------------------------------------
@check(
    "mesh.outlier",
    points=1,
    title="a catalog instance that fails every request is ejected; users stop seeing it",
)
def failing_instance_is_ejected(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    mp.both_catalogs_serve(ctx.lab)
    try:
        before = mp.total(ctx.lab, ["ingress"], EJECTIONS)
        mp.fault(ctx.lab, "catalog-2", abort_percent=100, abort_status=503)
        results = mp.users(ctx.lab, 80, concurrency=2)
        ejected = mp.total(ctx.lab, ["ingress"], EJECTIONS) - before
    finally:
        mp.clear_faults(ctx.lab)
    ctx.expect(
        ejected >= 1,
        "the ingress's sidecar ejected no catalog instance (cluster.catalog.outlier_detection."
        "ejections_enforced_total did not rise); expected outlier detection to eject catalog-2.",
    )
    late = results[-40:]
    failed = sum(r["status"] != 200 for r in late)
    ctx.expect(
        failed <= 2,
        f"{failed} of the last 40 users still got an error ({mp.statuses(late)}); expected at most 2 once "
        "catalog-2 is ejected.",
    )


# ---- 5. canary -----------------------------------------------------------------------------------------------
@check(
    "mesh.canary",
    points=1,
    title="at the start of the canary, about 10% of users reach pricing v2",
)
def about_ten_percent(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    mp.clear_faults(ctx.lab)
    mp.restart_canary(ctx.lab)
    results = mp.users(ctx.lab, 150)
    ctx.expect(mp.ok_share(results) == 1, f"users got {mp.statuses(results)}; expected only 200.")
    v2 = sum(r["version"] == "v2" for r in results) / len(results)
    ctx.expect(
        0.03 <= v2 <= 0.25,
        f"{v2:.0%} of 150 users were answered by pricing v2; expected about 10% (3% to 25%) at the canary's start.",
    )
