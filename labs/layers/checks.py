"""Public checks of the layers lab: what `msalab.check(...)` runs in the notebook.

The core is checked where it should be able to run anywhere: on this machine, in a fresh process, copied out of the
inventory container, with a repository of the check's own; its imports are checked by import-linter. The adapters
are checked by the contract tests, run inside the container against each adapter.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir


def _load_probe():  # type: ignore[no-untyped-def]
    name = "msalab_layers_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / "layers" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _load_probe()


# ---- exercise 1: the domain core ---------------------------------------------------------------------------------
@check("layers.core", points=2, title="import-linter: the core imports no framework, driver, client or adapter")
def contracts_kept(ctx: CheckContext) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kept, report = probe.lint(probe.fetch_package(ctx.lab, Path(tmp)))
    broken = probe.broken_contracts(report)
    ctx.expect(
        kept,
        f"Broken contracts: {'; '.join(broken) or report[-400:]}. Run the chapter's lint cell to see which import.",
    )


@check("layers.core", points=2, title="on its own: reserve is all or nothing, release gives the stock back")
def core_rules(ctx: CheckContext) -> None:
    names = ["reserve_takes_stock", "all_or_nothing", "unknown_item", "release_gives_back"]
    with tempfile.TemporaryDirectory() as tmp:
        results = probe.scenarios(probe.fetch_package(ctx.lab, Path(tmp)), names, ctx=ctx)
    failed = probe.failures(results, "name")
    ctx.expect(not failed, "The core, run with a dictionary for storage: " + "; ".join(failed))


# ---- exercises 2 and 3: the adapters ------------------------------------------------------------------------------
def contract_passes(ctx: CheckContext, adapter: str) -> None:
    results = probe.contract(ctx.lab, adapter)
    failed = probe.failures(results)
    ctx.expect(
        not failed,
        f"{len(failed)} of {len(results)} contract tests fail on the {adapter} adapter: " + "; ".join(failed)[:600],
    )


@check("layers.memory", points=2, title="the contract tests pass on the in-memory adapter")
def memory_contract(ctx: CheckContext) -> None:
    contract_passes(ctx, "memory")


@check("layers.sql", points=2, title="the same contract tests pass on the SQL adapter (MariaDB)")
def sql_contract(ctx: CheckContext) -> None:
    contract_passes(ctx, "sql")
