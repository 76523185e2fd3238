"""What the queue says while the payment panel holds a bill, so the receptionist always knows
which bill an open payment belongs to and what frees the counter. Pure text; GUI thread only
by use."""

from __future__ import annotations

from pos_app.domain.bill import Bill


def hold_notice(bill: Bill, *, starting: bool, paid: bool, form: bool) -> str:
    """One or two sentences naming the held bill and the key that lets the counter move on.
    ``form``: the cash or card form is open (nothing was sent yet)."""
    who = f"bill {bill.number} · {bill.patient.full_name}"
    if paid:
        return f"Paid: {who}. Press Next patient (F12) to choose the next bill."
    if starting:
        return f"Preparing a payment for {who}. The queue waits until it is on screen."
    if form:
        return (
            f"Collecting for {who}. Finish, or go back (Ctrl+Backspace), "
            "before choosing another bill."
        )
    return (
        f"Payment open for {who}. Wait for the patient, or cancel it (Esc), "
        "before choosing another bill."
    )
