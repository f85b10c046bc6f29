"""The domain core, run on its own: no web server, no database, no container. The checks run this file on your
machine, in a fresh Python process, over the core that runs in the inventory container:

    python scenarios.py FOLDER [--block] [names...]   # FOLDER holds the package `inventory`

It drives `inventory.core.Inventory` with a small dictionary-backed repository of its own (not your adapters), and
prints one JSON list: {"name", "passed", "error"} per scenario. With --block, importing a web framework, a database
driver or a broker client fails, as it would on a machine that has none of them.
"""

from __future__ import annotations

import importlib.abc
import json
import sys
from contextlib import contextmanager

BLOCKED = {"fastapi", "starlette", "pydantic", "uvicorn", "pymysql", "sqlalchemy", "kombu", "httpx", "requests"}


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed here (blocked: the core must not need it)")
        return None


class DictRepo:
    """The check's own storage: plain tuples in one dictionary, never the caller's objects; an atomic block
    remembers the dictionary as it was and puts it back if the block fails."""

    def __init__(self, model) -> None:  # type: ignore[no-untyped-def]
        self.model = model
        self.rows: dict = {}
        self.blocks = 0

    def get(self, sku):  # type: ignore[no-untyped-def]
        row = self.rows.get(("item", sku))
        return self.model.StockItem(*row) if row else None

    def save(self, item):  # type: ignore[no-untyped-def]
        self.rows[("item", item.sku)] = (item.sku, item.on_hand)

    def get_reservation(self, order_id):  # type: ignore[no-untyped-def]
        row = self.rows.get(("reservation", order_id))
        return self.model.Reservation(order_id, dict(row)) if row else None

    def add_reservation(self, r):  # type: ignore[no-untyped-def]
        self.rows[("reservation", r.order_id)] = tuple(sorted(r.lines.items()))

    def remove_reservation(self, order_id):  # type: ignore[no-untyped-def]
        self.rows.pop(("reservation", order_id), None)

    @contextmanager
    def atomic(self):  # type: ignore[no-untyped-def]
        as_it_was = dict(self.rows)
        self.blocks += 1
        ok = False
        try:
            yield
            ok = True
        finally:
            self.blocks -= 1
            if not ok and self.blocks == 0:
                self.rows = as_it_was


def scenarios():  # type: ignore[no-untyped-def]
    from inventory import model
    from inventory.core import Inventory

    def fresh():  # type: ignore[no-untyped-def]
        inv = Inventory(DictRepo(model))
        inv.receive("lamp", 5)
        inv.receive("mug", 3)
        return inv

    def raises(kind, func, *args):  # type: ignore[no-untyped-def]
        try:
            func(*args)
        except kind:
            return
        except Exception as e:
            raise AssertionError(f"raised {type(e).__name__}: {e}; expected the domain error {kind.__name__}") from None
        raise AssertionError(f"raised nothing; expected {kind.__name__}")

    def on_hand(inv):  # type: ignore[no-untyped-def]
        return {"lamp": inv.stock("lamp"), "mug": inv.stock("mug")}

    def reserve_takes_stock():  # type: ignore[no-untyped-def]
        inv = fresh()
        r = inv.reserve("o1", {"lamp": 2, "mug": 1})
        assert (r.order_id, r.lines) == ("o1", {"lamp": 2, "mug": 1}), f"reserve returned {r!r}"
        assert on_hand(inv) == {"lamp": 3, "mug": 2}, f"after reserving lamp 2, mug 1 of 5, 3: {on_hand(inv)}"

    def all_or_nothing():  # type: ignore[no-untyped-def]
        inv = fresh()
        raises(model.OutOfStock, inv.reserve, "o2", {"lamp": 2, "mug": 5})
        assert on_hand(inv) == {"lamp": 5, "mug": 3}, f"a refused reservation changed the stock: {on_hand(inv)}"
        assert inv.repo.get_reservation("o2") is None, "a refused reservation was kept"

    def unknown_item():  # type: ignore[no-untyped-def]
        inv = fresh()
        raises(model.UnknownItem, inv.reserve, "o3", {"lamp": 1, "ghost": 1})
        assert on_hand(inv) == {"lamp": 5, "mug": 3}, f"a refused reservation changed the stock: {on_hand(inv)}"

    def release_gives_back():  # type: ignore[no-untyped-def]
        inv = fresh()
        inv.reserve("o4", {"lamp": 4})
        inv.release("o4")
        assert on_hand(inv) == {"lamp": 5, "mug": 3}, f"after reserve and release: {on_hand(inv)}"
        raises(model.UnknownReservation, inv.release, "o4")

    def retry_is_idempotent():  # type: ignore[no-untyped-def]
        inv = fresh()
        inv.reserve("o5", {"lamp": 2})
        again = inv.reserve("o5", {"lamp": 2})
        assert again.lines == {"lamp": 2}, f"the retry returned {again!r}"
        assert inv.stock("lamp") == 3, f"reserving the same order twice left {inv.stock('lamp')} of 5 lamps; expected 3"

    def domain_errors():  # type: ignore[no-untyped-def]
        inv = fresh()
        raises(model.UnknownItem, inv.stock, "ghost")
        raises(ValueError, inv.receive, "lamp", 0)

    return [reserve_takes_stock, all_or_nothing, unknown_item, release_gives_back, retry_is_idempotent, domain_errors]


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    if "--block" in sys.argv:
        sys.meta_path.insert(0, Blocker())
    wanted = [a for a in sys.argv[2:] if not a.startswith("--")]
    results = []
    try:
        found = scenarios()
    except Exception as e:
        print(json.dumps([{"name": "import", "passed": False, "error": f"{type(e).__name__}: {e}"}]))
        return
    for s in found:
        if wanted and s.__name__ not in wanted:
            continue
        try:
            s()
            results.append({"name": s.__name__, "passed": True, "error": ""})
        except Exception as e:
            results.append({"name": s.__name__, "passed": False, "error": f"{type(e).__name__}: {e}"})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
