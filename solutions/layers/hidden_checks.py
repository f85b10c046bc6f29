"""Hidden checks of the layers lab: run by the grader only."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from msalab.checks import CheckContext, check, lab_module
from msalab.paths import solutions_dir

probe = lab_module("layers", "probe.py")
HIDDEN_CONTRACT = {"hidden_contract.py": (solutions_dir() / "layers" / "hidden_contract.py").read_text()}


@check("layers.core", points=1, title="with no framework, driver or client installed: retries, domain errors")
def core_alone(ctx: CheckContext) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = probe.scenarios(probe.fetch_package(ctx.lab, Path(tmp)), block=True, ctx=ctx)
    failed = probe.failures(results, "name")
    ctx.expect(not failed, "The core, with fastapi, pymysql, kombu & co. unimportable: " + "; ".join(failed))


@check("layers.memory", points=1, title="more contract tests: many lines, nested blocks, copies of reservations")
def memory_more(ctx: CheckContext) -> None:
    results = probe.contract(ctx.lab, "memory", "hidden_contract", HIDDEN_CONTRACT)
    failed = probe.failures(results)
    ctx.expect(not failed, "On the memory adapter: " + "; ".join(failed)[:600])


@check("layers.sql", points=1, title="more contract tests, and the stock outlives a restart of the service")
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
