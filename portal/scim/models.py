"""The resources the portal serves over SCIM, and the attributes of each that it keeps.

Only what the portal uses is declared, so /Schemas says exactly what a client gets back:
attributes an identity provider sends beyond these (titles, phone numbers, addresses) are
ignored, never stored (POLICY). An employee needs an address, so `emails` is required (a
userName that is an address stands in when none is sent).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import EmailStr, Field
from scim2_models import (
    URN,
    CaseExact,
    ComplexAttribute,
    Extension,
    Mutability,
    Reference,
    Required,
    Resource,
    ScimPolicy,
    Uniqueness,
)

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MEDIA_TYPE = "application/scim+json"
MAX_RESULTS = 1000  # the most resources a list or search answers at once, and when no count is sent

# What the portal tolerates from identity providers: attributes it does not keep are dropped (a
# PATCH of one changes nothing); Microsoft Entra ID's `remove` with a `value` selecting what to
# remove, and its `add` through a filter matching no entry yet (emails[type eq "work"].value), work.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class Name(ComplexAttribute):
    formatted: str | None = None
    family_name: str | None = None
    given_name: str | None = None


class Email(ComplexAttribute):
    value: Annotated[EmailStr | None, Required.true] = None
    type: str | None = Field(None, examples=["work", "home", "other"])
    primary: bool | None = None


class Manager(ComplexAttribute):
    value: Annotated[str | None, Required.true, CaseExact.true] = None
    # Named as a string: scim2-models reads the referenced type's name from it (User is below).
    ref: Reference["User"] | None = Field(None, serialization_alias="$ref", validation_alias="$ref")  # noqa: UP037


class EnterpriseUser(Extension):
    """The enterprise extension's attributes the portal uses: the department chooses the team
    among several groups; the employee number and manager are kept for the identity provider."""

    __schema__ = URN(ENTERPRISE)

    employee_number: str | None = None
    department: str | None = None
    manager: Manager | None = None


class User(Resource[EnterpriseUser]):
    """An employee: their sign-in name, name, addresses and whether they still work here."""

    __schema__ = URN(CORE_USER)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    Name: ClassVar[type[ComplexAttribute]] = Name
    display_name: str | None = None
    active: bool | None = None
    emails: Annotated[list[Email] | None, Required.true] = None
    Emails: ClassVar[type[ComplexAttribute]] = Email


class GroupMember(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, Required.true, CaseExact.true] = None
    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])


class Group(Resource[Any]):
    """A team, a team's leads or the portal's admins (portal.directory.groups.kind_of); its
    members are users (groups are not nested)."""

    __schema__ = URN(CORE_GROUP)

    display_name: Annotated[str | None, Required.true] = None
    members: list[GroupMember] | None = None
    Members: ClassVar[type[ComplexAttribute]] = GroupMember
