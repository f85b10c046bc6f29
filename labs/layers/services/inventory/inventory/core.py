"""The inventory's domain core: receiving stock, reserving it for orders, releasing it again.

A first draft, written inside the web handler and moved here: it still raises FastAPI's HTTPException, so the
core cannot run without a web framework. reserve and release are not written yet.

Rules:
- receive(sku, qty): qty must be positive (ValueError otherwise); an unknown SKU becomes a new item.
- stock(sku): what is on hand; UnknownItem for an unknown SKU.
- reserve(order_id, lines): all or nothing. Every SKU must exist (UnknownItem) and have enough on hand
  (OutOfStock); then every line is taken off the stock and the reservation is added, in one atomic block.
  Reserving an order that already has a reservation changes nothing and returns that reservation (a retry).
- release(order_id): puts the reservation's stock back and removes it; UnknownReservation if there is none.
"""

from fastapi import HTTPException

from inventory.model import Reservation, StockItem, StockRepository


class Inventory:
    def __init__(self, repo: StockRepository) -> None:
        self.repo = repo

    def receive(self, sku: str, qty: int) -> StockItem:
        if qty <= 0:
            raise HTTPException(422, "qty must be positive")
        item = self.repo.get(sku) or StockItem(sku, 0)
        item.on_hand += qty
        self.repo.save(item)
        return item

    def stock(self, sku: str) -> int:
        item = self.repo.get(sku)
        if item is None:
            raise HTTPException(404, f"no item {sku}")
        return item.on_hand

    def reserve(self, order_id: str, lines: dict[str, int]) -> Reservation:
        raise NotImplementedError("reserve is not written yet")

    def release(self, order_id: str) -> None:
        raise NotImplementedError("release is not written yet")
