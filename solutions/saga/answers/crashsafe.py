"""Exercise 2: crash safety of a saga participant. payment calls on_command for every message it receives."""

import time


def on_command(body, message, handle, send):
    """handle(body) does the step in one database transaction (committed when it returns) and returns the messages
    it produced; send(messages) publishes them (persistent, confirmed by the broker); message.ack() tells the broker
    it may forget this delivery. payment may be killed at any moment."""
    try:
        produced = handle(body)  # 1. the effect, committed
    except Exception:
        time.sleep(0.5)  # nothing was committed: let the broker deliver it again in a moment
        message.requeue()
        return
    send(produced)  # 2. the reply, confirmed by the broker
    message.ack()  # 3. only now may the broker forget the command; a crash before this means a redelivery
