"""Contract tests of the persistence port: every adapter of StockRepository must pass the same ones.

    python3 contract.py memory        # or: sql
    python3 contract.py sql --json    # one JSON object per test: {"test", "passed", "error", "ms"}

Each test gets a factory `make()` for a fresh repository and a `tag` that makes its SKUs and order ids unique,
so that the tests also run against a shared database that other tests (and you) use.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
import uuid

from inventory.model import Reservation, StockItem

TESTS = []


def contract(func):  # type: ignore[no-untyped-def]
    TESTS.append(func)
    return func


@contract
def unknown_item_is_none(make, tag):  # type: ignore[no-untyped-def]
    assert make().get(f"{tag}-nothing") is None


@contract
def saved_item_comes_back(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    repo.save(StockItem(f"{tag}-lamp", 7))
    assert repo.get(f"{tag}-lamp") == StockItem(f"{tag}-lamp", 7)


@contract
def save_overwrites(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    repo.save(StockItem(f"{tag}-lamp", 7))
    repo.save(StockItem(f"{tag}-lamp", 3))
    assert repo.get(f"{tag}-lamp").on_hand == 3


@contract
def hands_out_copies(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    item = StockItem(f"{tag}-mug", 5)
    repo.save(item)
    item.on_hand = 99  # the caller's object, after saving
    got = repo.get(f"{tag}-mug")
    got.on_hand = 42  # a returned object, without saving
    assert repo.get(f"{tag}-mug").on_hand == 5


@contract
def reservation_round_trip(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    assert repo.get_reservation(f"{tag}-o1") is None
    repo.add_reservation(Reservation(f"{tag}-o1", {f"{tag}-lamp": 2}))
    assert repo.get_reservation(f"{tag}-o1") == Reservation(f"{tag}-o1", {f"{tag}-lamp": 2})
    repo.remove_reservation(f"{tag}-o1")
    assert repo.get_reservation(f"{tag}-o1") is None


@contract
def atomic_block_keeps_its_changes(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    with repo.atomic():
        repo.save(StockItem(f"{tag}-desk", 4))
        repo.add_reservation(Reservation(f"{tag}-o2", {f"{tag}-desk": 1}))
    assert repo.get(f"{tag}-desk").on_hand == 4
    assert repo.get_reservation(f"{tag}-o2") is not None


@contract
def failed_atomic_block_changes_nothing(make, tag):  # type: ignore[no-untyped-def]
    repo = make()
    repo.save(StockItem(f"{tag}-chair", 4))
    try:
        with repo.atomic():
            repo.save(StockItem(f"{tag}-chair", 1))
            repo.add_reservation(Reservation(f"{tag}-o3", {f"{tag}-chair": 3}))
            raise RuntimeError("something failed half-way")
    except RuntimeError:
        pass
    assert repo.get(f"{tag}-chair").on_hand == 4, "the stock change of a failed block stayed"
    assert repo.get_reservation(f"{tag}-o3") is None, "the reservation of a failed block stayed"


def factory(adapter: str):  # type: ignore[no-untyped-def]
    if adapter == "sql":
        from db import connect
        from inventory.sql import SqlStockRepository

        return lambda: SqlStockRepository(connect)
    from inventory.memory import MemoryStockRepository

    return MemoryStockRepository


def run(adapter: str, tests: list) -> list[dict]:  # type: ignore[type-arg]
    make = factory(adapter)
    results = []
    for test in tests:
        started = time.perf_counter()
        try:
            test(make, uuid.uuid4().hex[:8])
            error = ""
        except Exception as e:  # noqa: BLE001
            where = traceback.extract_tb(e.__traceback__)[-1]
            error = f"{type(e).__name__}: {e} (line {where.lineno} of {where.filename.rsplit('/', 1)[-1]})"
        ms = (time.perf_counter() - started) * 1000
        results.append({"test": test.__name__, "passed": not error, "error": error, "ms": round(ms, 2)})
    return results


if __name__ == "__main__":
    adapter = sys.argv[1]
    tests = list(TESTS)
    for extra in [a for a in sys.argv[2:] if not a.startswith("--")]:  # more contract tests, e.g. the grader's
        tests += importlib.import_module(extra).TESTS
    results = run(adapter, tests)
    if "--json" in sys.argv:
        print(json.dumps(results))
    else:
        for r in results:
            print(f"{'ok  ' if r['passed'] else 'FAIL'} {r['test']:<40} {r['ms']:8.2f} ms  {r['error']}")
