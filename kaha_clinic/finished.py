"""The page a patient's phone lands on after paying by e-wallet or card checkout at the counter.

PayMongo sends the phone back here (Kaha's ``payment_finished_url`` defaults to it when the
counter has a clinic server and no page of the clinic's own). A redirect is not proof of
payment, so the page says what the phone was told and leaves the word to the counter's screen.
No login: the phone is the patient's, and the page shows nothing of the bill.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

_SAID = {
    "paid": (
        "Payment sent",
        "Thank you. Your payment was sent. The front desk's screen confirms it and gives you "
        "your invoice.",
    ),
    "failed": (
        "Payment not completed",
        "The payment did not go through, and no money was taken for it. Please go back to the "
        "front desk to pay another way or try again.",
    ),
}
_UNSURE = (
    "Payment finished",
    "You are done on this phone. The front desk's screen shows whether the payment went "
    "through; please go back to the front desk.",
)


@require_GET
def payment_finished(request: HttpRequest) -> HttpResponse:
    title, words = _SAID.get(request.GET.get("outcome", ""), _UNSURE)
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title></head><body style='font-family:sans-serif;"
        f"max-width:28rem;margin:2rem auto;padding:0 1rem'><h1>{escape(title)}</h1>"
        f"<p>{escape(words)}</p><p>You may close this page.</p></body></html>"
    )
    return HttpResponse(page, content_type="text/html; charset=utf-8")
