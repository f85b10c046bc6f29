"""Exercise 4: inventory's part in the choreographed saga. inventory calls on_event for every event it receives."""


def on_event(kind, event, stock):
    """kind is "order.created" or "payment.declined"; event is its body (order_id, customer, item, qty, amount, and
    for payment.declined a reason). stock.reserve(order_id, item, qty) returns (True, "") or (False, reason);
    stock.release(order_id) puts a reservation back. Return the events to publish: [(kind, body), ...] with kinds
    "stock.reserved", "stock.rejected" or "stock.released"."""
    if kind == "order.created":
        ok, reason = stock.reserve(event["order_id"], event["item"], event["qty"])
        if ok:
            return [("stock.reserved", event)]  # payment needs the whole order: pass it on
        return [("stock.rejected", {**event, "reason": reason})]
    if kind == "payment.declined":
        stock.release(event["order_id"])  # the compensation
        return [("stock.released", {**event, "reason": event.get("reason", "payment declined")})]
    return []
