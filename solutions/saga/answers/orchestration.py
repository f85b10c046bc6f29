"""Exercise 1: the order saga's state machine. The orchestrator (orders) calls transition for every event."""

# What undoes each step, once it has been done.
COMPENSATION = {"reserve": "release", "charge": "refund"}

# Both steps run at once; each state remembers what has come back so far.
#   state            waiting for           on success                 on failure
TABLE = {
    ("NEW", "start"): ("STARTED", ["reserve", "charge"]),
    ("STARTED", "reserved"): ("RESERVED", []),
    ("STARTED", "charged"): ("CHARGED", []),
    ("STARTED", "out_of_stock"): ("NO_STOCK", []),
    ("STARTED", "declined"): ("DECLINED", []),
    # one step done, the other one answers
    ("RESERVED", "charged"): ("APPROVED", []),
    ("RESERVED", "declined"): ("RELEASING", [COMPENSATION["reserve"]]),
    ("CHARGED", "reserved"): ("APPROVED", []),
    ("CHARGED", "out_of_stock"): ("REFUNDING", [COMPENSATION["charge"]]),
    # one step failed: undo the other if it succeeded
    ("NO_STOCK", "charged"): ("REFUNDING", [COMPENSATION["charge"]]),
    ("NO_STOCK", "declined"): ("REJECTED", []),
    ("DECLINED", "reserved"): ("RELEASING", [COMPENSATION["reserve"]]),
    ("DECLINED", "out_of_stock"): ("REJECTED", []),
    # compensations done
    ("RELEASING", "released"): ("REJECTED", []),
    ("REFUNDING", "refunded"): ("REJECTED", []),
}


def transition(state, event):
    """Return (new_state, steps_to_send) for the saga in `state` that receives `event`.

    A new order is in state "NEW" and gets the event "start". Steps you can send: "reserve", "charge" (both at
    once is fine), and the compensations "release" and "refund". Replies: "reserved" or "out_of_stock" (from
    inventory), "charged" or "declined" (from payment), "released", "refunded". End in "APPROVED" or "REJECTED".
    An event that the state does not expect changes nothing: return (state, [])."""
    new_state, steps = TABLE.get((state, event), (state, []))
    return new_state, list(steps)
