"""An enterprise of the register (企业备案信息), keyed by its customs code."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates.common.values import (
    Enterprise,
    check_credit_code,
    check_customs_code,
    check_text,
)

ENTERPRISE_NAMESPACE = uuid5(NAMESPACE_URL, "urn:bonded-backbone:enterprise")


def enterprise_id(customs_code: str) -> UUID:
    """Return the aggregate id of the enterprise with this customs code."""
    return uuid5(ENTERPRISE_NAMESPACE, customs_code)


def checked_enterprise(customs_code: str, credit_code: str, name: str) -> Enterprise:
    """Validate the three identities of an enterprise (R-DOC-7, GB 32100)."""
    return Enterprise(
        customs_code=check_customs_code(customs_code),
        credit_code=check_credit_code(credit_code),
        name=check_text(name, field="name", max_length=512).strip(),
    )


class RegisteredEnterprise(Aggregate):
    """An enterprise (企业) as registered: customs code, credit code and name."""

    @staticmethod
    def create_id(enterprise: Enterprise) -> UUID:
        """Key the aggregate by the customs code."""
        return enterprise_id(enterprise.customs_code)

    @event("Registered")
    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise

    def correct(self, enterprise: Enterprise) -> None:
        """Correct the credit code or name; the customs code is the identity."""
        if enterprise.customs_code != self.enterprise.customs_code:
            raise ValueError("the customs code of a registered enterprise is fixed")
        if enterprise != self.enterprise:
            self._correct(enterprise)

    @event("Corrected")
    def _correct(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
