"""The enterprise register application: register, correct and look up."""

from __future__ import annotations

from typing import Protocol

from eventsourcing.application import AggregateNotFoundError

from aggregates.common.application import BackboneApplication, Decision
from aggregates.common.errors import UnknownEnterpriseError
from aggregates.common.idempotency import Outcome, fingerprint
from aggregates.common.values import Enterprise, check_customs_code
from aggregates.register.model import (
    RegisteredEnterprise,
    checked_enterprise,
    enterprise_id,
)


class EnterpriseLookup(Protocol):
    """What documents need of the register: a customs code to an enterprise."""

    def lookup(self, customs_code: str, *, field: str = "customs_code") -> Enterprise:
        """Return the enterprise, or raise ``UnknownEnterpriseError``."""
        ...


class EnterpriseRegister(BackboneApplication):
    """The enterprise register (企业备案): the reference data of R-DOC-7."""

    name = "EnterpriseRegister"

    def register_enterprise(
        self, customs_code: str, credit_code: str, name: str, *, command_id: str = ""
    ) -> Outcome:
        """Register an enterprise, or correct the credit code and name of one."""
        enterprise = checked_enterprise(customs_code, credit_code, name)
        key = command_id or f"register/{customs_code}/{credit_code}/{enterprise.name}"

        def decide() -> Decision:
            try:
                entry: object = self.repository.get(
                    enterprise_id(enterprise.customs_code)
                )
            except AggregateNotFoundError:
                entry = RegisteredEnterprise(enterprise)
            else:
                assert isinstance(entry, RegisteredEnterprise)
                entry.correct(enterprise)
            return (entry,), entry

        return self._execute(
            key, fingerprint("register_enterprise", enterprise=enterprise), decide
        )

    def lookup(self, customs_code: str, *, field: str = "customs_code") -> Enterprise:
        """Return the enterprise with this customs code (R-DOC-7)."""
        check_customs_code(customs_code, field=field)
        try:
            entry: object = self.repository.get(
                enterprise_id(customs_code),
                # Every command of an enterprise looks its entry up. A thread that
                # finds another bringing the cached entry up to date takes it as
                # cached rather than queue behind that read, and nothing changes
                # the entry it is given, so it need not be a copy. What it may miss
                # is a correction committed while that read runs: a command racing
                # a correction could read it just before in any case, since the
                # register is saved apart from the documents.
                fastforward_skipping=True,
                deepcopy_from_cache=False,
            )
        except AggregateNotFoundError:
            raise UnknownEnterpriseError(customs_code, field=field) from None
        assert isinstance(entry, RegisteredEnterprise)
        return entry.enterprise
