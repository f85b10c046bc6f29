"""The inventory's language: what it keeps, what can go wrong, and the port through which it keeps it.

Plain Python only: the core and every adapter import this module; it imports no framework, driver or client.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class StockItem:
    sku: str
    on_hand: int


@dataclass
class Reservation:
    order_id: str
    lines: dict[str, int] = field(default_factory=dict)  # sku -> quantity held for the order


class UnknownItem(Exception):
    """No stock item with this SKU."""


class OutOfStock(Exception):
    """Fewer on hand than an order wants."""

    def __init__(self, sku: str, wanted: int, on_hand: int) -> None:
        super().__init__(f"{sku}: {wanted} wanted, {on_hand} on hand")
        self.sku, self.wanted, self.on_hand = sku, wanted, on_hand


class UnknownReservation(Exception):
    """No reservation for this order."""


class StockRepository(Protocol):
    """The persistence port: what the core needs from any storage, nothing more.

    get / get_reservation return None for what is not there, and hand out *copies*: changing a returned object
    changes nothing until it is saved. atomic() is a block whose changes all happen, or (when it raises) none.
    An atomic() block inside another is part of the outer one: when the outer block raises, nothing the inner one
    did is kept. remove_reservation of an order that has no reservation does nothing (no error).
    """

    def get(self, sku: str) -> StockItem | None: ...

    def save(self, item: StockItem) -> None: ...

    def get_reservation(self, order_id: str) -> Reservation | None: ...

    def add_reservation(self, reservation: Reservation) -> None: ...

    def remove_reservation(self, order_id: str) -> None: ...

    def atomic(self) -> AbstractContextManager[None]: ...
