"""Exercise 1: a reliable work queue. (The worker imports ORDERS_QUEUE and on_order from here.)"""

from kombu import Exchange, Queue

ORDERS = Exchange("orders", type="topic", durable=True)

# The queue the workers share, bound to the orders exchange for routing key order.placed.
ORDERS_QUEUE = Queue("orders.fulfil", exchange=ORDERS, routing_key="order.placed", durable=False)


def on_order(body, message, fulfil):
    """Called for each delivery: fulfil(body) does the work; message.ack() tells the broker it may forget it."""
    message.ack()  # "got it!" ... but the work has not been done yet
    fulfil(body)
