"""Hosted test pages: what a patient's phone opens from the QR, the e-wallet/3DS redirect, the
source checkout_url, and the checkout-session / link page.

Plain HTML forms that work without JavaScript; buttons "Authorize Test Payment" and
"Fail Test Payment" POST back to the same URL. Threading contract: handlers take
`PayMongoState.lock` for every read and change.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from pos_sandbox.paymongo import sessions
from pos_sandbox.paymongo.errors import ApiError
from pos_sandbox.paymongo.state import PayMongoState

Json = dict[str, Any]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f3f5f9;
color:#1d2433}
main{max-width:28rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:.2rem 0 1rem}.amount{font-size:2rem;font-weight:700;margin:.5rem 0}
.muted{color:#5b6478;font-size:.9rem}.banner{background:#ffcc00;text-align:center;font-weight:700;
padding:.4rem;letter-spacing:.08em}
button{display:block;width:100%;padding:.9rem;margin:.6rem 0;font-size:1.05rem;border:0;
border-radius:8px;cursor:pointer}
.ok{background:#1f8f4e;color:#fff}.bad{background:#fff;color:#b42318;border:2px solid #b42318}
label{display:block;margin:.5rem 0 .2rem;font-size:.9rem}
input,select{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #c5cad6;
border-radius:6px}
img.qr{display:block;margin:1rem auto;width:14rem;height:14rem;image-rendering:pixelated}
"""

_METHOD_NAMES = {
    "card": "Card",
    "gcash": "GCash",
    "paymaya": "Maya",
    "grab_pay": "GrabPay",
    "qrph": "QR Ph",
    "shopeepay": "ShopeePay",
    "shopee_pay": "ShopeePay",
    "dob": "BPI online",
    "brankas": "Bank transfer",
    "billease": "BillEase",
}


def _peso(centavos: int) -> str:
    return f"₱{centavos // 100:,}.{centavos % 100:02d}"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<div class='banner'>PAYMONGO SANDBOX · TEST MODE</div>"
        f"<main><div class='card'>{body}</div></main></body></html>"
    )
    return HTMLResponse(document, status_code=status)


_BUTTONS = (
    "<button class='ok' type='submit' name='action' value='authorize'>Authorize Test Payment"
    "</button><button class='bad' type='submit' name='action' value='fail'>Fail Test Payment"
    "</button>"
)


def _card_fields() -> str:
    fields = [
        ("card_number", "Card number", "4343434343434345"),
        ("exp_month", "Expiry month", "12"),
        ("exp_year", "Expiry year", "2030"),
        ("cvc", "CVC", "123"),
    ]
    return "".join(
        f"<label for='{name}'>{label}</label><input id='{name}' name='{name}' value='{value}'"
        " inputmode='numeric'>"
        for name, label, value in fields
    )


def _form_for(obj: Json, store_view: Json) -> str:
    kind, attributes = obj["type"], obj["attributes"]
    amount = _peso(attributes.get("amount") or store_view.get("amount", 0))
    heading = {
        "payment_intent": "Complete your payment",
        "source": "Authorize e-wallet payment",
        "checkout_session": "Checkout",
        "link": "Pay link",
    }[kind]
    parts = [f"<h1>{heading}</h1><div class='amount'>{amount}</div>"]
    description = attributes.get("description")
    if description:
        parts.append(f"<p class='muted'>{html.escape(description)}</p>")
    next_action = attributes.get("next_action") or {}
    if next_action.get("type") == "consume_qr":
        image = html.escape(next_action["code"]["image_url"], quote=True)
        parts.append(f"<img class='qr' alt='QR Ph code' src='{image}'>")
        parts.append(f"<p class='muted'>QR Ph code expires {next_action['code']['expires_at']}</p>")
    elif next_action.get("type") == "redirect":
        parts.append("<p class='muted'>Test authentication page (3D Secure / e-wallet).</p>")
    parts.append("<form method='post'>")
    if kind in {"checkout_session", "link"}:
        types = attributes.get("payment_method_types") or ["card", "gcash", "paymaya", "qrph"]
        options = "".join(f"<option value='{t}'>{_METHOD_NAMES.get(t, t)}</option>" for t in types)
        parts.append(
            f"<label for='method'>Pay with</label><select id='method' name='method'>"
            f"{options}</select>{_card_fields()}"
        )
    parts.append(_BUTTONS + "</form>")
    return "".join(parts)


def _amount_of(state: PayMongoState, obj: Json) -> Json:
    if obj["type"] == "checkout_session":
        intent = state.store.objects[obj["private"]["payment_intent_id"]]
        return {"amount": intent["attributes"]["amount"]}
    return {}


def _payable(obj: Json) -> bool:
    status = obj["attributes"].get("status")
    payable: dict[str, bool] = {
        "payment_intent": status == "awaiting_next_action",
        "source": status == "pending",
        "checkout_session": status == "active",
        "link": status == "unpaid" and not obj["attributes"].get("archived"),
    }
    return payable.get(obj["type"], False)


def _lookup(state: PayMongoState, object_id: str) -> Json | None:
    obj = state.store.find(object_id)
    if obj is None or obj["type"] not in {"payment_intent", "source", "checkout_session", "link"}:
        return None
    return obj


async def show(request: Request) -> Response:
    state: PayMongoState = request.app.state.paymongo
    with state.lock:
        state.tick()
        obj = _lookup(state, request.path_params["id"])
        if obj is None:
            return _page("Not found", "<h1>Payment not found</h1>", 404)
        if not _payable(obj):
            status = html.escape(str(obj["attributes"].get("status")))
            return _page(
                "Not payable",
                f"<h1>This payment can no longer be completed</h1>"
                f"<p class='muted'>Status: {status}</p>",
                409,
            )
        return _page("Sandbox payment", _form_for(obj, _amount_of(state, obj)))


def _card_details(form: dict[str, str]) -> Json:
    def number(name: str) -> int | str:
        value = form.get(name, "").strip()
        return int(value) if value.isdigit() else value

    return {
        "card_number": form.get("card_number", "").replace(" ", ""),
        "exp_month": number("exp_month"),
        "exp_year": number("exp_year"),
        "cvc": form.get("cvc", "").strip(),
    }


def _act(state: PayMongoState, obj: Json, form: dict[str, str]) -> tuple[bool, str]:
    """Apply the button; returns (authorized, message)."""
    authorize = form.get("action") == "authorize"
    kind = obj["type"]
    if kind in {"checkout_session", "link"}:
        if not authorize:
            return False, "Payment was not completed."
        method = form.get("method") or "card"
        if kind == "checkout_session" and method == "card" and form.get("card_number"):
            declined = sessions.pay_session_with_card(state.store, obj, _card_details(form))
            if declined is not None:
                return False, f"Your card was declined ({declined})."
        elif kind == "link":
            sessions.pay_link(state.store, obj, method)
        else:
            sessions.pay_session(state.store, obj, method)
        return True, "Payment successful."
    if authorize:
        was_qr = obj["private"].get("action") == "qrph"
        state.settle(obj["id"])
        three_ds = obj["type"] == "payment_intent" and obj["attributes"]["status"] != "succeeded"
        if three_ds and obj["attributes"]["status"] == "awaiting_payment_method":
            return False, "Your payment was declined."
        if kind != "payment_intent":
            return True, "Authorized."
        return True, "Payment successful." if was_qr else "Authentication Complete."
    state.fail(obj["id"])
    return False, "Authentication failed or canceled."


async def submit(request: Request) -> Response:
    state: PayMongoState = request.app.state.paymongo
    # Browsers post application/x-www-form-urlencoded; parsed here without python-multipart.
    body = await request.body()
    form = {
        key: values[0] for key, values in parse_qs(body[:65536].decode("utf-8", "replace")).items()
    }
    with state.lock:
        state.tick()
        obj = _lookup(state, request.path_params["id"])
        if obj is None:
            return _page("Not found", "<h1>Payment not found</h1>", 404)
        if not _payable(obj):
            return _page("Expired", "<h1>This payment can no longer be completed</h1>", 409)
        try:
            ok, message = _act(state, obj, form)
        except ApiError as error:
            detail = html.escape(error.errors[0]["detail"])
            return _page("Failed", f"<h1>Payment failed</h1><p>{detail}</p>", 409)
        back = obj["private"].get("return_url") or _back_url(obj, ok)
        state.changed.notify_all()
    link = (
        f"<p><a href='{html.escape(back, quote=True)}'>Return to merchant</a></p>" if back else ""
    )
    title = "Payment successful" if ok else "Payment failed"
    return _page(title, f"<h1>{title}</h1><p>{html.escape(message)}</p>{link}")


def _back_url(obj: Json, ok: bool) -> str | None:
    attributes = obj["attributes"]
    if obj["type"] == "source":
        redirect: Json = attributes["redirect"]
        return str(redirect["success" if ok else "failed"])
    if obj["type"] == "checkout_session":
        url = attributes.get("success_url") if ok else attributes.get("cancel_url")
        return str(url) if url else None
    return None


# Where the counter sends the patient's phone after paying in sandbox mode (Kaha's
# payment_finished_url default): a redirect is not proof of payment, so the counter has the word.
_FINISHED = {
    "paid": ("Payment sent", "Your payment was sent. The counter's screen confirms it."),
    "failed": ("Payment not completed", "The payment did not go through; no money was taken."),
}


async def finished(request: Request) -> Response:
    title, words = _FINISHED.get(
        request.query_params.get("outcome", ""),
        ("Payment finished", "You are done on this phone. The counter's screen shows the result."),
    )
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(words)}</p><p class='muted'>"
    return _page(title, body + "You may close this page.</p>")


def page_routes() -> list[Route]:
    return [
        Route("/sandbox/pay/{id}", show, methods=["GET"]),
        Route("/sandbox/pay/{id}", submit, methods=["POST"]),
        Route("/sandbox/payment-finished", finished, methods=["GET"]),
    ]
