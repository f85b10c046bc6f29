# Retry in one place only, close to the failure: catalog's sidecar retries pricing, at most twice (3 attempts
# per request, so a pricing that is down gets no storm). A short per-try timeout turns a slow answer into a
# retry; an overall timeout bounds what a user waits.
def route_policy(upstream):
    if upstream == "pricing":
        return {
            "timeout": "1.5s",
            "retry_policy": {
                "retry_on": "5xx,reset,connect-failure",
                "num_retries": 2,
                "per_try_timeout": "0.3s",
                "retry_back_off": {"base_interval": "0.01s", "max_interval": "0.05s"},
            },
        }
    return {"timeout": "2s"}  # the ingress does not retry catalog: that would multiply the retries below it
