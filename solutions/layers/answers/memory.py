"""The in-memory adapter of the persistence port."""

import copy
from contextlib import contextmanager

from inventory.model import Reservation, StockItem


class MemoryStockRepository:
    def __init__(self) -> None:
        self.items: dict[str, StockItem] = {}
        self.reservations: dict[str, Reservation] = {}
        self.depth = 0

    def get(self, sku: str) -> StockItem | None:
        item = self.items.get(sku)
        return copy.deepcopy(item) if item is not None else None

    def save(self, item: StockItem) -> None:
        self.items[item.sku] = copy.deepcopy(item)

    def get_reservation(self, order_id: str) -> Reservation | None:
        r = self.reservations.get(order_id)
        return copy.deepcopy(r) if r is not None else None

    def add_reservation(self, reservation: Reservation) -> None:
        self.reservations[reservation.order_id] = copy.deepcopy(reservation)

    def remove_reservation(self, order_id: str) -> None:
        self.reservations.pop(order_id, None)

    @contextmanager
    def atomic(self):
        if self.depth:  # an inner block is part of the outer one
            yield
            return
        saved = copy.deepcopy((self.items, self.reservations))
        self.depth += 1
        try:
            yield
        except BaseException:
            self.items, self.reservations = saved
            raise
        finally:
            self.depth -= 1
