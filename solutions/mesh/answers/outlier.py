# Eject an instance after 3 errors in a row, for 10 s (longer each time it is ejected again, 20 s at most),
# checking every second; never more than half of a cluster. Circuit breakers cap connections, queued
# requests and retries (a budget: a quarter of the requests in flight, at least 5) per cluster.
def cluster_policy(upstream):
    return {
        "outlier_detection": {
            "consecutive_5xx": 3,
            "interval": "1s",
            "base_ejection_time": "10s",
            "max_ejection_time": "20s",
            "max_ejection_percent": 50,
        },
        "circuit_breakers": {
            "thresholds": [
                {
                    "max_connections": 64,
                    "max_pending_requests": 32,
                    "max_requests": 64,
                    "retry_budget": {"budget_percent": {"value": 25.0}, "min_retry_concurrency": 5},
                }
            ]
        },
    }
