"""Replaying the shop's workload and measuring a split: used by the chapter, the checks and the tests.

A *trace* is what the monolith recorded (GET /trace): `entry` events (a use case's request enters a
capability), `call` events (one capability calls another; `parent` is the call it happened in, None when
the entry capability made it) and `table` events (a capability read or wrote a table).
A *split* maps every capability to the name of the service it goes to.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
CAPABILITIES = ["catalog", "cart", "order", "payment", "inventory", "shipping", "customer"]


# ---- the workload -----------------------------------------------------------------------------------------------
def load_workload(path: str | Path | None = None) -> list[dict[str, Any]]:
    return json.loads(Path(path or HERE / "workload.json").read_text())["use_cases"]


def replay(base_url: str, use_cases: list[dict[str, Any]], timeout: float = 15) -> dict[str, Any]:
    """Send every use case's requests to the monolith and return the trace it recorded meanwhile."""
    saved: dict[str, Any] = {}
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        client.delete("/trace").raise_for_status()
        for case in use_cases:
            for step in case.get("setup", []):
                _send(client, step, saved, use_case=None)
            for step in case["steps"]:
                _send(client, step, saved, use_case=case["name"])
        trace = client.get("/trace")
        trace.raise_for_status()
    return trace.json()


def _send(client: httpx.Client, step: dict[str, Any], saved: dict[str, Any], use_case: str | None) -> None:
    headers = {"X-Use-Case": use_case} if use_case else {}
    body = {k: v.format(**saved) if isinstance(v, str) else v for k, v in step.get("json", {}).items()}
    answer = client.request(step["method"], step["path"].format(**saved), json=body or None, headers=headers)
    if answer.status_code >= 400:
        raise RuntimeError(f"{step['method']} {step['path']} ({use_case or 'setup'}) answered {answer.status_code}")
    if "save" in step:
        saved[step["save"]] = answer.json()[step["save"]]


def calls(trace: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in trace["events"] if e["kind"] == "call"]


def use_cases(trace: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(e["use_case"] for e in trace["events"] if e["kind"] == "entry"))


# ---- tools for exercise 1 ---------------------------------------------------------------------------------------
def index_calls(call_events: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Every call event by its id: how a call's `parent` is found."""
    return {e["id"]: e for e in call_events}


def lineage(call: dict[str, Any], index: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls `call` happened inside, from the request's start down to `call` itself (the last one)."""
    line = [call]
    while line[-1]["parent"] is not None and line[-1]["parent"] in index:
        line.append(index[line[-1]["parent"]])
    return line[::-1]


# ---- the measures -----------------------------------------------------------------------------------------------
def _per_use_case(call_events: list[dict[str, Any]], split: dict[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    # The course's own crossing and chain counts, for the rule table and the checks. Exercise 1 asks a learner
    # to write both as functions of their own, so the kit offers tools (above) but no function to copy.
    crossing: dict[str, int] = {}
    hops: dict[int, int] = {}
    chain: dict[str, int] = {}
    for e in sorted(call_events, key=lambda e: e["id"]):  # a parent is recorded before the calls made inside it
        hop = int(split[e["caller"]] != split[e["callee"]])
        crossing[e["use_case"]] = crossing.get(e["use_case"], 0) + hop
        hops[e["id"]] = hop + (hops.get(e["parent"], 0) if e["parent"] is not None else 0)
        chain[e["use_case"]] = max(chain.get(e["use_case"], 0), hops[e["id"]])
    return crossing, chain


def cycles(edges: dict[tuple[str, str], int]) -> list[list[str]]:
    """Groups of services that depend on each other in a circle (strongly connected, more than one service)."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def measure(trace: dict[str, Any], split: dict[str, str]) -> dict[str, Any]:
    """Everything the chapter and the checks judge a split by."""
    missing = [c for c in CAPABILITIES if c not in split]
    if missing:
        raise ValueError(f"the split does not place {', '.join(missing)}")
    evs = calls(trace)
    edges: dict[tuple[str, str], int] = {}
    for e in evs:
        a, b = split[e["caller"]], split[e["callee"]]
        if a != b:
            edges[(a, b)] = edges.get((a, b), 0) + 1
    touched: dict[str, dict[str, set[str]]] = {}
    for e in trace["events"]:
        if e["kind"] == "table":
            touched.setdefault(e["table"], {}).setdefault(split[e["capability"]], set()).add(e["mode"])
    cases = use_cases(trace)
    crossing, chain = _per_use_case(evs, split)
    return {
        "services": sorted(set(split[c] for c in CAPABILITIES)),
        "crossing": {uc: crossing.get(uc, 0) for uc in cases},
        "chain": {uc: chain.get(uc, 0) for uc in cases},
        "edges": edges,
        "cycles": cycles(edges),
        "tables": {t: {s: "+".join(sorted(m)) for s, m in by.items()} for t, by in sorted(touched.items())},
        "shared": {t: sorted(by) for t, by in sorted(touched.items()) if len(by) > 1},
    }


# ---- judging a split --------------------------------------------------------------------------------------------
RULES = {"min_services": 3, "max_crossing": 4, "max_chain": 1}


def judge(m: dict[str, Any], rules: dict[str, int] | None = None) -> list[tuple[str, bool, str]]:
    """(rule, kept?, what was measured) for every rule."""
    r = {**RULES, **(rules or {})}
    worst_crossing = max(m["crossing"].items(), key=lambda kv: kv[1], default=("-", 0))
    worst_chain = max(m["chain"].items(), key=lambda kv: kv[1], default=("-", 0))
    return [
        (
            f"at least {r['min_services']} services",
            len(m["services"]) >= r["min_services"],
            f"{len(m['services'])}: {', '.join(m['services'])}",
        ),
        (
            "every table belongs to one service",
            not m["shared"],
            "; ".join(f"{t} is used by {' and '.join(s)}" for t, s in m["shared"].items()) or "none shared",
        ),
        (
            "no dependency cycle",
            not m["cycles"],
            "; ".join(" <-> ".join(c) for c in m["cycles"]) or "none",
        ),
        (
            f"at most {r['max_crossing']} crossing calls per use case",
            worst_crossing[1] <= r["max_crossing"],
            f"most: {worst_crossing[1]} ({worst_crossing[0]})",
        ),
        (
            f"synchronous chains of at most {r['max_chain']} hop(s)",
            worst_chain[1] <= r["max_chain"],
            f"longest: {worst_chain[1]} ({worst_chain[0]})",
        ),
    ]


# ---- showing a split --------------------------------------------------------------------------------------------
def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def draw(ax: Any, m: dict[str, Any], split: dict[str, str], title: str = "") -> None:
    """The services on a circle, an arrow per dependency (width: calls in the workload), cycles in red."""
    services = m["services"]
    n = len(services)
    pos = {
        s: (math.cos(2 * math.pi * i / n + math.pi / 2), math.sin(2 * math.pi * i / n + math.pi / 2))
        for i, s in enumerate(services)
    }
    in_cycle = {s for c in m["cycles"] for s in c}
    most = max(m["edges"].values(), default=1)
    for (a, b), count in m["edges"].items():
        red = a in in_cycle and b in in_cycle
        ax.annotate(
            "",
            xy=pos[b],
            xytext=pos[a],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "tab:red" if red else "tab:blue",
                "lw": 1 + 3 * count / most,
                "shrinkA": 28,
                "shrinkB": 28,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
        (x1, y1), (x2, y2) = pos[a], pos[b]
        # the middle of matplotlib's arc3 curve: two opposite arrows get their labels on different sides
        mid = ((x1 + x2) / 2 + 0.075 * (y2 - y1), (y1 + y2) / 2 - 0.075 * (x2 - x1))
        ax.text(mid[0], mid[1], str(count), fontsize=8, color="dimgrey", ha="center", va="center")
    for s, (x, y) in pos.items():
        members = "\n".join(c for c in CAPABILITIES if split[c] == s)
        shared = any(s in owners for owners in m["shared"].values())
        ax.text(
            x,
            y,
            f"{s}\n({members})" if members != s else s,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round", "fc": "mistyrose" if shared else "honeydew", "ec": "grey"},
        )
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
