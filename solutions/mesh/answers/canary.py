# Start v2 at 10%. Roll back as soon as it has answered enough to judge and fails more than 5% of the time;
# promote once it has answered 30 requests with at most 1% errors. Counts start at the canary's (re)start.
def weights(stats):
    v2 = stats["v2"]
    if v2["requests"] >= 20 and v2["errors"] / v2["requests"] > 0.05:
        return {"v1": 100, "v2": 0}  # roll back
    if v2["requests"] >= 30 and v2["errors"] / v2["requests"] <= 0.01:
        return {"v1": 0, "v2": 100}  # promote
    return {"v1": 90, "v2": 10}
