"""Fake clinic records server: the billing API of clinic-backend.md with demo data and controls."""

from pos_sandbox.clinic.app import create_clinic_app
from pos_sandbox.clinic.state import Answer, Arrival, ClinicState

__all__ = ["Answer", "Arrival", "ClinicState", "create_clinic_app"]
