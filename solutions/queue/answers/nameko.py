from mail import PRICES, Mailer
from nameko.events import EventDispatcher, event_handler
from nameko.rpc import rpc


class Orders:
    name = "orders"
    dispatch = EventDispatcher()

    @rpc
    def place_order(self, order):
        placed = {**order, "total": PRICES[order["sku"]] * order["qty"]}
        self.dispatch("order_placed", placed)  # an event: whoever is interested, now or later
        return placed


class Notifications:
    name = "notifications"
    mailer = Mailer()

    @event_handler("orders", "order_placed")
    def send_confirmation(self, order):
        self.mailer.send(
            order["email"],
            f"Your order {order['id']} is confirmed",
            f"Thank you! {order['qty']} x {order['sku']}, total {order['total']} EUR.",
        )
