"""The SQL adapter of the persistence port, on the service's own schema in MariaDB."""

from contextlib import contextmanager

from inventory.model import Reservation, StockItem


class SqlStockRepository:
    def __init__(self, connect) -> None:
        self.conn = connect()
        self.depth = 0

    def _run(self, query: str, args=()):  # type: ignore[no-untyped-def]
        """One statement; committed at once outside atomic(), part of the block inside it."""
        if self.depth == 0:
            self.conn.ping(reconnect=True)
        with self.conn.cursor() as cur:
            cur.execute(query, args)
            rows = cur.fetchall()
        if self.depth == 0:
            self.conn.commit()
        return rows

    def get(self, sku: str) -> StockItem | None:
        rows = self._run("SELECT sku, on_hand FROM stock WHERE sku = %s", (sku,))
        return StockItem(rows[0][0], rows[0][1]) if rows else None

    def save(self, item: StockItem) -> None:
        self._run(
            "INSERT INTO stock (sku, on_hand) VALUES (%s, %s) ON DUPLICATE KEY UPDATE on_hand = VALUES(on_hand)",
            (item.sku, item.on_hand),
        )

    def get_reservation(self, order_id: str) -> Reservation | None:
        rows = self._run("SELECT sku, qty FROM reservations WHERE order_id = %s ORDER BY sku", (order_id,))
        return Reservation(order_id, {sku: qty for sku, qty in rows}) if rows else None

    def add_reservation(self, reservation: Reservation) -> None:
        with self.atomic():  # every line, or none
            for sku, qty in reservation.lines.items():
                self._run(
                    "INSERT INTO reservations (order_id, sku, qty) VALUES (%s, %s, %s)",
                    (reservation.order_id, sku, qty),
                )

    def remove_reservation(self, order_id: str) -> None:
        self._run("DELETE FROM reservations WHERE order_id = %s", (order_id,))

    @contextmanager
    def atomic(self):
        if self.depth:
            yield
            return
        self.conn.ping(reconnect=True)
        self.conn.begin()
        self.depth += 1
        try:
            yield
        except BaseException:
            self.depth -= 1
            self.conn.rollback()
            raise
        self.depth -= 1
        self.conn.commit()
