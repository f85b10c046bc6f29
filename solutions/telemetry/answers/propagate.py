"""How orders passes its trace context on: into the headers of the HTTP call to payments, and into the headers
of the message it publishes for shipping."""

from __future__ import annotations

from opentelemetry import trace


def inject(carrier: dict[str, str]) -> dict[str, str]:
    """Add the current trace context to carrier (W3C traceparent) and return it.

    The same as opentelemetry.propagate.inject(carrier), written out: version 00, the trace id (32 hex digits),
    the id of the current span, which becomes the callee's parent (16 hex digits), and the flags (01: sampled).
    """
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        carrier["traceparent"] = f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"
    return carrier
