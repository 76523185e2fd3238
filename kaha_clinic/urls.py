"""URLs of the billing API; a site mounts them under `api/` (see docs/clinic-server.md)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from kaha_clinic.views import BillViewSet

app_name = "kaha_clinic"

router = SimpleRouter()
router.register("billing", BillViewSet, basename="bill")
urlpatterns = router.urls
