"""What only the Django app has: ties in updated_at, its admin, and the demo command."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaha_clinic.models import Bill, Clinic, IdempotentAnswer, Patient, Refund
from tests.contract.backends import DjangoSide
from tests.contract.test_reading import CLEANING

pytestmark = pytest.mark.django_db


def _token_client() -> Client:
    from kaha_clinic.demo.seed import ensure_counter_token

    ensure_counter_token("tok_django_app_tests")
    return Client(headers={"Authorization": "Token tok_django_app_tests"})


def test_pages_split_bills_sharing_one_updated_at_without_gaps() -> None:
    side = DjangoSide()
    ids = [side.add_bill(CLEANING) for _ in range(7)]
    instant = timezone.now().replace(microsecond=500_000)
    Bill.objects.filter(pk__in=ids).update(updated_at=instant)  # update() skips auto_now
    client = _token_client()
    seen: list[int] = []
    url: str | None = "/api/billing/?page_size=3"
    while url is not None:
        page: dict[str, Any] = client.get(url).json()
        seen.extend(bill["id"] for bill in page["results"])
        url = page["next"]
    assert seen == sorted(ids)  # same updated_at: id breaks the tie, every bill once
    before = (instant - timedelta(microseconds=1)).isoformat()
    assert client.get("/api/billing/", {"updated_since": before}).json()["count"] == 7
    assert client.get("/api/billing/", {"updated_since": instant.isoformat()}).json()["count"] == 0


def test_admin_changelists_and_a_bill_page_render_for_staff(admin_client: Client) -> None:
    side = DjangoSide()
    bill_id = side.add_bill(CLEANING)
    Bill.objects.filter(pk=bill_id).update(amount_paid=Decimal("3500.00"), status="paid")
    Refund.objects.create(bill_id=bill_id, amount=Decimal("500.00"), method="gcash")
    IdempotentAnswer.objects.create(key="k", fingerprint="f", status_code=200, body="{}")
    for model in (Bill, Refund, IdempotentAnswer, Patient, Clinic):
        url = reverse(f"admin:kaha_clinic_{model._meta.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(reverse("admin:kaha_clinic_bill_change", args=[bill_id]))
    assert page.status_code == 200
    assert b"500.00" in page.content
    assert b"gcash" in page.content


def test_the_demo_command_serves_the_api_with_the_given_token() -> None:
    command = [sys.executable, "-m", "kaha_clinic.demo", "--port", "0", "--token", "tok_demo1",
               "--bills", "25"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as demo:
        try:
            assert demo.stdout is not None
            first = demo.stdout.readline()
            assert first.startswith("Clinic server:"), first
            url = first.split()[2]
            headers = {"Authorization": "Token tok_demo1"}
            page = httpx.get(url + "/api/billing/", headers=headers, timeout=10).json()
            assert page["count"] == 25
            assert httpx.get(url + "/api/billing/", timeout=10).status_code == 401
        finally:
            demo.terminate()
            demo.wait(timeout=20)


def test_an_idempotency_key_longer_than_its_column_is_400() -> None:
    bill_id = DjangoSide().add_bill(CLEANING)
    response = _token_client().patch(
        f"/api/billing/{bill_id}/",
        data={"payment_method": "cash"},
        content_type="application/json",
        headers={"Idempotency-Key": "k" * 256},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Idempotency-Key must be at most 255 characters."}
    assert Bill.objects.get(pk=bill_id).payment_method is None


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?outcome=paid", "Payment sent"),
        ("?outcome=failed", "Payment not completed"),
        ("", "Payment finished"),  # a payment intent's single return address: the counter says
    ],
)
def test_the_payment_finished_page_tells_the_patients_phone_without_a_login(
    query: str, said: str
) -> None:
    # where PayMongo sends the phone back when the counter has no page of the clinic's own
    page = Client().get(reverse("kaha_clinic:payment-finished") + query)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert f"<h1>{said}</h1>" in page.content.decode()
    assert reverse("kaha_clinic:payment-finished") == "/api/payment-finished/"


def test_the_payment_finished_page_only_answers_get() -> None:
    assert Client().post("/api/payment-finished/").status_code == 405
