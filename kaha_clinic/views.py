"""The billing API views: list and read bills, write payment results and refunds back.

Authentication is DRF's TokenAuthentication only (401 `{"detail": ...}` without a valid token),
whatever the site's REST_FRAMEWORK defaults say, so the contract does not depend on them.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from kaha_clinic import writes
from kaha_clinic.models import Bill, BillStatus
from kaha_clinic.serializers import BillSerializer

# An unencoded "+08:00" in a query string arrives as " 08:00"; read it as the client meant it.
_OFFSET_SPACE = re.compile(r" (\d{2}:?\d{2})$")


MAX_KEY = 255


class BillPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class BillFilter(forms.Form):
    """The list's query parameters, with Django's (and django-filter's) own error wording."""

    updated_since = forms.DateTimeField(required=False)
    status = forms.ChoiceField(choices=BillStatus.choices, required=False)


class BillViewSet(viewsets.GenericViewSet[Bill]):
    """GET /billing/, GET and PATCH /billing/<id>/, POST /billing/<id>/refunds/."""

    serializer_class = BillSerializer
    pagination_class = BillPagination
    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)
    parser_classes = (JSONParser,)
    renderer_classes = (JSONRenderer,)

    def get_queryset(self) -> QuerySet[Bill]:
        return (
            Bill.objects.select_related("patient", "clinic")
            .prefetch_related("lines")
            .order_by("updated_at", "id")
        )

    def list(self, request: Request) -> Response:
        params = request.query_params.dict()
        if since := params.get("updated_since"):
            params["updated_since"] = _OFFSET_SPACE.sub(r"+\1", since)
        query = BillFilter(params)
        if not query.is_valid():
            raise ValidationError(_messages(query))
        bills = Bill.objects.order_by("updated_at", "id")
        if (since_moment := query.cleaned_data.get("updated_since")) is not None:
            bills = bills.filter(updated_at__gt=since_moment)
        if wanted := query.cleaned_data.get("status"):
            bills = bills.filter(status=wanted)
        # Page over ids alone, then load that page whole: an OFFSET over the joined query made
        # the database join every skipped row, so a full pull grew with the square of the bills.
        page_ids = self.paginate_queryset(bills.values_list("id", flat=True)) or []
        loaded = {bill.pk: bill for bill in self.get_queryset().filter(pk__in=page_ids)}
        page = [loaded[bill_id] for bill_id in page_ids if bill_id in loaded]  # gone meanwhile
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        bill = self.get_queryset().filter(pk=_bill_id(pk)).first()
        if bill is None:
            raise NotFound()  # "Not found." (get_object_or_404 would name the model)
        return Response(self.get_serializer(bill).data)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        code, body = writes.patch_payment(_bill_id(pk), request.data, _key(request))
        return Response(body, status=code)

    @action(detail=True, methods=["post"])
    def refunds(self, request: Request, pk: str | None = None) -> Response:
        code, body = writes.add_refund(_bill_id(pk), request.data, _key(request))
        return Response(body, status=code)


def _key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and len(key) > MAX_KEY:
        # The stored key's column; PostgreSQL would otherwise refuse it with a 500.
        raise ValidationError({"detail": f"Idempotency-Key must be at most {MAX_KEY} characters."})
    return key


def _bill_id(pk: str | None) -> int:
    if pk is None or not pk.isdigit() or len(pk) > 18:
        raise NotFound()
    return int(pk)


def _messages(query: forms.Form) -> dict[str, list[str]]:
    return {name: [str(message) for message in errors] for name, errors in query.errors.items()}
