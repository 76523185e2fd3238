"""The PayMongo test-card table (fact sheet §13.1, legacy/QA table) and card validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CardKind = Literal[
    "success",  # paid without authentication
    "three_ds",  # must pass the 3DS page, then paid
    "three_ds_optional",  # 3DS only when the intent asks for it ("any"), else paid at once
    "decline",  # declined at attach with `failed_code`
    "decline_before_auth",  # 3DS card declined before authentication
    "decline_after_auth",  # 3DS page passes, then declined
    "hold_uncancellable",  # manual-capture hold whose cancel fails with resource_failed_state
    "hold_uncancellable_3ds",
]


@dataclass(frozen=True)
class TestCard:
    kind: CardKind
    failed_code: str | None = None
    country: str = "US"


_SUCCESS = ["4343434343434345", "4571736000000075", "5555444444444457", "5455590000000009"]
_SUCCESS += ["5339080000000003"]
_SUCCESS_PH = ["4009930000001421", "4404520000001439", "5240050000001440", "5577510000001446"]
_DECLINES = {
    "4200000000000018": ("card_expired", "US"),
    "4300000000000017": ("cvc_invalid", "US"),
    "4400000000000016": ("generic_decline", "US"),
    "4028220000001457": ("generic_decline", "PH"),
    "4500000000000015": ("fraudulent", "US"),
    "5100000000000198": ("insufficient_funds", "US"),
    "5240460000001466": ("insufficient_funds", "PH"),
    "5200000000000197": ("processor_blocked", "US"),
    "5300000000000196": ("lost_card", "US"),
    "5483530000001462": ("lost_card", "PH"),
    "5400000000000195": ("stolen_card", "US"),
    "5500000000000194": ("processor_unavailable", "US"),
    "4600000000000014": ("blocked", "US"),
}

TEST_CARDS: dict[str, TestCard] = {
    **{number: TestCard("success") for number in _SUCCESS},
    **{number: TestCard("success", country="PH") for number in _SUCCESS_PH},
    **{number: TestCard("decline", code, country) for number, (code, country) in _DECLINES.items()},
    "4120000000000007": TestCard("three_ds"),
    "4230000000000004": TestCard("decline_before_auth", "generic_decline"),
    "5234000000000106": TestCard("decline_after_auth", "generic_decline"),
    "5123000000000001": TestCard("three_ds_optional"),
    "5417881844647288": TestCard("hold_uncancellable"),
    "5417886761138807": TestCard("hold_uncancellable_3ds"),
}

FAILED_MESSAGES = {
    "card_expired": "The card used is already expired.",
    "cvc_invalid": "The CVC/CVN entered is invalid.",
    "generic_decline": "The payment failed to be processed due to unknown reasons.",
    "fraudulent": "The payment was blocked because it was flagged as potentially fraudulent.",
    "insufficient_funds": "The card used has insufficient funds.",
    "processor_blocked": "The payment was blocked by the processor.",
    "lost_card": "The card used has been reported lost.",
    "stolen_card": "The card used has been reported stolen.",
    "processor_unavailable": "The payment processor is not available right now.",
    "blocked": "The payment was blocked by PayMongo's fraud engine.",
}


def failed_message(code: str) -> str:
    return FAILED_MESSAGES.get(code, f"The payment failed ({code}).")


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_for(number: str) -> TestCard:
    """Behaviour of a card number; Luhn-valid numbers outside the table simply succeed."""
    return TEST_CARDS.get(number, TestCard("success"))


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or number.startswith("2"):
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "jcb" if number.startswith("35") else "unknown"
