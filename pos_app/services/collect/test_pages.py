"""The patient's phone, for the smoke test and screenshots: press a button on a test page.

PayMongo's test mode and the sandbox both give a ``test_url`` page with "Authorize Test Payment"
and "Fail Test Payment"; this submits that form as a phone's browser would. Blocking.
"""

from __future__ import annotations

import httpx


def submit_test_page(test_url: str, *, authorize: bool = True, timeout_s: float = 10.0) -> None:
    answer = httpx.post(
        test_url, data={"action": "authorize" if authorize else "fail"}, timeout=timeout_s
    )
    answer.raise_for_status()
