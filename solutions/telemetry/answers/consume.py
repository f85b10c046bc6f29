"""How shipping handles one message from the queue `shipments`."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

tracer = trace.get_tracer("shipping")


def handle(body: dict, message, ship) -> None:  # type: ignore[no-untyped-def]
    """Process one message: ship(body) inside a consumer span, child of the context in the message's headers."""
    parent = propagate.extract(message.headers or {})
    with tracer.start_as_current_span("shipments process", context=parent, kind=SpanKind.CONSUMER):
        ship(body)
    message.ack()
