"""Auth, error bodies and codes, validation, rate limit, and bad input that must not 500."""

from __future__ import annotations

import base64

import pytest

from tests.sandbox.paymongo.conftest import PUBLIC_KEY, SECRET_KEY, Api, basic, error_codes


def test_basic_auth_with_and_without_trailing_colon(api: Api) -> None:
    for header in (basic(SECRET_KEY), basic(SECRET_KEY, colon=False)):
        response = api.http.get("/v1/payments", headers={"Authorization": header})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer x",
        "Basic !!!",
        basic("nonsense"),
        basic("sk_test_"),
        basic("xk_test_abcdefghij"),
    ],
)
def test_bad_or_missing_key_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.http.get("/v1/payments", headers=headers)
    assert response.status_code == 401
    assert error_codes(response) == ["authentication_failed"]


def test_live_key_sees_only_live_objects(api: Api) -> None:
    live = "sk_live_" + "Qw3rTy7uIo9pAs2d"  # made up key
    intent = api.intent()
    assert intent["attributes"]["livemode"] is False
    response = api.get(f"/v1/payment_intents/{intent['id']}", key=live)
    assert response.status_code == 404
    live_intent = api.ok(
        "POST",
        "/v1/payment_intents",
        {"amount": 5000, "currency": "PHP", "payment_method_allowed": ["card"]},
        key=live,
    )
    assert live_intent["attributes"]["livemode"] is True


def test_configured_key_pair_rejects_other_keys(api: Api) -> None:
    api.state.configure(secret_key=SECRET_KEY, public_key=PUBLIC_KEY)
    assert api.get("/v1/payments").status_code == 200
    assert api.get("/v1/payments", key="sk_test_SomeoneElse123").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/payment_intents"),
        ("GET", "/v1/payments"),
        ("POST", "/v1/refunds"),
        ("GET", "/v1/webhooks"),
        ("POST", "/v1/checkout_sessions"),
        ("GET", "/v1/payment_methods/x"),
    ],
)
def test_public_key_cannot_use_secret_endpoints(api: Api, method: str, path: str) -> None:
    response = api.request(method, path, {} if method == "POST" else None, key=PUBLIC_KEY)
    assert response.status_code == 401


def test_public_key_attach_needs_client_key(api: Api) -> None:
    intent = api.intent()
    method = api.ok("POST", "/v1/payment_methods", {"type": "qrph"}, key=PUBLIC_KEY)
    response = api.post(
        f"/v1/payment_intents/{intent['id']}/attach",
        {"payment_method": method["id"]},
        key=PUBLIC_KEY,
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("attrs", "code", "pointer"),
    [
        ({"currency": "PHP", "payment_method_allowed": ["card"]}, "parameter_required", "amount"),
        (
            {"amount": 1999, "currency": "PHP", "payment_method_allowed": ["card"]},
            "parameter_below_minimum",
            "amount",
        ),
        (
            {"amount": 1_000_000_000, "currency": "PHP", "payment_method_allowed": ["card"]},
            "parameter_above_maximum",
            "amount",
        ),
        (
            {"amount": "100.00", "currency": "PHP", "payment_method_allowed": ["card"]},
            "parameter_data_type_invalid",
            "amount",
        ),
        (
            {"amount": 100.5, "currency": "PHP", "payment_method_allowed": ["card"]},
            "parameter_data_type_invalid",
            "amount",
        ),
        (
            {"amount": 5000, "currency": "EUR", "payment_method_allowed": ["card"]},
            "parameter_invalid",
            "currency",
        ),
        ({"amount": 5000, "currency": "PHP"}, "parameter_required", "payment_method_allowed"),
        (
            {
                "amount": 5000,
                "currency": "PHP",
                "payment_method_allowed": ["card"],
                "metadata": {"n": 1},
            },
            "parameter_data_type_invalid",
            "metadata.n",
        ),
    ],
)
def test_intent_validation_errors(
    api: Api, attrs: dict[str, object], code: str, pointer: str
) -> None:
    response = api.post("/v1/payment_intents", attrs)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == code
    assert error["source"]["pointer"] == pointer
    assert error["detail"]


def test_minimum_amount_is_configurable(api: Api) -> None:
    api.state.configure(min_intent_amount=100)
    assert api.intent(amount=100)["attributes"]["amount"] == 100


@pytest.mark.parametrize(
    ("details", "code", "pointer"),
    [
        (
            {"card_number": "4343434343434346", "exp_month": 12, "exp_year": 2031, "cvc": "123"},
            "parameter_format_invalid",
            "details.card_number",
        ),
        (
            {"card_number": "4343434343434345", "exp_month": 1, "exp_year": 2020, "cvc": "123"},
            "parameter_invalid",
            "details.exp_month",
        ),
        (
            {"card_number": "4343434343434345", "exp_month": 12, "exp_year": 2031, "cvc": 123},
            "parameter_data_type_invalid",
            "details.cvc",
        ),
        (
            {"card_number": "4343434343434345", "exp_month": "12", "exp_year": 2031, "cvc": "123"},
            "parameter_data_type_invalid",
            "details.exp_month",
        ),
        (
            {"card_number": "4343434343434345", "exp_month": 13, "exp_year": 2031, "cvc": "123"},
            "parameter_above_maximum",
            "details.exp_month",
        ),
    ],
)
def test_card_validation_errors(
    api: Api, details: dict[str, object], code: str, pointer: str
) -> None:
    response = api.post("/v1/payment_methods", {"type": "card", "details": details})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["source"]["pointer"]) == (code, pointer)


def test_card_payment_method_has_no_card_number(api: Api) -> None:
    method = api.card("4343434343434345")
    assert method["attributes"]["details"] == {"last4": "4345", "exp_month": 12, "exp_year": 2031}
    assert "4343434343434345" not in str(method)


def test_unknown_resource_is_404_with_errors(api: Api) -> None:
    response = api.get("/v1/payment_intents/pi_doesnotexist")
    assert response.status_code == 404
    assert error_codes(response) == ["resource_not_found"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nothing"),
        ("GET", "/v2/payment_intents"),
        ("DELETE", "/v1/webhooks/hook_x"),
        ("GET", "/"),
        ("PATCH", "/v1/payment_intents"),
    ],
)
def test_unknown_routes_are_404_with_empty_body(api: Api, method: str, path: str) -> None:
    response = api.request(method, path)
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"data": []}',
        b'{"data": {"attributes": 5}}',
        b"\xff\xfe",
        b'"string"',
        b"null",
    ],
)
def test_malformed_bodies_are_400(api: Api, body: bytes) -> None:
    response = api.http.post(
        "/v1/payment_intents",
        content=body,
        headers={"Authorization": basic(SECRET_KEY), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"].startswith("parameter_")


@pytest.mark.parametrize(
    "attrs",
    [
        {"type": 5},
        {"type": "card", "details": "x"},
        {"type": "card", "details": {"card_number": 4}},
        {"type": ["card"]},
        {"type": "card", "details": {"card_number": None, "cvc": None}},
        {"type": "qrph", "billing": 7},
        {"type": "qrph", "expiry_seconds": "60"},
    ],
)
def test_wrong_types_never_500(api: Api, attrs: dict[str, object]) -> None:
    response = api.post("/v1/payment_methods", attrs)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "attrs"),
    [
        ("/v1/payment_intents/{pi}/attach", {"payment_method": 7}),
        ("/v1/payment_intents/{pi}/attach", {}),
        ("/v1/payment_intents/{pi}/capture", {"amount": "x"}),
        ("/v1/refunds", {"payment_id": ["x"], "amount": 100, "reason": "others"}),
        ("/v1/sources", {"type": "gcash", "amount": 10000, "currency": "PHP", "redirect": "x"}),
        (
            "/v1/checkout_sessions",
            {"line_items": [{"amount": "1"}], "payment_method_types": ["card"]},
        ),
        ("/v1/checkout_sessions", {"line_items": "x", "payment_method_types": "card"}),
        ("/v1/webhooks", {"url": 5, "events": "payment.paid"}),
        ("/v1/links", {"amount": {}, "description": []}),
        ("/v1/payments", {"amount": 10000, "currency": "PHP", "source": "src_x"}),
    ],
)
def test_missing_and_wrong_fields_never_500(api: Api, path: str, attrs: dict[str, object]) -> None:
    intent = api.intent()
    response = api.post(path.replace("{pi}", intent["id"]), attrs)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"]


def test_huge_body_is_413(api: Api) -> None:
    body = b'{"data": {"attributes": {"description": "' + b"x" * 2_000_000 + b'"}}}'
    response = api.http.post(
        "/v1/payment_intents", content=body, headers={"Authorization": basic(SECRET_KEY)}
    )
    assert response.status_code == 413
    assert error_codes(response) == ["parameter_invalid"]


def test_rate_limit_answers_429(api: Api) -> None:
    api.state.configure(rate_limit_per_second=3)
    statuses = [api.get("/v1/payments").status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    limited = api.get("/v1/payments")
    assert limited.text == "Too many requests, please try again later."


def test_error_fault_uses_paymongo_error_shape(api: Api) -> None:
    from pos_sandbox.faults import FaultRule

    api.server.paymongo_faults.add(
        FaultRule(kind="error", status=500, path_regex="^/v1/payments$", times=1)
    )
    response = api.get("/v1/payments")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"]
    assert api.get("/v1/payments").status_code == 200


def test_encoded_key_must_be_base64(api: Api) -> None:
    token = base64.b64encode(b"\xff\xfe").decode()
    response = api.http.get("/v1/payments", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401


def test_latency_and_hang_faults_per_route(api: Api) -> None:
    import time

    import httpx

    from pos_sandbox.faults import FaultRule

    faults = api.server.paymongo_faults
    faults.add(FaultRule(kind="latency", delay_s=0.3, path_regex="^/v1/payments$", times=1))
    started = time.monotonic()
    assert api.get("/v1/payments").status_code == 200
    assert time.monotonic() - started >= 0.3
    faults.add(FaultRule(kind="hang", delay_s=5, path_regex="^/v1/refunds$", times=1))
    with pytest.raises(httpx.ReadTimeout):
        api.http.get("/v1/refunds", headers={"Authorization": basic(SECRET_KEY)}, timeout=0.3)
    assert api.get("/v1/webhooks").status_code == 200
