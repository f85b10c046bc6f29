import collections

import httpx


def diagnose(backend_url, since):
    """Name the operation that spends the time itself, from the spans of the traces since `since`."""
    found = httpx.get(f"{backend_url}/api/traces", params={"since": since, "limit": 500}, timeout=30).json()
    own = collections.defaultdict(list)
    for summary in found:
        spans = httpx.get(f"{backend_url}/api/traces/{summary['trace_id']}", timeout=30).json()
        for s in spans:
            # Own time: the span's duration minus the part of it its children cover (children may outlive it,
            # as a consumer's span outlives the publisher's).
            covered = sum(
                max(0.0, min(c["end"], s["end"]) - max(c["start"], s["start"]))
                for c in spans
                if c["parent_span_id"] == s["span_id"]
            )
            own[(s["service"], s["name"])].append(s["end"] - s["start"] - covered)
    # The typical own time of each operation: the median, so a few slow outliers elsewhere do not decide.
    typical = {op: sorted(times)[len(times) // 2] for op, times in own.items()}
    service, operation = max(typical, key=typical.get)
    return {"service": service, "operation": operation}
