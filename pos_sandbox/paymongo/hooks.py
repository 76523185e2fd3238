"""Webhook resources (fact sheet §12.1): create, update, enable, disable. No delete.

Threading contract: every function expects `PayMongoState.lock` to be held by the caller.
"""

from __future__ import annotations

from typing import Any

from pos_sandbox.paymongo.errors import invalid
from pos_sandbox.paymongo.events import EVENT_TYPES
from pos_sandbox.paymongo.store import Store
from pos_sandbox.paymongo.validate import get_str_list, need_str

Json = dict[str, Any]


def _url(attrs: Json) -> str:
    url = need_str(attrs, "url")
    if not url.startswith(("http://", "https://")):
        raise invalid("parameter_format_invalid", "url must be an http(s) URL.", "url")
    return url


def _events(attrs: Json) -> list[str]:
    names = get_str_list(attrs, "events")
    assert names is not None
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise invalid("parameter_invalid", f"Unknown events: {', '.join(unknown)}.", "events")
    return names


def _ensure_unique(store: Store, livemode: bool, url: str, except_id: str | None = None) -> None:
    for hook in store.all_of("webhook", livemode):
        if hook["attributes"]["url"] == url and hook["id"] != except_id:
            raise invalid("parameter_invalid", "A webhook with this url already exists.", "url")


def create_webhook(store: Store, livemode: bool, attrs: Json) -> Json:
    url = _url(attrs)
    names = _events(attrs)
    _ensure_unique(store, livemode, url)
    attributes = {
        "events": names,
        "secret_key": "whsk_" + store.random_chars(),
        "status": "enabled",
        "url": url,
    }
    return store.add("hook_", "webhook", livemode, attributes, {"exhausted_in_a_row": 0})


def update_webhook(store: Store, hook: Json, attrs: Json) -> None:
    changes: Json = {}
    if "url" in attrs:
        changes["url"] = _url(attrs)
        _ensure_unique(store, hook["attributes"]["livemode"], changes["url"], hook["id"])
    if "events" in attrs:
        changes["events"] = _events(attrs)
    store.touch(hook, **changes)


def set_enabled(
    store: Store, hook: Json, enabled: bool, reason: str = "disabled_by_merchant"
) -> None:
    hook["private"]["exhausted_in_a_row"] = 0
    if enabled:
        hook["attributes"].pop("disabled_reason", None)
        store.touch(hook, status="enabled")
    else:
        store.touch(hook, status="disabled", disabled_reason=reason)
