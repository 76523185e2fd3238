"""The clinic records server's billing API: client, wire types and error tree."""

from pos_app.clinic.client import ClinicClient
from pos_app.clinic.errors import (
    AmountChanged,
    BillCancelled,
    ClinicAuthError,
    ClinicBadAnswer,
    ClinicBusy,
    ClinicConflict,
    ClinicError,
    ClinicNotFound,
    ClinicRefused,
    ClinicUnreachable,
)
from pos_app.clinic.wire import BillPage, Cursor, RemoteBill

__all__ = [
    "AmountChanged",
    "BillCancelled",
    "BillPage",
    "ClinicAuthError",
    "ClinicBadAnswer",
    "ClinicBusy",
    "ClinicClient",
    "ClinicConflict",
    "ClinicError",
    "ClinicNotFound",
    "ClinicRefused",
    "ClinicUnreachable",
    "Cursor",
    "RemoteBill",
]
