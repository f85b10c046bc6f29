def crossing_calls(calls: list[dict], split: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in calls:
        if split[call["caller"]] != split[call["callee"]]:
            counts[call["use_case"]] = counts.get(call["use_case"], 0) + 1
    return counts


def longest_chain(calls: list[dict], split: dict[str, str]) -> dict[str, int]:
    by_id = {call["id"]: call for call in calls}

    def hops(call: dict | None) -> int:
        # walk up to the entry: every step that changes service is one hop the request waits on
        total = 0
        while call is not None:
            total += split[call["caller"]] != split[call["callee"]]
            call = by_id.get(call["parent"])
        return total

    longest: dict[str, int] = {}
    for call in calls:
        longest[call["use_case"]] = max(longest.get(call["use_case"], 0), hops(call))
    return longest
