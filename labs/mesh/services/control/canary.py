"""Exercise mesh.canary: how much of pricing's traffic goes to the new version v2.

Every second the control plane reads, from pricing's own sidecars, how many requests each version answered and
how many of those were errors (5xx) since the canary began (every attempt, also those a retry hid from users),
and calls weights(stats) with
    {"v1": {"requests": 812, "errors": 0}, "v2": {"requests": 88, "errors": 1}}
It routes pricing's traffic by the weights you return, e.g. {"v1": 90, "v2": 10}. As shipped, v2 gets nothing.
"""


def weights(stats):
    return {"v1": 100, "v2": 0}
