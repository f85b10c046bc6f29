"""How shipping handles one message from the queue `shipments`.

Exercise telemetry.consume: the message's headers carry the trace context of the order that published it
(W3C `traceparent`). Start the consumer span as a child of THAT context, so the shipment joins the order's trace
instead of starting a trace of its own. (opentelemetry.propagate.extract reads the context from a dict.)
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import SpanKind

tracer = trace.get_tracer("shipping")


def handle(body: dict, message, ship) -> None:  # type: ignore[no-untyped-def]
    """Process one message: ship(body) inside a consumer span, then acknowledge the message."""
    with tracer.start_as_current_span("shipments process", kind=SpanKind.CONSUMER):
        ship(body)
    message.ack()
