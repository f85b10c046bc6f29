from kombu import Exchange, Queue

MAX_ATTEMPTS = 3

DEAD = Exchange("orders.dead", type="fanout", durable=True)

# A message the queue rejects (without requeue) goes to the dead-letter exchange instead of vanishing.
QUEUE_ARGUMENTS = {"x-dead-letter-exchange": "orders.dead"}

DEAD_LETTERS = Queue("orders.dead", exchange=DEAD, durable=True)


def on_failure(body, message, error, retry):
    attempts = (message.headers or {}).get("x-attempts", 1)
    if attempts >= MAX_ATTEMPTS:
        message.reject(requeue=False)  # -> orders.dead, with an x-death header saying why
    else:
        retry(message, attempts + 1)  # to the back of the queue: the orders behind it keep flowing
