"""Roles and permissions: who may do what at the counter."""

from __future__ import annotations

import itertools

import pytest

from pos_app.domain.errors import PermissionDenied, UserFacingError
from pos_app.domain.roles import Permission, Role, can, permissions_of, require

P = Permission


@pytest.mark.parametrize("permission", [P.REFUND, P.VOID, P.CHANGE_SETTINGS, P.Z_READING])
def test_receptionist_cannot_touch_money_going_back_or_settings(permission: Permission) -> None:
    assert not can(Role.RECEPTIONIST, permission)
    with pytest.raises(PermissionDenied):
        require(Role.RECEPTIONIST, permission)


@pytest.mark.parametrize("permission", [P.COLLECT_PAYMENT, P.OPEN_WALK_IN, P.REPRINT])
def test_receptionist_runs_the_counter(permission: Permission) -> None:
    assert can(Role.RECEPTIONIST, permission)
    require(Role.RECEPTIONIST, permission)


def test_staff_can_refund_but_not_void_or_change_settings() -> None:
    assert can(Role.STAFF, P.REFUND)
    assert can(Role.STAFF, P.VIEW_REPORTS)
    assert not can(Role.STAFF, P.VOID)
    assert not can(Role.STAFF, P.CHANGE_SETTINGS)


def test_manager_can_void_review_and_change_settings() -> None:
    for permission in (P.VOID, P.REVIEW_OVERPAYMENTS, P.CHANGE_SETTINGS, P.REFUND):
        assert can(Role.MANAGER, permission)


def test_owner_can_do_everything() -> None:
    assert permissions_of(Role.OWNER) == frozenset(Permission)


def test_each_role_can_do_at_least_what_the_one_below_can() -> None:
    ranked = list(Role)
    for lower, higher in itertools.pairwise(ranked):
        assert permissions_of(lower) <= permissions_of(higher), (lower, higher)


def test_every_role_has_its_permissions_listed() -> None:
    for role in Role:
        assert permissions_of(role)


def test_denial_message_is_kind_and_says_who_to_ask() -> None:
    with pytest.raises(PermissionDenied) as caught:
        require(Role.RECEPTIONIST, P.REFUND)
    message = caught.value.user_message
    assert message == (
        "Your account can't give refunds. "
        "Please ask a staff, manager or owner to do it or to sign in."
    )
    assert isinstance(caught.value, UserFacingError)
    assert caught.value.detail == "role receptionist lacks refund"


def test_every_permission_has_plain_words() -> None:
    for permission in Permission:
        assert permission.action
        assert "_" not in permission.action
