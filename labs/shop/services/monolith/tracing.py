"""What the shop records about itself while it runs: which capability calls which, and which tables each touches.

Every public function of a capability module carries @traced. A call from one capability into another is one
event; calls inside a capability are not (they never cross a boundary, whatever the split). The table touches
come from SQLite itself (db.py), so no module can forget to report one.
"""

import contextvars
import functools
import itertools
import threading

# (use case, request number) of the request being served; None outside a traced request
_request: contextvars.ContextVar = contextvars.ContextVar("request", default=None)
# the capabilities on the call stack: ((capability, id of the call event that entered it), ...)
_stack: contextvars.ContextVar = contextvars.ContextVar("stack", default=())

_lock = threading.Lock()
_ids = itertools.count(1)
_requests = itertools.count(1)
EVENTS: list[dict] = []
_seen_tables: set[tuple] = set()


def begin_request(use_case: str | None) -> None:
    _request.set((use_case, next(_requests)) if use_case else None)
    _stack.set(())


def current_capability() -> str | None:
    stack = _stack.get()
    return stack[-1][0] if stack else None


def traced(fn):
    capability = fn.__module__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        request = _request.get()
        stack = _stack.get()
        parent = stack[-1] if stack else None
        event_id = parent[1] if parent else None
        if request is not None:
            if parent is None:
                _record(kind="entry", use_case=request[0], request=request[1], capability=capability, op=fn.__name__)
            elif parent[0] != capability:
                event_id = next(_ids)
                _record(
                    kind="call",
                    use_case=request[0],
                    request=request[1],
                    id=event_id,
                    parent=parent[1],
                    caller=parent[0],
                    callee=capability,
                    op=fn.__name__,
                )
        token = _stack.set((*stack, (capability, event_id)))
        try:
            return fn(*args, **kwargs)
        finally:
            _stack.reset(token)

    return wrapper


def table_touched(table: str, mode: str) -> None:
    request = _request.get()
    capability = current_capability()
    if request is None or capability is None:
        return
    key = (request[1], capability, table, mode)
    with _lock:
        if key in _seen_tables:
            return
        _seen_tables.add(key)
    _record(kind="table", use_case=request[0], request=request[1], capability=capability, table=table, mode=mode)


def _record(**event) -> None:
    with _lock:
        EVENTS.append(event)


def clear() -> None:
    with _lock:
        EVENTS.clear()
        _seen_tables.clear()
