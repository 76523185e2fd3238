"""The /v1 PayMongo surface (fact sheet §3): thin handlers over the logic modules.

Threading contract: every handler runs under `PayMongoState.lock` (see `api.api_route`).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from pos_sandbox.paymongo import hooks, intents, methods, payments, refunds, sessions, sources
from pos_sandbox.paymongo.api import Call, api_route
from pos_sandbox.paymongo.errors import ApiError, invalid, not_found, unauthorized
from pos_sandbox.paymongo.state import PayMongoState
from pos_sandbox.paymongo.validate import get_str, need_str

Json = dict[str, Any]


def _one(call: Call, obj: Json, *, public: bool = False) -> Json:
    return {"data": call.state.store.render(obj, public=public)}


def _many(call: Call, objs: list[Json], has_more: bool = False) -> Json:
    store = call.state.store
    return {"data": [store.render(obj) for obj in objs], "has_more": has_more}


def _get(call: Call, kind: str) -> Json:
    return call.state.store.get(kind, call.params["id"], call.livemode)


def _check_client_key(intent: Json, client_key: str | None) -> None:
    if client_key is None:
        raise unauthorized("A public key needs the payment intent's client_key.")
    if client_key != intent["attributes"]["client_key"]:
        raise invalid("parameter_invalid", "The client_key does not match.", "client_key")


# payment intents ---------------------------------------------------------------------------
def create_intent(call: Call) -> Json:
    return _one(call, intents.create_intent(call.state.store, call.livemode, call.attrs))


def retrieve_intent(call: Call) -> Json:
    intent = _get(call, "payment_intent")
    if call.caller.public:
        _check_client_key(intent, call.query.get("client_key"))
    return _one(call, intent, public=call.caller.public)


def attach_intent(call: Call) -> Json:
    store = call.state.store
    intent = _get(call, "payment_intent")
    client_key = get_str(call.attrs, "client_key", optional=True)
    if call.caller.public or client_key is not None:
        _check_client_key(intent, client_key)
    method = store.get("payment_method", need_str(call.attrs, "payment_method"), call.livemode)
    return_url = get_str(call.attrs, "return_url", optional=True)
    intents.attach(store, intent, method, return_url, call.base_url)
    error = intent["attributes"]["last_payment_error"]
    decline_status = call.state.config.decline_http_status
    if error is not None and decline_status != 200 and error.get("payment") is not None:
        detail = error["failed_message"]
        raise ApiError(decline_status, [{"code": error["failed_code"], "detail": detail}])
    return _one(call, intent, public=call.caller.public)


def cancel_intent(call: Call) -> Json:
    intent = _get(call, "payment_intent")
    intents.cancel(call.state.store, intent)
    return _one(call, intent)


def capture_intent(call: Call) -> Json:
    intent = _get(call, "payment_intent")
    intents.capture(call.state.store, intent, call.attrs)
    return _one(call, intent)


# payment methods ---------------------------------------------------------------------------
def create_method(call: Call) -> Json:
    return _one(call, methods.create_method(call.state.store, call.livemode, call.attrs))


def retrieve_method(call: Call) -> Json:
    return _one(call, _get(call, "payment_method"))


def update_method(call: Call) -> Json:
    method = _get(call, "payment_method")
    methods.update_method(call.state.store, method, call.attrs)
    return _one(call, method)


# sources and payments ----------------------------------------------------------------------
def create_source(call: Call) -> Json:
    store = call.state.store
    return _one(call, sources.create_source(store, call.livemode, call.attrs, call.base_url))


def retrieve_source(call: Call) -> Json:
    return _one(call, _get(call, "source"))


def create_payment(call: Call) -> Json:
    return _one(call, sources.pay_source(call.state.store, call.livemode, call.attrs))


def retrieve_payment(call: Call) -> Json:
    return _one(call, _get(call, "payment"))


def list_payments(call: Call) -> Json:
    items = call.state.store.all_of("payment", call.livemode)
    chunk, has_more = payments.page(items, call.query)
    return _many(call, chunk, has_more)


# refunds -----------------------------------------------------------------------------------
def create_refund(call: Call) -> Json:
    return _one(call, refunds.create_refund(call.state.store, call.livemode, call.attrs))


def retrieve_refund(call: Call) -> Json:
    return _one(call, _get(call, "refund"))


def list_refunds(call: Call) -> Json:
    items = refunds.list_refunds(call.state.store, call.livemode, call.query.get("payment_id"))
    chunk, has_more = payments.page(items, call.query)
    return _many(call, chunk, has_more)


# checkout sessions and links ---------------------------------------------------------------
def create_session(call: Call) -> Json:
    store = call.state.store
    return _one(call, sessions.create_session(store, call.livemode, call.attrs, call.base_url))


def retrieve_session(call: Call) -> Json:
    return _one(call, _get(call, "checkout_session"))


def expire_session(call: Call) -> Json:
    session = _get(call, "checkout_session")
    sessions.expire_session(call.state.store, session)
    return _one(call, session)


def create_link(call: Call) -> Json:
    store = call.state.store
    return _one(call, sessions.create_link(store, call.livemode, call.attrs, call.base_url))


def retrieve_link(call: Call) -> Json:
    return _one(call, _get(call, "link"))


def find_links(call: Call) -> Json:
    reference = call.query.get("reference_number")
    if not reference:
        raise invalid("parameter_required", "reference_number is required.", "reference_number")
    links = call.state.store.all_of("link", call.livemode)
    return _many(call, [ln for ln in links if ln["attributes"]["reference_number"] == reference])


def archive_link(call: Call) -> Json:
    link = _get(call, "link")
    sessions.set_archived(call.state.store, link, True)
    return _one(call, link)


def unarchive_link(call: Call) -> Json:
    link = _get(call, "link")
    sessions.set_archived(call.state.store, link, False)
    return _one(call, link)


# webhooks ----------------------------------------------------------------------------------
def create_webhook(call: Call) -> Json:
    return _one(call, hooks.create_webhook(call.state.store, call.livemode, call.attrs))


def list_webhooks(call: Call) -> Json:
    return _many(call, call.state.store.all_of("webhook", call.livemode))


def retrieve_webhook(call: Call) -> Json:
    return _one(call, _get(call, "webhook"))


def update_webhook(call: Call) -> Json:
    hook = _get(call, "webhook")
    hooks.update_webhook(call.state.store, hook, call.attrs)
    return _one(call, hook)


def enable_webhook(call: Call) -> Json:
    hook = _get(call, "webhook")
    hooks.set_enabled(call.state.store, hook, True)
    return _one(call, hook)


def disable_webhook(call: Call) -> Json:
    hook = _get(call, "webhook")
    hooks.set_enabled(call.state.store, hook, False)
    return _one(call, hook)


def capabilities(call: Call) -> Any:
    # A bare JSON array of method names, no `data` envelope (paymongo-api.md 19.1 item 2).
    return list(call.state.config.capabilities)


def paymongo_routes(state: PayMongoState) -> list[Route]:
    table = [
        ("/v1/payment_intents", "POST", create_intent, False),
        ("/v1/payment_intents/{id}", "GET", retrieve_intent, True),
        ("/v1/payment_intents/{id}/attach", "POST", attach_intent, True),
        ("/v1/payment_intents/{id}/cancel", "POST", cancel_intent, False),
        ("/v1/payment_intents/{id}/capture", "POST", capture_intent, False),
        ("/v1/payment_methods", "POST", create_method, True),
        ("/v1/payment_methods/{id}", "GET", retrieve_method, False),
        ("/v1/payment_methods/{id}", "PUT", update_method, False),
        ("/v1/sources", "POST", create_source, True),
        ("/v1/sources/{id}", "GET", retrieve_source, True),
        ("/v1/payments", "POST", create_payment, False),
        ("/v1/payments", "GET", list_payments, False),
        ("/v1/payments/{id}", "GET", retrieve_payment, False),
        ("/v1/refunds", "POST", create_refund, False),
        ("/v1/refunds", "GET", list_refunds, False),
        ("/v1/refunds/{id}", "GET", retrieve_refund, False),
        ("/v1/checkout_sessions", "POST", create_session, False),
        ("/v1/checkout_sessions/{id}", "GET", retrieve_session, False),
        ("/v1/checkout_sessions/{id}/expire", "POST", expire_session, False),
        ("/v1/links", "POST", create_link, False),
        ("/v1/links", "GET", find_links, False),
        ("/v1/links/{id}", "GET", retrieve_link, False),
        ("/v1/links/{id}/archive", "POST", archive_link, False),
        ("/v1/links/{id}/unarchive", "POST", unarchive_link, False),
        ("/v1/webhooks", "POST", create_webhook, False),
        ("/v1/webhooks", "GET", list_webhooks, False),
        ("/v1/webhooks/{id}", "GET", retrieve_webhook, False),
        ("/v1/webhooks/{id}", "PUT", update_webhook, False),
        ("/v1/webhooks/{id}/enable", "POST", enable_webhook, False),
        ("/v1/webhooks/{id}/disable", "POST", disable_webhook, False),
        ("/v1/merchants/capabilities/payment_methods", "GET", capabilities, False),
    ]
    return [
        api_route(state, path, method, fn, public_ok=public) for path, method, fn, public in table
    ]


__all__ = ["not_found", "paymongo_routes"]
