"""The in-memory adapter of the persistence port: for tests, demos and the core's own development.

It must keep the port's promises (see StockRepository in model.py): copies out, copies in, and atomic() all or
nothing. contract.py holds the tests every adapter must pass.
"""

from contextlib import contextmanager

from inventory.model import Reservation, StockItem


class MemoryStockRepository:
    def __init__(self) -> None:
        self.items: dict[str, StockItem] = {}
        self.reservations: dict[str, Reservation] = {}

    def get(self, sku: str) -> StockItem | None:
        raise NotImplementedError

    def save(self, item: StockItem) -> None:
        raise NotImplementedError

    def get_reservation(self, order_id: str) -> Reservation | None:
        raise NotImplementedError

    def add_reservation(self, reservation: Reservation) -> None:
        raise NotImplementedError

    def remove_reservation(self, order_id: str) -> None:
        raise NotImplementedError

    @contextmanager
    def atomic(self):
        yield
