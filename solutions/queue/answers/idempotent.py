def apply(r, order, take_stock):
    # SET ... NX succeeds only for the first delivery of this order id: checking and recording in one atomic step.
    # (A crash exactly between these two lines would skip the order; a database transaction closes that gap.)
    if r.set(f"applied:{order['id']}", 1, nx=True, ex=24 * 3600):
        take_stock(r, order)
