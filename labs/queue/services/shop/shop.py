"""Exercise 4: two nameko services, run with `nameko run --config config.yaml shop:Orders shop:Notifications`."""

from nameko.events import EventDispatcher, event_handler  # noqa: F401 (you will need them)
from nameko.rpc import rpc

from mail import PRICES, Mailer  # noqa: F401


class Orders:
    name = "orders"
    dispatch = EventDispatcher()

    @rpc
    def place_order(self, order):
        """order: {"id", "sku", "qty", "email"}. Should return it with its "total", and tell others about it."""
        return None


class Notifications:
    name = "notifications"
    mailer = Mailer()
