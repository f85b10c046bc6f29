"""Exercise 2: crash safety of a saga participant. payment calls on_command for every message it receives."""


def on_command(body, message, handle, send):
    """handle(body) does the step in one database transaction (committed when it returns) and returns the messages
    it produced; send(messages) publishes them (persistent, confirmed by the broker); message.ack() tells the broker
    it may forget this delivery. payment may be killed at any moment."""
    message.ack()  # got it! ... but nothing has been done yet
    send(handle(body))
