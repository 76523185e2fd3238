"""The example site's URLs: the billing API under /api/ and Django's admin under /admin/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("kaha_clinic.urls")),
]
