"""Hidden checks of the api lab: run by the grader only."""

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir

sys.path.insert(0, str(labs_dir() / "api"))

import apikit as kit


def contract(ctx: CheckContext) -> dict:
    answer = kit.call(ctx.lab, "GET", "/openapi.json")
    ctx.expect(answer.status_code == 200, f"GET /openapi.json answered {kit.short(answer)}.")
    return answer.json()


# ---- 1. resources ----------------------------------------------------------------------------------------------
@check(
    "api.resources",
    points=1,
    title="the OpenAPI contract says what the API does: 201 + Location, 404, 409",
    states=(
        "chapter: Make the contract say all of it: `status_code=201`, `response_model=Order`, and "
        "`responses={...}` for the `404`, the `409` and the `Location` header."
    ),
)
def contract_is_accurate(ctx: CheckContext) -> None:
    paths = contract(ctx).get("paths", {})
    create = paths.get("/v1/orders", {}).get("post", {}).get("responses", {})
    ctx.expect("201" in create, f"POST /v1/orders documents the answers {sorted(create)}; it answers 201.")
    ctx.expect(
        "location" in {h.lower() for h in create["201"].get("headers", {})},
        "POST /v1/orders' 201 does not document its Location header.",
    )
    ctx.expect("200" not in create, "POST /v1/orders still documents a 200 it never sends.")
    read = paths.get("/v1/orders/{order_id}", {}).get("get", {}).get("responses", {})
    ctx.expect("404" in read, f"GET /v1/orders/{{order_id}} documents {sorted(read)}; it also answers 404.")
    cancel = paths.get("/v1/orders/{order_id}/cancel", {}).get("post", {}).get("responses", {})
    ctx.expect({"404", "409"} <= set(cancel), f"the cancel operation documents {sorted(cancel)}; add 404 and 409.")


def schemathesis(ctx: CheckContext, checks: str) -> None:
    """Run schemathesis from the API's own OpenAPI with these checks; fail with its summary if it finds any."""
    cli = Path(sys.executable).with_name("schemathesis")
    base = kit.base(ctx.lab)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.ndjson"
        done = subprocess.run(
            [
                str(cli),
                "run",
                f"{base}/openapi.json",
                "--url",
                base,
                "--checks",
                checks,
                "--max-examples",
                "25",
                "--seed",
                "7",
                "--workers",
                "1",
                "--request-timeout",
                "10",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-failures",
                "5",
                "--report",
                "ndjson",
                "--report-ndjson-path",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=140,
        )
        ran = report.is_file() and report.read_text().strip()
    tail = "\n".join(line for line in done.stdout.splitlines() if line.strip())[-1500:]
    ctx.expect(ran, f"schemathesis did not run: {done.stderr[-400:] or tail}")
    ctx.expect(done.returncode == 0, f"schemathesis found problems:\n{tail}")


# Only server errors count here: what the error answers look like is the next exercise's (api.errors), so a
# contract that documents its 404 and 422 as problems is not held against resources while errors are unsolved.
@check(
    "api.resources",
    points=1,
    title="schemathesis, from the API's own OpenAPI: no request makes it fail (5xx)",
    timeout=150,
    states=(
        "chapter: The hidden checks read your OpenAPI, and then let schemathesis send a few hundred "
        "generated requests to every operation in it; for this exercise they count only server errors."
    ),
)
def schemathesis_finds_nothing(ctx: CheckContext) -> None:
    spec = contract(ctx)
    create = spec.get("paths", {}).get("/v1/orders", {}).get("post", {}).get("responses", {})
    ctx.expect("201" in create, "the contract does not describe creating an order (201); fuzzing it proves little.")
    schemathesis(ctx, "not_a_server_error")


# ---- 2. errors -------------------------------------------------------------------------------------------------
@check(
    "api.errors",
    points=1,
    title="405 (with Allow) and a crash (500) are problems too, and the crash says nothing",
    states=(
        "chapter: `HTTPException` (from `starlette.exceptions`, which also covers unknown paths and wrong "
        "methods): its status and detail, and its headers (a `405` carries an `Allow` header);\n"
        "chapter: **500**, and not a word about what went wrong inside (no exception text, no trace)."
    ),
)
def wrong_method_and_crash(ctx: CheckContext) -> None:
    answer = kit.call(ctx.lab, "DELETE", "/v1/orders")
    kit.expect_problem(ctx, answer, 405, "DELETE /v1/orders")
    ctx.expect("allow" in answer.headers, "a 405 must say which methods are allowed (the Allow header).")
    crash = kit.call(ctx.lab, "POST", "/v1/orders", json={**kit.ORDER, "customer": "crash-test"})
    body = kit.expect_problem(ctx, crash, 500, "an order whose database write fails")
    text = json.dumps(body)
    for secret in ("Traceback", "disk I/O", "/tmp/orders.db", "RuntimeError"):
        ctx.expect(secret not in text, f"the 500 gives away {secret!r}: {text[:200]}")


@check(
    "api.errors",
    points=1,
    title="schemathesis, from the API's own OpenAPI: every answer, errors included, fits the contract",
    timeout=150,
    states=(
        "chapter: The hidden checks for this exercise run schemathesis too, and hold every answer to the "
        "schema your contract promises: a `404` documented as a `Problem` must come back as one."
    ),
)
def schemathesis_answers_fit_contract(ctx: CheckContext) -> None:
    kit.expect_problem(ctx, kit.call(ctx.lab, "GET", "/v1/nowhere"), 404, "GET /v1/nowhere")
    schemathesis(ctx, "not_a_server_error,response_schema_conformance")


# ---- 3. pagination ---------------------------------------------------------------------------------------------
@check(
    "api.pagination",
    points=1,
    title="orders placed while a client pages: no duplicates, no gaps; bad cursors 4xx",
    states=(
        "chapter: following `next` from the first page to the last shows **every order exactly once**, "
        "even when new orders arrive while a client is paging.\n"
        "chapter: answer a cursor you did not give out with a 4xx, not a crash."
    ),
)
def stable_under_inserts(ctx: CheckContext) -> None:
    for _ in range(max(0, 10 - kit.count(ctx.lab))):
        kit.call(ctx.lab, "POST", "/v1/orders", json={**kit.ORDER, "customer": "pager"})
    existing = kit.all_ids(ctx.lab)

    def meanwhile() -> None:
        for _ in range(5):
            kit.call(ctx.lab, "POST", "/v1/orders", json={**kit.ORDER, "customer": "rush"})

    seen = kit.walk(ctx, "/v1/orders?limit=4", between=meanwhile)
    dupes = sorted({i for i in seen if seen.count(i) > 1})
    ctx.expect(not dupes, f"with 5 orders placed after the first page, these came twice: {dupes[:10]}.")
    missed = sorted(set(existing) - set(seen))
    ctx.expect(not missed, f"with 5 orders placed after the first page, these were never shown: {missed[:10]}.")
    for cursor in ("garbage", "eyJiZWZvcmUiOiAieCJ9", "%00"):
        answer = kit.call(ctx.lab, "GET", f"/v1/orders?cursor={cursor}")
        ctx.expect(400 <= answer.status_code < 500, f"cursor {cursor!r} answered {kit.short(answer)}; expected 4xx.")


# ---- 4. idempotency --------------------------------------------------------------------------------------------
@check(
    "api.idempotency",
    points=1,
    title="six concurrent retries make one order; without a key each POST counts",
    states=(
        "chapter: the server carries out each key **once**.\n"
        "chapter: refuses a repeat that arrives while the first is still running (**409**);\n"
        "chapter: leaves requests without a key alone."
    ),
)
def concurrent_retries(ctx: CheckContext) -> None:
    before = kit.count(ctx.lab)
    headers = {"Idempotency-Key": kit.key()}
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(
                lambda _: httpx.post(f"{kit.base(ctx.lab)}/v1/orders", json=kit.ORDER, headers=headers, timeout=15),
                range(6),
            )
        )
    made = kit.count(ctx.lab) - before
    ctx.expect(made == 1, f"six concurrent POSTs with one key made {made} orders; expected 1.")
    ok = [a for a in answers if 200 <= a.status_code < 300]
    ctx.expect(ok, f"none of the six succeeded: {[a.status_code for a in answers]}.")
    ctx.expect(all(a.json() == ok[0].json() for a in ok), "successful answers to one key differ.")
    ctx.expect(
        all(a.status_code in (ok[0].status_code, 409) for a in answers),
        f"the six answered {[a.status_code for a in answers]}; expected the same success, or 409 while running.",
    )
    before = kit.count(ctx.lab)
    kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER)
    kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER)
    ctx.expect(kit.count(ctx.lab) - before == 2, "two POSTs without a key must make two orders.")
