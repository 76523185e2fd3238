"""Who may do what at the counter. Roles are ranked; each role has its own permissions listed
explicitly (rather than inherited in code) so the table reads the same as the clinic's policy.
"""

from __future__ import annotations

from enum import StrEnum

from pos_app.domain.errors import PermissionDenied

__all__ = [
    "ROLE_PERMISSIONS",
    "Permission",
    "Role",
    "can",
    "permissions_of",
    "require",
    "roles_allowed",
]


class Role(StrEnum):
    """A signed-in person's role, lowest first. Closed set."""

    RECEPTIONIST = "receptionist"  # collects payments, opens walk-in bills, reprints
    STAFF = "staff"  # senior front-desk staff: also refunds, reports, end-of-day Z-reading
    MANAGER = "manager"  # clinic manager: also voids, overpayment reviews and settings
    OWNER = "owner"  # clinic owner: everything

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Permission(StrEnum):
    """Something a role may be allowed to do. Closed set."""

    COLLECT_PAYMENT = "collect_payment"  # take cash or start an electronic payment
    OPEN_WALK_IN = "open_walk_in"  # make a bill at the counter for a walk-in patient
    REFUND = "refund"  # give money back (through PayMongo or by hand)
    VOID = "void"  # cancel an issued invoice
    REPRINT = "reprint"  # print an invoice again (marked REPRINT)
    CHANGE_SETTINGS = "change_settings"  # keys, clinic details, rates, printers
    VIEW_REPORTS = "view_reports"  # X-readings and sales reports
    Z_READING = "z_reading"  # close the day (resets the day's totals)
    REVIEW_OVERPAYMENTS = "review_overpayments"  # settle late/double payments and unclear attempts
    TAKE_OVER_COUNTER = "take_over_counter"  # move a gone counter's open payments to this one
    MANAGE_PEOPLE = "manage_people"  # add, change and turn off the people who sign in

    @property
    def action(self) -> str:
        """Plain words for messages: "You can't <action>"."""
        return _ACTIONS[self]


_ACTIONS: dict[Permission, str] = {
    Permission.COLLECT_PAYMENT: "take payments",
    Permission.OPEN_WALK_IN: "open a walk-in bill",
    Permission.REFUND: "give refunds",
    Permission.VOID: "void an invoice",
    Permission.REPRINT: "reprint an invoice",
    Permission.CHANGE_SETTINGS: "change settings",
    Permission.VIEW_REPORTS: "see reports",
    Permission.Z_READING: "close the day (Z-reading)",
    Permission.REVIEW_OVERPAYMENTS: "review overpayments",
    Permission.TAKE_OVER_COUNTER: "take over another counter's payments",
    Permission.MANAGE_PEOPLE: "add or turn off the people who sign in",
}

_RECEPTIONIST = frozenset({Permission.COLLECT_PAYMENT, Permission.OPEN_WALK_IN, Permission.REPRINT})
# Staff finish overpayment cases and hand over a gone counter's payments (issue 14); people
# are managed by the owner alone.
_STAFF = _RECEPTIONIST | {
    Permission.REFUND,
    Permission.VIEW_REPORTS,
    Permission.Z_READING,
    Permission.REVIEW_OVERPAYMENTS,
    Permission.TAKE_OVER_COUNTER,
}
_MANAGER = _STAFF | {Permission.VOID, Permission.CHANGE_SETTINGS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECEPTIONIST: _RECEPTIONIST,
    Role.STAFF: _STAFF,
    Role.MANAGER: _MANAGER,
    Role.OWNER: frozenset(Permission),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]


def can(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def roles_allowed(permission: Permission) -> str:
    """The roles that may do ``permission``, in words: "staff, manager or owner"."""
    return _join_or([role.label.lower() for role in Role if can(role, permission)])


def require(role: Role, permission: Permission) -> None:
    """Raise ``PermissionDenied`` (with who to ask) unless ``role`` may do ``permission``."""
    if can(role, permission):
        return
    who = roles_allowed(permission)
    raise PermissionDenied(
        f"Your account can't {permission.action}. Please ask a {who} to do it or to sign in.",
        detail=f"role {role.value} lacks {permission.value}",
    )


def _join_or(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]
