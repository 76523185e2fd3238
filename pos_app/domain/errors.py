"""The app's error tree. Every error carries the words a receptionist sees.

``user_message`` is plain, kind and says what to do next; ``detail`` is for the log only and may
hold technical text (never secrets). The UI shows errors through one helper: ``Cancelled`` stays
silent, a ``UserFacingError`` shows its ``user_message``, anything else is logged with its traceback
and shown as a short apology.

::

    PosError                       base; user_message + detail
    ├── Cancelled                  the user or shutdown stopped the work; show nothing
    ├── IllegalTransition          a bug: a state machine was asked to do what it cannot
    ├── StorageError               the local database failed
    └── UserFacingError            safe to show as is
        ├── AmountError            (also a ValueError) an amount that cannot be money here
        ├── DiscountRefused        a senior/PWD discount with bad ID details or after a payment
        ├── ReadingRefused         a shift or X/Z reading that cannot be done now (a second Z)
        ├── PermissionDenied       the signed-in role may not do this
        ├── SignInRefused          wrong name or PIN, kept out after wrong PINs, or turned off
        ├── NotFound               a bill, patient or payment that is not there
        ├── ConfigError            settings missing or wrong
        ├── PaymentProviderError   PayMongo refused or could not be reached
        └── ClinicServerError      the clinic server refused or could not be reached
"""

from __future__ import annotations

__all__ = [
    "AmountError",
    "Cancelled",
    "ClinicServerError",
    "ConfigError",
    "DiscountRefused",
    "IllegalTransition",
    "NotFound",
    "PaymentProviderError",
    "PermissionDenied",
    "PosError",
    "ReadingRefused",
    "SignInRefused",
    "StorageError",
    "UserFacingError",
]

_GENERIC_MESSAGE = (
    "Something went wrong. Please try again, and ask the clinic manager if it keeps happening."
)


class PosError(Exception):
    """Base of every error the app raises on purpose."""

    default_message: str = _GENERIC_MESSAGE

    def __init__(self, user_message: str | None = None, *, detail: str | None = None) -> None:
        self.user_message: str = user_message if user_message is not None else self.default_message
        self.detail: str | None = detail
        super().__init__(self.user_message if detail is None else f"{self.user_message} ({detail})")


class Cancelled(PosError):
    """The work was stopped on purpose (user pressed Cancel, app closing). The UI shows nothing."""

    default_message = "Cancelled."


class IllegalTransition(PosError):
    """A state machine got an event it does not accept in its current state: a bug or a race."""

    default_message = (
        "This payment or refund changed while you were working on it. "
        "Please open the bill again to see where it stands."
    )


class StorageError(PosError):
    """The local database could not read or write."""

    default_message = (
        "The app could not save to its database. Please try again; if it keeps happening, "
        "restart the app and tell the clinic manager."
    )


class UserFacingError(PosError):
    """An error whose ``user_message`` is written to be shown to the receptionist as is."""


class AmountError(UserFacingError, ValueError):
    """An amount that is not valid money here (garbage text, negative, too many decimals)."""

    default_message = "That amount doesn't look right. Type it like 1,500.00."


class DiscountRefused(UserFacingError):
    """A senior/PWD discount that cannot be applied (bad ID details, or money already taken)."""

    default_message = "The discount could not be applied."


class ReadingRefused(UserFacingError):
    """A shift or reading that cannot be done now: a second Z-reading for the day, a shift
    already open, no shift to close."""

    default_message = "That reading cannot be taken now."


class PermissionDenied(UserFacingError):
    """The signed-in role may not do this."""

    default_message = "Your account can't do that. Please ask a staff member or the clinic manager."


class SignInRefused(UserFacingError):
    """A sign-in that did not let the person in (the message says why and what to do)."""

    default_message = "That name and PIN don't match. Please try again."


class NotFound(UserFacingError):
    """The thing asked for is not there (any more)."""

    default_message = (
        "We couldn't find that. It may have been removed; please refresh and try again."
    )


class ConfigError(UserFacingError):
    """Settings are missing or wrong."""

    default_message = (
        "A setting is missing or wrong. Please ask the clinic manager to check Settings."
    )


class PaymentProviderError(UserFacingError):
    """PayMongo refused the request or could not be reached."""

    default_message = (
        "We couldn't reach the payment service. Check the internet connection and try again, "
        "or take the payment in cash."
    )


class ClinicServerError(UserFacingError):
    """The clinic server refused the request or could not be reached."""

    default_message = (
        "We couldn't reach the clinic server. Check the connection and try again in a moment."
    )
