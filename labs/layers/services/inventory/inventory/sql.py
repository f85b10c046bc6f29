"""The SQL adapter of the persistence port, on the service's own schema in MariaDB:

    stock        (sku VARCHAR(64) PRIMARY KEY, on_hand INT)
    reservations (order_id VARCHAR(64), sku VARCHAR(64), qty INT, PRIMARY KEY (order_id, sku))

`connect()` gives a new pymysql connection (autocommit off). Outside atomic(), every call is its own transaction;
inside, nothing is committed until the block ends, and everything is rolled back when it raises.
"""

from contextlib import contextmanager

from inventory.model import Reservation, StockItem


class SqlStockRepository:
    def __init__(self, connect) -> None:
        self.conn = connect()

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
