"""Who is making a request, and what they may do."""
from __future__ import annotations

from dataclasses import dataclass, field

from portal.errors import Forbidden

SCOPES = ("ideas:read", "teams:read", "events:read", "webhooks:manage")


@dataclass(frozen=True)
class Employee:
    id: int
    email: str
    name: str
    team_id: int | None
    team_slug: str | None
    is_admin: bool
    lead_team_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Caller:
    """An authenticated employee, or an integration's API token (which has no employee)."""
    employee: Employee | None = None
    token_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return f"employee:{self.employee.id}" if self.employee else f"token:{self.token_id}"

    @property
    def is_admin(self) -> bool:
        return bool(self.employee and self.employee.is_admin)

    def leads(self, team_id: int) -> bool:
        return bool(self.employee and team_id in self.employee.lead_team_ids)

    def require_employee(self) -> Employee:
        if self.employee is None:
            raise Forbidden("this action needs an employee's credentials, not an API token")
        return self.employee

    def require_admin(self) -> Employee:
        employee = self.require_employee()
        if not employee.is_admin:
            raise Forbidden("only an admin may do this")
        return employee
