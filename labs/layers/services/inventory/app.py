"""The composition root: the one place that knows every part and plugs them together.

ADAPTER=sql (the lab's setting) keeps stock in MariaDB; ADAPTER=memory keeps it in this process.
"""

import os

from inventory.core import Inventory
from inventory.http import make_app


def repository():  # type: ignore[no-untyped-def]
    if os.environ.get("ADAPTER", "memory") == "sql":
        from db import connect
        from inventory.sql import SqlStockRepository

        return SqlStockRepository(connect)
    from inventory.memory import MemoryStockRepository

    return MemoryStockRepository()


app = make_app(Inventory(repository()), os.environ.get("ADAPTER", "memory"))
