"""The inventory's domain core: plain Python, talking to storage only through the port."""

from inventory.model import OutOfStock, Reservation, StockItem, StockRepository, UnknownItem, UnknownReservation


class Inventory:
    def __init__(self, repo: StockRepository) -> None:
        self.repo = repo

    def receive(self, sku: str, qty: int) -> StockItem:
        if qty <= 0:
            raise ValueError("qty must be positive")
        item = self.repo.get(sku) or StockItem(sku, 0)
        item.on_hand += qty
        self.repo.save(item)
        return item

    def stock(self, sku: str) -> int:
        item = self.repo.get(sku)
        if item is None:
            raise UnknownItem(sku)
        return item.on_hand

    def reserve(self, order_id: str, lines: dict[str, int]) -> Reservation:
        with self.repo.atomic():
            existing = self.repo.get_reservation(order_id)
            if existing is not None:
                return existing  # a retry of the same order: nothing more is taken
            items = {}
            for sku, qty in lines.items():
                if qty <= 0:
                    raise ValueError(f"{sku}: qty must be positive")
                item = self.repo.get(sku)
                if item is None:
                    raise UnknownItem(sku)
                if item.on_hand < qty:
                    raise OutOfStock(sku, qty, item.on_hand)
                items[sku] = item
            for sku, qty in lines.items():
                items[sku].on_hand -= qty
                self.repo.save(items[sku])
            reservation = Reservation(order_id, dict(lines))
            self.repo.add_reservation(reservation)
            return reservation

    def release(self, order_id: str) -> None:
        with self.repo.atomic():
            reservation = self.repo.get_reservation(order_id)
            if reservation is None:
                raise UnknownReservation(order_id)
            for sku, qty in reservation.lines.items():
                item = self.repo.get(sku) or StockItem(sku, 0)
                item.on_hand += qty
                self.repo.save(item)
            self.repo.remove_reservation(order_id)
