"""Exercise 1: the order saga's state machine. The orchestrator (orders) calls transition for every event."""

# What undoes each step, once it has been done.
COMPENSATION = {}


def transition(state, event):
    """Return (new_state, steps_to_send) for the saga in `state` that receives `event`.

    A new order is in state "NEW" and gets the event "start". Steps you can send: "reserve", "charge" (both at
    once is fine), and the compensations "release" and "refund". Replies: "reserved" or "out_of_stock" (from
    inventory), "charged" or "declined" (from payment), "released", "refunded". End in "APPROVED" or "REJECTED".
    An event that the state does not expect changes nothing: return (state, [])."""
    return state, []
