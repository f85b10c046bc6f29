"""Hidden checks of the mesh lab: only the grader runs these."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "labs" / "mesh"))

import httpx
import meshprobe as mp

from msalab.checks import CheckContext, check

VERIFY_ERROR = r"^listener\.0\.0\.0\.0_15006\.ssl\.fail_verify_error$"
RBAC_DENIED = r"^http\.inbound\.rbac\.denied$"
RETRIES = r"^cluster\.pricing-v[12]\.upstream_rq_retry$"
EJECTIONS = r"^cluster\.catalog\.outlier_detection\.ejections_enforced_total$"


# ---- 1. mTLS -----------------------------------------------------------------------------------------------------
@check(
    "mesh.mtls",
    points=1,
    title="every sidecar refuses a certificate from another CA, even with a mesh identity",
    states=("chapter: nobody without a certificate from the mesh's CA gets in, however they reached the port;"),
)
def other_ca_is_refused(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    for target in ("pricing-v2", "catalog-1"):
        caller = "catalog" if target.startswith("pricing") else "ingress"
        good = mp.call_as(ctx.lab, target, "mesh", caller)
        ctx.expect(good.get("status") == 200, f"{caller}'s mesh certificate calling {target} got {good}; expected 200.")
        before = mp.total(ctx.lab, [target], VERIFY_ERROR)
        forged = mp.call_as(ctx.lab, target, "other-ca", caller)
        ctx.expect(
            "refused" in forged,
            f"a certificate for {mp.MESH}{caller} from a CA outside the mesh got {forged} from {target}; "
            "expected a refusal.",
        )
        ctx.expect(
            mp.total(ctx.lab, [target], VERIFY_ERROR) - before >= 1,
            f"{target}'s sidecar did not count the forged certificate as ssl.fail_verify_error; expected it to "
            "verify client certificates against the mesh's CA.",
        )


# ---- 2. authorization ----------------------------------------------------------------------------------------
@check(
    "mesh.authz",
    points=1,
    title="every instance enforces the policy: catalog answers only the ingress",
    needs=("mesh.mtls",),  # identities exist only with mTLS
    states=(
        "chapter: pricing has no reason to answer anyone but catalog, and catalog only the ingress.\n"
        "chapter: The control plane turns a list into an RBAC rule on every sidecar of that service; "
        "everyone else gets **403** before the app sees anything."
    ),
)
def policy_on_every_instance(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    before = mp.total(ctx.lab, ["pricing-v2"], RBAC_DENIED)
    cases = [
        ("pricing-v2", "catalog", 200),
        ("pricing-v2", "ingress", 403),
        ("pricing-v2", "intruder", 403),
        ("catalog-2", "ingress", 200),
        ("catalog-2", "pricing", 403),
        ("catalog-1", "catalog", 403),
    ]
    for target, caller, want in cases:
        got = mp.call_as(ctx.lab, target, "mesh", caller)
        ctx.expect(got.get("status") == want, f"{caller}'s identity calling {target} got {got}; expected {want}.")
    denied = mp.total(ctx.lab, ["pricing-v2"], RBAC_DENIED) - before
    ctx.expect(
        denied >= 2, f"pricing-v2's sidecar counted {denied} RBAC denials (http.inbound.rbac.denied); expected 2."
    )


# ---- 3. timeouts and retries ---------------------------------------------------------------------------------
@check(
    "mesh.resilience",
    points=1,
    title="pricing is slow 30% of the time: users still wait under a second",
    states=(
        "chapter: give each try a short timeout (`per_try_timeout`), so that a slow answer becomes a "
        "retry too, and the whole request an overall `timeout`, so users never wait long.\n"
        "chapter: While pricing is slow, 9 users in 10 must still be answered within a second."
    ),
)
def slow_pricing_is_cut_short(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    try:
        mp.fault(ctx.lab, "pricing", delay_percent=30, delay_ms=1500)
        results = mp.users(ctx.lab, 100, concurrency=4)
    finally:
        mp.clear_faults(ctx.lab)
    p90 = mp.percentile([r["ms"] for r in results], 0.9)
    share = mp.ok_share(results)
    ctx.expect(
        p90 < 1000,
        f"with 30% of pricing's answers taking 1.5 s, 90% of users were answered within {p90:.0f} ms; expected "
        "under 1000 ms: give each try a short timeout and retry it.",
    )
    ctx.expect(share >= 0.9, f"{share:.0%} of users got 200 ({mp.statuses(results)}); expected at least 90%.")


@check(
    "mesh.resilience",
    points=1,
    title="the sidecars' own counters show the retries that hid the failures",
    states=(
        "chapter: retry in **one** place, close to the failure (catalog's calls to pricing), a small number of times;"
    ),
)
def retries_are_counted(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    catalogs = ["catalog-1", "catalog-2"]
    try:
        mp.fault(ctx.lab, "pricing", abort_percent=30, abort_status=503)
        before = mp.total(ctx.lab, catalogs, RETRIES)
        results = mp.users(ctx.lab, 60)
        retried = mp.total(ctx.lab, catalogs, RETRIES) - before
    finally:
        mp.clear_faults(ctx.lab)
    ctx.expect(
        retried >= 6,
        f"catalog's sidecars retried pricing {retried} times for 60 users while 30% of pricing's answers failed; "
        "expected retries there (upstream_rq_retry), close to the failure.",
    )
    ctx.expect(mp.ok_share(results) >= 0.9, f"users got {mp.statuses(results)}; expected at least 90% of 200.")


# ---- 4. outlier detection ------------------------------------------------------------------------------------
@check(
    "mesh.outlier",
    points=1,
    title="a killed catalog app (its sidecar still up) is ejected too",
    timeout=150,
    states=(
        "chapter: **Outlier detection** watches each instance's answers and **ejects** one that fails "
        "several times in a row, for a while, then lets it back in to try again."
    ),
)
def killed_instance_is_ejected(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    mp.both_catalogs_serve(ctx.lab)
    before = mp.total(ctx.lab, ["ingress"], EJECTIONS)
    try:
        ctx.lab.kill("catalog-2")
        # Users arrive over about 3 s, as real ones do: 60 at once can all be answered within the few
        # milliseconds the sidecar needs to apply an ejection to every worker thread.
        results: list[dict] = []
        for _ in range(6):
            results += mp.users(ctx.lab, 10, concurrency=2)
            time.sleep(0.5)
        ejected = mp.total(ctx.lab, ["ingress"], EJECTIONS) - before
    finally:
        ctx.lab.start("catalog-2")
    ctx.expect(ejected >= 1, "the ingress's sidecar did not eject catalog-2 after its app was killed.")
    late = results[-30:]
    failed = sum(r["status"] != 200 for r in late)
    sequence = "".join("x" if r["status"] != 200 else "." for r in results)
    ctx.expect(
        failed <= 1,
        f"{failed} of the last 30 users got an error ({mp.statuses(late)}: {sequence}); expected at most 1.",
    )


# ---- 5. canary -----------------------------------------------------------------------------------------------
def weights(ctx: CheckContext) -> dict:
    return httpx.get(f"{mp.control(ctx.lab)}/canary", timeout=5).json()["weights"]


def drive(ctx: CheckContext, until, batches: int = 8, size: int = 100) -> list[dict]:
    """Send users in batches (the controller decides every second) until `until(weights)` or the batches run out."""
    seen: list[dict] = []
    for _ in range(batches):
        seen += mp.users(ctx.lab, size)
        time.sleep(1.2)  # one controller tick
        if until(weights(ctx)):
            break
    mp.settle(ctx.lab)
    return seen


@check(
    "mesh.canary",
    points=1,
    title="v2 fails half its requests: the canary is rolled back",
    timeout=150,
    states=(
        "chapter: The checks send at most 800 users, in batches of 100: by then a healthy v2 must have "
        "all the traffic, and a v2 that fails half its requests none.\n"
        "chapter: Start v2 at about 10%; roll back when it fails noticeably more than it should; promote "
        "once it has answered enough requests, well."
    ),
)
def failing_canary_is_rolled_back(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    try:
        mp.fault(ctx.lab, "pricing-v2", abort_percent=50, abort_status=503)
        mp.restart_canary(ctx.lab)
        first = drive(ctx, lambda w: w.get("v2", 0) == 0)
        after = mp.users(ctx.lab, 100)
    finally:
        mp.clear_faults(ctx.lab)
        mp.restart_canary(ctx.lab)
    reached = sum(r["version"] == "v2" for r in first[:100])
    ctx.expect(reached >= 1, "no user reached v2 at the canary's start; expected about 10%.")
    v2_after = sum(r["version"] == "v2" for r in after)
    ctx.expect(v2_after == 0, f"after the rollback {v2_after} of 100 users still reached v2; expected none.")
    ctx.expect(mp.ok_share(after) >= 0.98, f"after the rollback users got {mp.statuses(after)}; expected 200s.")


@check(
    "mesh.canary",
    points=1,
    title="v2 answers well: the canary is promoted to all traffic",
    timeout=150,
    states=(
        "chapter: The checks send at most 800 users, in batches of 100: by then a healthy v2 must have "
        "all the traffic, and a v2 that fails half its requests none.\n"
        "chapter: Start v2 at about 10%; roll back when it fails noticeably more than it should; promote "
        "once it has answered enough requests, well."
    ),
)
def healthy_canary_is_promoted(ctx: CheckContext) -> None:
    mp.settle(ctx.lab)
    mp.clear_faults(ctx.lab)
    try:
        mp.restart_canary(ctx.lab)
        first = drive(ctx, lambda w: w.get("v1", 0) == 0)
        after = mp.users(ctx.lab, 50)
    finally:
        mp.restart_canary(ctx.lab)
    early_v2 = sum(r["version"] == "v2" for r in first[:100])
    ctx.expect(early_v2 <= 40, f"{early_v2} of the first 100 users reached v2; expected a canary, not a switch.")
    v2_after = sum(r["version"] == "v2" for r in after)
    ctx.expect(v2_after == 50, f"after 800 healthy users only {v2_after} of 50 reached v2; expected all (promoted).")
