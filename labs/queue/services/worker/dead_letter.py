"""Exercise 3: dead-lettering. (The worker reads the three names below.)"""

from kombu import Exchange, Queue  # noqa: F401 (you will need them)

# Extra arguments for the orders.fulfil queue (x-... arguments RabbitMQ understands).
QUEUE_ARGUMENTS = {}

# The queue where dead letters end up, bound to its exchange; None: there is none yet.
DEAD_LETTERS = None


def on_failure(body, message, error, retry):
    """Called when fulfilling a delivery raised `error` (and it was not acknowledged yet)."""
    message.requeue()  # try again... and again, and again
