def p99_by_route() -> str:
    """A PromQL query: the 99th percentile latency over the last minute, one value per route."""
    # Add up the buckets of every series of a route (instances, methods, codes) first, keeping `le`.
    return "histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[1m])))"
