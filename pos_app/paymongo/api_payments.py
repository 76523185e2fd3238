"""Payment methods, sources, payments and refunds, with cursor pagination as iterators."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pos_app.paymongo._base import (
    ApiSection,
    attributes,
    check_amount,
    check_idempotency_key,
    metadata_json,
    path_id,
)
from pos_app.paymongo.models import (
    Page,
    Payment,
    PaymentMethod,
    Refund,
    RefundReason,
    Source,
    SourceStatus,
)
from pos_app.paymongo.requester import Params

T = TypeVar("T")
MAX_PAGE_SIZE = 100
REFUND_KEY_METADATA = "kaha_idempotency_key"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 ("PH"); PayMongo's key is `country`


@dataclass(frozen=True, slots=True)
class Billing:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            k: v
            for k, v in (("name", self.name), ("email", self.email), ("phone", self.phone))
            if v
        }
        if self.address is not None:
            fields = self.address.__slots__
            data["address"] = {
                f: getattr(self.address, f) for f in fields if getattr(self.address, f)
            }
        return data


def billing_json(billing: Billing | None) -> dict[str, object] | None:
    return None if billing is None else billing.to_json()


class PaymentsApi(ApiSection):
    # --- payment methods ------------------------------------------------------------------
    def create_payment_method(
        self,
        *,
        type: str,
        idempotency_key: str,
        details: Mapping[str, object] | None = None,
        billing: Billing | None = None,
        metadata: Mapping[str, str] | None = None,
        expiry_seconds: int | None = None,
    ) -> PaymentMethod:
        """Create with the public key when one is configured (card data then never needs the
        secret key), else with the secret key. `expiry_seconds`: QR Ph code life, 60-9000."""
        body = attributes(
            type=type,
            details=None if details is None else dict(details),
            billing=billing_json(billing),
            metadata=metadata_json(metadata),
            expiry_seconds=expiry_seconds,
        )
        answer = self._http.request(
            "POST",
            "/v1/payment_methods",
            key="public" if self._http.has_key("public") else "secret",
            body=body,
            idempotency_key=check_idempotency_key(idempotency_key),
        )
        return PaymentMethod.from_answer(answer)

    # --- sources (legacy e-wallet flow) -----------------------------------------------------
    def create_source(
        self,
        *,
        type: str,
        amount: int,
        success_url: str,
        failed_url: str,
        idempotency_key: str,
        currency: str = "PHP",
        billing: Billing | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Source:
        body = attributes(
            type=type,
            amount=check_amount(amount),
            currency=currency,
            redirect={"success": success_url, "failed": failed_url},
            billing=billing_json(billing),
            description=description,
            metadata=metadata_json(metadata),
        )
        answer = self._http.request(
            "POST", "/v1/sources", body=body, idempotency_key=check_idempotency_key(idempotency_key)
        )
        return Source.from_answer(answer)

    def retrieve_source(self, source_id: str) -> Source:
        return Source.from_answer(self._http.request("GET", f"/v1/sources/{path_id(source_id)}"))

    # --- payments ---------------------------------------------------------------------------
    def create_payment(
        self,
        *,
        source_id: str,
        amount: int,
        idempotency_key: str,
        currency: str = "PHP",
        description: str | None = None,
        statement_descriptor: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Payment:
        """Charge a ``chargeable`` source; `amount` must equal the source's amount.

        After an ambiguous failure the source is looked up: once it is ``paid`` the payment
        made from it is found and returned instead of charging again (a second POST would
        only fail with "not chargeable" and hide that the first one succeeded).
        """
        key = check_idempotency_key(idempotency_key)
        body = attributes(
            amount=check_amount(amount),
            currency=currency,
            source={"id": source_id, "type": "source"},
            description=description,
            statement_descriptor=statement_descriptor,
            metadata=metadata_json(metadata),
        )

        def post(deadline: float) -> Payment | None:
            answer = self._http.request(
                "POST",
                "/v1/payments",
                body=body,
                idempotency_key=key,
                resend="unless_acted",
                deadline=deadline,
            )
            return Payment.from_answer(answer)

        payment = self._post_exactly_once(
            post, lambda _: self._payment_from_source(source_id), _is_found, "payment"
        )
        assert payment is not None  # post returns a payment; look-ups return only when found
        return payment

    def _payment_from_source(self, source_id: str) -> Payment | None:
        source = self.retrieve_source(source_id)
        if source.status is not SourceStatus.PAID:
            return None
        payments = self.iter_payments(since=source.created_at)
        return next((p for p in payments if p.source and p.source.id == source_id), None)

    def retrieve_payment(self, payment_id: str) -> Payment:
        return Payment.from_answer(self._http.request("GET", f"/v1/payments/{path_id(payment_id)}"))

    def list_payments(
        self, *, limit: int = 10, after: str | None = None, before: str | None = None
    ) -> Page[Payment]:
        """One page, newest first; `after`/`before` are payment ids (cursors)."""
        answer = self._http.request(
            "GET", "/v1/payments", params=_page_params(limit, after, before)
        )
        return Page.from_answer(answer, Payment.from_json)

    def iter_payments(
        self, *, since: int | None = None, until: int | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Payment]:
        """Every payment created in [since, until] (unix seconds, both optional), page by page.

        PayMongo documents no date filter, so the window is applied here. Lists come newest
        first, so paging stops at the first payment older than `since`, unless the order is
        seen to be otherwise (then every page is read).
        """

        def fetch(after: str | None) -> Page[Payment]:
            return self.list_payments(limit=page_size, after=after)

        yield from _windowed(_all_pages(fetch), lambda p: p.created_at, since, until)

    # --- refunds ----------------------------------------------------------------------------
    def create_refund(
        self,
        *,
        payment_id: str,
        amount: int,
        reason: RefundReason,
        idempotency_key: str,
        notes: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Refund:
        """Refund `amount` centavos of a paid payment, at most once per `idempotency_key`.

        Belt and braces for money going out: the key is also written into the refund's
        metadata (``REFUND_KEY_METADATA``), and after an ambiguous failure the payment's
        refunds are searched for it before anything is re-sent, so even a server that
        ignored Idempotency-Key could not be made to refund twice.
        """
        key = check_idempotency_key(idempotency_key)
        tagged = {**(metadata_json(metadata) or {}), REFUND_KEY_METADATA: key}
        body = attributes(
            payment_id=payment_id,
            amount=check_amount(amount),
            reason=str(RefundReason(reason)),
            notes=notes,
            metadata=tagged,
        )

        def post(deadline: float) -> Refund | None:
            answer = self._http.request(
                "POST",
                "/v1/refunds",
                body=body,
                idempotency_key=key,
                resend="unless_acted",
                deadline=deadline,
            )
            return Refund.from_answer(answer)

        def look_up(deadline: float) -> Refund | None:
            refunds = self.iter_refunds(payment_id=payment_id)
            return next((r for r in refunds if r.metadata.get(REFUND_KEY_METADATA) == key), None)

        refund = self._post_exactly_once(post, look_up, _is_found, "refund")
        assert refund is not None  # post returns a refund; look-ups return only when found
        return refund

    def retrieve_refund(self, refund_id: str) -> Refund:
        return Refund.from_answer(self._http.request("GET", f"/v1/refunds/{path_id(refund_id)}"))

    def list_refunds(
        self,
        *,
        payment_id: str | None = None,
        limit: int = 10,
        after: str | None = None,
        before: str | None = None,
    ) -> Page[Refund]:
        params = dict(_page_params(limit, after, before))
        if payment_id is not None:
            params["payment_id"] = payment_id
        answer = self._http.request("GET", "/v1/refunds", params=params)
        return Page.from_answer(answer, Refund.from_json)

    def iter_refunds(
        self, *, payment_id: str | None = None, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[Refund]:
        def fetch(after: str | None) -> Page[Refund]:
            return self.list_refunds(payment_id=payment_id, limit=page_size, after=after)

        yield from _all_pages(fetch)


def _is_found(found: object) -> bool:
    return found is not None


def _page_params(limit: int, after: str | None, before: str | None) -> Params:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1-{MAX_PAGE_SIZE}")
    params: dict[str, str | int] = {"limit": limit}
    if after is not None:
        params["after"] = path_id(after)
    if before is not None:
        params["before"] = path_id(before)
    return params


class _Listed(Protocol):
    @property
    def id(self) -> str: ...


L = TypeVar("L", bound=_Listed)


def _all_pages(fetch: Callable[[str | None], Page[L]]) -> Iterator[L]:
    after: str | None = None
    while True:
        page = fetch(after)
        yield from page.items
        if not page.has_more or not page.items:
            return
        after = page.items[-1].id


def _windowed(
    items: Iterator[T], created_at: Callable[[T], int], since: int | None, until: int | None
) -> Iterator[T]:
    newest_first = True
    previous: int | None = None
    for item in items:
        moment = created_at(item)
        if previous is not None and moment > previous:
            newest_first = False
        previous = moment
        if since is not None and moment < since:
            if newest_first:
                return
            continue
        if until is None or moment <= until:
            yield item
