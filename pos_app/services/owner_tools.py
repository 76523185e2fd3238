"""What the owner's menu in the window works with: the settings and the audit trail check.

Threading contract: the services' own (every call blocks; call it from a worker).
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.roles import Permission
from pos_app.services.access import AccessService
from pos_app.services.audit_trail import AuditTrail, TrailCheck
from pos_app.services.settings_service import SettingsService

__all__ = ["OwnerTools"]


@dataclass(frozen=True)
class OwnerTools:
    settings: SettingsService
    audit: AuditTrail
    access: AccessService

    def check_audit_trail(self) -> TrailCheck:
        """The same check as ``pos-app audit verify``, for someone who may see reports."""
        self.access.require(Permission.VIEW_REPORTS)
        return self.audit.check()
