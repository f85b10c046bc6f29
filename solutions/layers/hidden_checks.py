"""Hidden checks of the layers lab: run by the grader only."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from msalab.checks import CheckContext, check, lab_module
from msalab.paths import solutions_dir

probe = lab_module("layers", "probe.py")
HIDDEN_CONTRACT = {"hidden_contract.py": (solutions_dir() / "layers" / "hidden_contract.py").read_text()}


@check(
    "layers.core",
    points=1,
    title="with no framework, driver or client installed: retries, domain errors",
    states=(
        "chapter: also with FastAPI and the drivers made unimportable.\n"
        "labs/layers/services/inventory/inventory/core.py: Reserving an order that already has a "
        "reservation changes nothing and returns that reservation (a retry).\n"
        "chapter: it raises the domain's own errors from `inventory.model` (`UnknownItem`, `OutOfStock`, "
        "`UnknownReservation`, or `ValueError`)"
    ),
)
def core_alone(ctx: CheckContext) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = probe.scenarios(probe.fetch_package(ctx.lab, Path(tmp)), block=True, ctx=ctx)
    failed = probe.failures(results, "name")
    ctx.expect(not failed, "The core, with fastapi, pymysql, kombu & co. unimportable: " + "; ".join(failed))


@check(
    "layers.memory",
    points=1,
    title="more contract tests: many lines, nested blocks, copies of reservations",
    states=(
        "chapter: dictionaries inside, **copies** in and out\n"
        "labs/layers/services/inventory/inventory/model.py: An atomic() block inside another is part of "
        "the outer one: when the outer block raises, nothing the inner one did is kept.\n"
        "labs/layers/services/inventory/inventory/model.py: remove_reservation of an order that has no "
        "reservation does nothing (no error)."
    ),
)
def memory_more(ctx: CheckContext) -> None:
    results = probe.contract(ctx.lab, "memory", "hidden_contract", HIDDEN_CONTRACT)
    failed = probe.failures(results)
    ctx.expect(not failed, "On the memory adapter: " + "; ".join(failed)[:600])


@check(
    "layers.sql",
    points=1,
    title="more contract tests, and the stock outlives a restart of the service",
    states=(
        "chapter: every adapter must pass the same ones\n"
        "labs/layers/services/inventory/inventory/model.py: An atomic() block inside another is part of "
        "the outer one: when the outer block raises, nothing the inner one did is kept.\n"
        "labs/layers/services/inventory/inventory/model.py: remove_reservation of an order that has no "
        "reservation does nothing (no error).\n"
        "chapter: yet the stock survived the restart because the composition root plugged the SQL adapter "
        "in."
    ),
)
def sql_more(ctx: CheckContext) -> None:
    results = probe.contract(ctx.lab, "sql", "hidden_contract", HIDDEN_CONTRACT)
    failed = probe.failures(results)
    ctx.expect(not failed, "On the SQL adapter: " + "; ".join(failed)[:600])
    sku = f"h{uuid.uuid4().hex[:8]}"
    answer = probe.api(ctx.lab, "POST", f"/stock/{sku}/receive", json={"qty": 6})
    ctx.expect(answer.status_code == 200, f"POST /stock/{sku}/receive answered {answer.status_code}: {answer.text}")
    ctx.lab.restart("inventory")
    rows = probe.sql(ctx.lab, f"SELECT on_hand FROM stock WHERE sku = '{sku}'")
    ctx.expect(rows == [["6"]], f"As the inventory user, stock of {sku} is {rows}; expected [['6']].")
    got = probe.api(ctx.lab, "GET", f"/stock/{sku}")
    ctx.expect(got.status_code == 200 and got.json().get("on_hand") == 6, f"After a restart, GET says {got.text}.")
