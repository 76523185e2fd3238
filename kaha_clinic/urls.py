"""URLs of the billing API; a site mounts them under `api/` (see docs/clinic-server.md)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from kaha_clinic.finished import payment_finished
from kaha_clinic.views import BillViewSet

app_name = "kaha_clinic"

router = SimpleRouter()
router.register("billing", BillViewSet, basename="bill")
urlpatterns = [
    *router.urls,
    # where the patient's phone lands after paying (kaha_clinic.finished; no login)
    path("payment-finished/", payment_finished, name="payment-finished"),
]
