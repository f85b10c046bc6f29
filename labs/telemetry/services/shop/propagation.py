"""How orders passes its trace context on: into the headers of the HTTP call to payments, and into the headers
of the message it publishes for shipping.

Exercise telemetry.propagate: put the context of the current span into `carrier` (a dict of headers) in the
W3C Trace Context format, the `traceparent` header, so that payments and shipping continue the same trace.
Either write the header yourself from trace.get_current_span().get_span_context(), or let OpenTelemetry's
propagator do it (opentelemetry.propagate.inject).
"""

from __future__ import annotations

from opentelemetry import trace  # noqa: F401


def inject(carrier: dict[str, str]) -> dict[str, str]:
    """Add the current trace context to carrier and return it."""
    return carrier
