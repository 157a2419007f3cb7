"""Who is making a request, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from portal.errors import Forbidden


@dataclass(frozen=True)
class Employee:
    id: int
    email: str
    name: str
    team_id: int | None
    team_slug: str | None
    is_admin: bool
    is_moderator: bool = False


@dataclass(frozen=True)
class Caller:
    """An authenticated employee, or an integration's API token (which has no employee).

    Who leads which team is not carried here: it is read inside the transaction of each action
    that depends on it (see portal.lookups.leads_any), so it is never stale."""

    employee: Employee | None = None
    token_id: int | None = None
    token_name: str | None = None
    scopes: frozenset[str] = frozenset()
    address: str | None = None  # where the request came from, for the audit trail

    @property
    def label(self) -> str:
        return f"employee:{self.employee.id}" if self.employee else f"token:{self.token_id}"

    @property
    def name(self) -> str:
        """Who this is, for an audit trail: the employee's email or the token's name."""
        return self.employee.email if self.employee else (self.token_name or f"token {self.token_id}")

    @property
    def is_admin(self) -> bool:
        return bool(self.employee and self.employee.is_admin)

    @property
    def is_moderator(self) -> bool:
        """Moderators, and admins, review reported ideas, comments and thanks."""
        return bool(self.employee and (self.employee.is_moderator or self.employee.is_admin))

    def require_moderator(self) -> Employee:
        employee = self.require_employee()
        if not self.is_moderator:
            raise Forbidden("only a moderator or an admin may do this")
        return employee

    def require_employee(self) -> Employee:
        if self.employee is None:
            raise Forbidden("this action needs an employee's credentials, not an API token")
        return self.employee

    def require_admin(self) -> Employee:
        employee = self.require_employee()
        if not employee.is_admin:
            raise Forbidden("only an admin may do this")
        return employee
