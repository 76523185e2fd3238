"""Django app configuration for kaha_clinic."""

from __future__ import annotations

from django.apps import AppConfig


class KahaClinicConfig(AppConfig):
    name = "kaha_clinic"
    verbose_name = "Kaha billing"
    default_auto_field = "django.db.models.BigAutoField"
