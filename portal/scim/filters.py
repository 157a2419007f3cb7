"""SCIM filters (RFC 7644 §3.4.2.2) to SQL: scim2-models parses a filter and checks it against the
resource's model; this visitor writes the WHERE clause, with every value a parameter.

Chosen over scim2-filter-parser's SQL transpiler, which drops a comparison on an attribute it has
no column for (`emails[type eq "work" and value co "x"]` loses its type test), passes `%` and `_`
through into LIKE patterns, and renders booleans as text. Here an attribute without a column is a
400 `invalidFilter`, LIKE patterns are escaped, and each column's case rule is the schema's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from portal.scim.models import CORE_GROUP, CORE_USER, ENTERPRISE, Group, User

# text: compared without case (caseExact false); exact: with case; array: a text[] of lower-cased
# values; id: a bigint written as a string in SCIM.
Kind = Literal["text", "exact", "array", "bool", "time", "id"]
SQL_OPERATORS = {
    CompareOperator.eq: "=",
    CompareOperator.gt: ">",
    CompareOperator.ge: ">=",
    CompareOperator.lt: "<",
    CompareOperator.le: "<=",
}
LIKE = {CompareOperator.co: "%{}%", CompareOperator.sw: "{}%", CompareOperator.ew: "%{}"}


@dataclass(frozen=True)
class Column:
    sql: str
    kind: Kind


@dataclass(frozen=True)
class Elements:
    """A multi-valued complex attribute: the rows of its values (`source`, aliased), and a column
    for each sub-attribute."""

    source: str
    columns: dict[str, Column]


@dataclass(frozen=True)
class Mapping:
    model: Any
    core: str
    columns: dict[tuple[str | None, str, str | None], Column]
    elements: dict[str, Elements] = field(default_factory=dict)


_EMAILS = "jsonb_array_elements(CASE WHEN jsonb_typeof(u.attributes -> 'emails') = 'array' THEN u.attributes -> 'emails' ELSE '[]' END) AS x"
USERS = Mapping(
    model=User,
    core=CORE_USER,
    columns={
        (None, "id", None): Column("u.employee_id", "id"),
        (None, "externalid", None): Column("u.external_id", "exact"),
        (None, "username", None): Column("u.user_name", "text"),
        (None, "displayname", None): Column("u.display_name", "text"),
        (None, "active", None): Column("u.active", "bool"),
        (None, "emails", None): Column("u.emails", "array"),
        (None, "emails", "value"): Column("u.emails", "array"),
        (None, "name", "givenname"): Column("(u.attributes #>> '{name,givenName}')", "text"),
        (None, "name", "familyname"): Column("(u.attributes #>> '{name,familyName}')", "text"),
        (None, "name", "formatted"): Column("(u.attributes #>> '{name,formatted}')", "text"),
        (None, "meta", "created"): Column("u.created_at", "time"),
        (None, "meta", "lastmodified"): Column("u.updated_at", "time"),
        (ENTERPRISE, "employeenumber", None): Column(f"(u.attributes #>> '{{{ENTERPRISE},employeeNumber}}')", "text"),
        (ENTERPRISE, "department", None): Column("u.department", "text"),
        (ENTERPRISE, "manager", None): Column("u.manager_id", "id"),
        (ENTERPRISE, "manager", "value"): Column("u.manager_id", "id"),
    },
    elements={
        "emails": Elements(
            f"SELECT 1 FROM {_EMAILS}",
            {
                "value": Column("(x ->> 'value')", "text"),
                "type": Column("(x ->> 'type')", "text"),
                "primary": Column("(x ->> 'primary')::boolean", "bool"),
            },
        )
    },
)
MEMBER_COLUMNS = {"value": Column("m.employee_id", "id"), "type": Column("'User'", "text")}
GROUPS = Mapping(
    model=Group,
    core=CORE_GROUP,
    columns={
        (None, "id", None): Column("g.id", "id"),
        (None, "externalid", None): Column("g.external_id", "exact"),
        (None, "displayname", None): Column("g.display_name", "text"),
        (None, "meta", "created"): Column("g.created_at", "time"),
        (None, "meta", "lastmodified"): Column("g.updated_at", "time"),
    },
    elements={
        "members": Elements("SELECT 1 FROM directory_group_members m WHERE m.group_id = g.id AND", MEMBER_COLUMNS)
    },
)


def _like(value: str, op: CompareOperator) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return LIKE[op].format(escaped)


class SqlFilter(FilterVisitor[str]):
    """Writes a filter as a boolean SQL expression over the mapping's aliases, appending its
    values to `params` (numbered after the `first` - 1 the query already has)."""

    def __init__(self, mapping: Mapping, first: int, columns: dict[str, Column] | None = None) -> None:
        self.mapping = mapping
        self.first = first
        self.params: list[Any] = []
        self.element_columns = columns  # inside a value selection: the selected values' columns

    def _param(self, value: Any, cast: str = "") -> str:
        self.params.append(value)
        return f"${self.first + len(self.params) - 1}{cast}"

    def _key(self, path: AttrPath) -> tuple[str | None, str, str | None]:
        uri = path.uri if path.uri and path.uri.lower() != self.mapping.core.lower() else None
        return uri, path.attr.lower(), path.sub_attr.lower() if path.sub_attr else None

    def _column(self, path: AttrPath) -> Column | tuple[Elements, Column]:
        if self.element_columns is not None and path.sub_attr is None and path.uri is None:
            found = self.element_columns.get(path.attr.lower())
            if found is not None:
                return found
        key = self._key(path)
        if key in self.mapping.columns:
            return self.mapping.columns[key]
        elements = self.mapping.elements.get(key[1]) if key[0] is None else None
        if elements is not None:
            sub = elements.columns.get(key[2] or "value")
            if sub is not None:
                return elements, sub
        raise InvalidFilterException(detail=f"filtering on {path} is not supported")

    def _within(self, selection: Elements, condition: str) -> str:
        joiner = " " if selection.source.endswith("AND") else " WHERE "
        return f"EXISTS ({selection.source}{joiner}{condition})"

    def visit_comparison(self, node: Comparison) -> str:
        found = self._column(node.attr_path)
        if isinstance(found, tuple):
            selection, column = found
            return self._within(selection, self._compare(column, node.op, node.value))
        return self._compare(found, node.op, node.value)

    def _compare(self, column: Column, op: CompareOperator, value: Any) -> str:
        if column.kind == "bool":
            if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilterException(detail="a boolean attribute compares with eq or ne and true or false")
            return f"{column.sql} {'=' if op == CompareOperator.eq else 'IS DISTINCT FROM'} {self._param(value)}"
        if value is None:
            raise InvalidFilterException(detail="compare with a value; test presence with pr")
        if column.kind == "time":
            return self._compare_time(column, op, value)
        if column.kind == "id":
            return self._compare_id(column, op, str(value))
        text = str(value)
        if column.kind == "array":
            return self._compare_array(column, op, text.lower())
        lhs, rhs = (f"lower({column.sql})", "lower({}::text)") if column.kind == "text" else (column.sql, "{}::text")
        if op in LIKE:
            return f"{lhs} LIKE {rhs.format(self._param(_like(text, op)))} ESCAPE '\\'"
        if op == CompareOperator.ne:
            return f"{lhs} IS DISTINCT FROM {rhs.format(self._param(text))}"
        return f"{lhs} {SQL_OPERATORS[op]} {rhs.format(self._param(text))}"

    def _compare_time(self, column: Column, op: CompareOperator, value: Any) -> str:
        if op in LIKE:
            raise InvalidFilterException(detail="a dateTime compares with eq, ne, gt, ge, lt or le")
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidFilterException(detail=f"{value!r} is not a dateTime") from None
        if op == CompareOperator.ne:
            return f"{column.sql} IS DISTINCT FROM {self._param(moment)}"
        return f"{column.sql} {SQL_OPERATORS[op]} {self._param(moment)}"

    def _compare_id(self, column: Column, op: CompareOperator, text: str) -> str:
        if op in LIKE:
            return f"{column.sql}::text LIKE {self._param(_like(text, op))} ESCAPE '\\'"
        if not text.isdigit() or len(text) > 18:  # no id is this: equal to none, different from all
            return "false" if op == CompareOperator.eq else f"{column.sql} IS NOT NULL"
        if op == CompareOperator.ne:
            return f"{column.sql} IS DISTINCT FROM {self._param(int(text))}"
        return f"{column.sql} {SQL_OPERATORS[op]} {self._param(int(text))}"

    def _compare_array(self, column: Column, op: CompareOperator, text: str) -> str:
        if op == CompareOperator.eq:
            return f"{self._param(text)} = ANY({column.sql})"
        if op == CompareOperator.ne:
            return f"NOT ({self._param(text)} = ANY({column.sql}))"
        if op in LIKE:
            return f"EXISTS (SELECT 1 FROM unnest({column.sql}) AS v WHERE v LIKE {self._param(_like(text, op))} ESCAPE '\\')"
        return f"EXISTS (SELECT 1 FROM unnest({column.sql}) AS v WHERE v {SQL_OPERATORS[op]} {self._param(text)})"

    def visit_present(self, node: Present) -> str:
        found = self._column(node.attr_path)
        if isinstance(found, tuple):
            selection, column = found
            return self._within(selection, f"{column.sql} IS NOT NULL")
        if found.kind == "array":
            return f"cardinality({found.sql}) > 0"
        if found.kind in ("text", "exact"):
            return f"coalesce({found.sql}, '') <> ''"
        return f"{found.sql} IS NOT NULL"

    def visit_not(self, node: Not) -> str:
        return f"NOT coalesce(({self.visit(node.expr)}), false)"

    def visit_logical_expr(self, node: LogicalExpr) -> str:
        joiner = " AND " if node.op == LogicalOperator.and_ else " OR "
        return "(" + joiner.join(f"({self.visit(term)})" for term in node.terms) + ")"

    def visit_value_path(self, node: ValuePath) -> str:
        key = self._key(node.attr_path)
        selection = self.mapping.elements.get(key[1]) if key[0] is None and key[2] is None else None
        if selection is None:
            raise InvalidFilterException(detail=f"filtering within {node.attr_path} is not supported")
        inner = SqlFilter(self.mapping, self.first + len(self.params), selection.columns)
        condition = inner.visit(node.val_filter)
        self.params.extend(inner.params)
        return self._within(selection, condition)


def parse(text: str, mapping: Mapping) -> FilterNode:
    """The filter's tree, checked against the resource's model: a syntax error, an attribute the
    model does not have, or a value its attribute cannot take is a 400 `invalidFilter`."""
    scim_filter = ScimFilter[mapping.model](text)  # type: ignore[name-defined]
    scim_filter._validate_semantics(strict=True)
    return scim_filter.ast


def to_sql(text: str, mapping: Mapping, first: int = 1) -> tuple[str, list[Any]]:
    """A filter as a WHERE condition and its parameters, numbered from `first`."""
    compiler = SqlFilter(mapping, first)
    return compiler.visit(parse(text, mapping)), compiler.params


def members_where(node: FilterNode, first: int) -> tuple[str, list[Any]]:
    """A PATCH path's selection of members (`members[value eq "12"]`) over directory_group_members m."""
    compiler = SqlFilter(GROUPS, first, MEMBER_COLUMNS)
    return compiler.visit(node), compiler.params
