from kombu import Exchange, Queue

ORDERS = Exchange("orders", type="topic", durable=True)

# durable=True: the queue itself survives a broker restart (the order service already publishes persistent
# messages, which a durable queue keeps on disk).
ORDERS_QUEUE = Queue("orders.fulfil", exchange=ORDERS, routing_key="order.placed", durable=True)


def on_order(body, message, fulfil):
    fulfil(body)  # if the worker dies in here, the broker still holds the message and delivers it again
    message.ack()  # the work is done: now the broker may forget the message
