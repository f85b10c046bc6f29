"""Exercise 2: an idempotent consumer. (The worker calls apply for each delivery it fulfils.)"""


def apply(r, order, take_stock):
    """Take the order's goods out of stock: call take_stock(r, order). r is a Redis client."""
    take_stock(r, order)
