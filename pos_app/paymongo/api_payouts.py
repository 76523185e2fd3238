"""Payouts: list them in cursor pages (fact sheet section 19.9).

The paths ``GET /v1/payouts`` and ``GET /v1/payouts/{id}`` are PayMongo's reference outline
[L-M]; there is no documented list of one payout's payments, so callers match payments to a
payout through each payment's ``payout`` field.
"""

from __future__ import annotations

from collections.abc import Iterator

from pos_app.paymongo._base import ApiSection
from pos_app.paymongo.api_payments import MAX_PAGE_SIZE, _all_pages, _page_params
from pos_app.paymongo.models import Page
from pos_app.paymongo.models.payouts import Payout


class PayoutsApi(ApiSection):
    def list_payouts(
        self, *, limit: int = 10, after: str | None = None, before: str | None = None
    ) -> Page[Payout]:
        """One page of payouts, newest first."""
        answer = self._http.request("GET", "/v1/payouts", params=_page_params(limit, after, before))
        return Page.from_answer(answer, Payout.from_json)

    def iter_payouts(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[Payout]:
        def fetch(after: str | None) -> Page[Payout]:
            return self.list_payouts(limit=page_size, after=after)

        yield from _all_pages(fetch)
