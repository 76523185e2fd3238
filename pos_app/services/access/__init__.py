"""Access: the people who sign in, their PINs, lockout, the idle lock, manager overrides and
``require(permission)``."""

from pos_app.services.access.approval import OVERRIDE_LIFETIME, Approval
from pos_app.services.access.demo import DEMO_PEOPLE, prepare_demo_people
from pos_app.services.access.service import AccessService, Audit, os_user_actor

__all__ = [
    "DEMO_PEOPLE",
    "OVERRIDE_LIFETIME",
    "AccessService",
    "Approval",
    "Audit",
    "os_user_actor",
    "prepare_demo_people",
]
