"""The org file, for companies without SCIM: one line per person (email, name, team, team_name,
lead, active), the whole company in one file. Checked first (a dry run: what would be created,
changed and deactivated, and every line's error), then applied as one transaction. The file is the
truth for the employees and teams it keeps: a person it kept who is no longer listed is
deactivated, so a file that would deactivate more than PORTAL_IMPORT_MAX_DEACTIVATION_SHARE of the
active employees needs a confirmation. The same file twice changes nothing the second time."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from portal.audit import trail as audit
from portal.audit.trail import Actor
from portal.config import Settings
from portal.db import Connection
from portal.directory import leads, people
from portal.directory import org_queries as q
from portal.errors import Conflict
from portal.events import outbox
from portal.schemas import EMAIL_PATTERN, SLUG_PATTERN
from portal.text import is_clean_text

COLUMNS = ("email", "name", "team", "team_name", "lead", "active")
YES, NO = frozenset({"yes", "y", "true", "1"}), frozenset({"no", "n", "false", "0"})
EMAIL, SLUG = re.compile(EMAIL_PATTERN), re.compile(SLUG_PATTERN)
NAME_LENGTH = 200
MAX_ERRORS = 1000  # an export in the wrong shape fails on every line: a thousand say enough


@dataclass(frozen=True)
class OrgRow:
    line: int
    email: str
    name: str
    team: str | None
    team_name: str | None
    lead: bool
    active: bool


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass
class OrgFile:
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    def refuse(self, line: int, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line, message))


def _flag(value: str, default: bool) -> bool | None:
    text = value.strip().lower()
    if not text:
        return default
    return True if text in YES else False if text in NO else None


class _Reader:
    """Checks each line against the file's own earlier lines."""

    def __init__(self, parsed: OrgFile) -> None:
        self.parsed = parsed
        self.emails: dict[str, int] = {}
        self.team_names: dict[str, tuple[str, int]] = {}

    def row(self, line: int, values: dict[str, str]) -> None:
        email = values["email"].strip().lower()
        name = " ".join(values["name"].split())
        team = values["team"].strip().lower() or None
        team_name = " ".join(values["team_name"].split()) or None
        lead, active = _flag(values["lead"], False), _flag(values["active"], True)
        problems = [
            *self._person(email, name),
            *self._team(line, team, team_name),
            *(["lead must be yes or no"] if lead is None else []),
            *(["active must be yes or no"] if active is None else []),
        ]
        if not problems and lead and team is None:
            problems.append("a lead needs a team")
        if not problems and lead and not active:
            problems.append("a lead must be active")
        if email in self.emails:
            problems.append(f"{email} is on line {self.emails[email]} already")
        for problem in problems:
            self.parsed.refuse(line, problem)
        if not problems:
            self.emails[email] = line
            self.parsed.rows.append(OrgRow(line, email, name, team, team_name, bool(lead), bool(active)))

    def _person(self, email: str, name: str) -> list[str]:
        problems = []
        if not EMAIL.match(email) or len(email) > 254:
            problems.append(f"{email[:60]!r} is not an email address")
        if not name or len(name) > NAME_LENGTH or not is_clean_text(name):
            problems.append(f"the name must be 1 to {NAME_LENGTH} characters of text")
        return problems

    def _team(self, line: int, team: str | None, team_name: str | None) -> list[str]:
        if team is None:
            return ["a team name needs a team slug"] if team_name else []
        if not SLUG.match(team):
            return [f"{team[:60]!r} is not a team slug (lowercase letters, digits and hyphens)"]
        if not team_name or len(team_name) > NAME_LENGTH or not is_clean_text(team_name):
            return [f"team {team} needs a name of 1 to {NAME_LENGTH} characters"]
        known = self.team_names.setdefault(team, (team_name, line))
        if known[0] != team_name:
            return [f"team {team} is named {known[0]!r} on line {known[1]}"]
        return []


def parse(data: bytes) -> OrgFile:
    """Every line's person, or its errors; a file with any error is not applied."""
    parsed = OrgFile()
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's export may start with a byte order mark
    except UnicodeDecodeError:
        parsed.refuse(1, "the file is not UTF-8 text")
        return parsed
    lines = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(lines, [])]
    while header and not header[-1]:
        header.pop()
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        parsed.refuse(1, f"the first line must name the columns {', '.join(COLUMNS)} (in any order)")
        return parsed
    reader = _Reader(parsed)
    for values in lines:
        if not any(value.strip() for value in values):
            continue
        if len(values) < len(header) or any(v.strip() for v in values[len(header) :]):
            parsed.refuse(lines.line_num, f"expected {len(header)} values, found {len(values)}")
            continue
        reader.row(lines.line_num, dict(zip(header, values)))
    if not parsed.rows and not parsed.errors:
        parsed.refuse(1, "the file lists nobody")
    return parsed


SHOWN = 10  # lines shown of each kind of change


@dataclass(frozen=True)
class Plan:
    """What applying the file would do (the dry run), as counts and the first lines of each."""

    lines: int
    errors: list[LineError]
    error_count: int
    changes: dict[str, dict[str, Any]]  # kind -> {"count": n, "first": [rows]}
    active_employees: int

    @property
    def leaving(self) -> int:
        return int(self.changes.get("deactivated", {}).get("count", 0))

    @property
    def share(self) -> float:
        return self.leaving / self.active_employees if self.active_employees else 0.0

    def needs_confirmation(self, settings: Settings) -> bool:
        return self.leaving > 0 and self.share > settings.import_max_deactivation_share

    def as_json(self, settings: Settings) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
            "error_count": self.error_count,
            "changes": self.changes,
            "active_employees": self.active_employees,
            "deactivation_share": round(self.share, 4),
            "needs_confirmation": self.needs_confirmation(settings),
        }


class ImportRefused(Conflict):
    title, slug = "Org file not applied", "import-refused"


async def _load(conn: Connection, parsed: OrgFile) -> None:
    await conn.execute(q.ROWS)
    await conn.copy_records_to_table(
        "org_rows",
        records=[(r.line, r.email, r.name, r.team, r.team_name, r.lead, r.active) for r in parsed.rows],
        columns=q.ROW_COLUMNS,
    )
    await conn.execute(q.PEOPLE)
    await conn.execute(q.INDEX_ROWS)


async def _sample(conn: Connection, sql: str) -> dict[str, Any]:
    rows = await conn.fetch(sql, SHOWN)
    return {
        "count": rows[0]["total"] if rows else 0,
        "first": [{key: value for key, value in dict(row).items() if key != "total"} for row in rows],
    }


async def plan(conn: Connection, data: bytes) -> Plan:
    """The dry run, inside the caller's transaction (it creates temporary tables that apply reuses)."""
    parsed = parse(data)
    if parsed.rows:
        await _load(conn, parsed)
        for row in await conn.fetch(q.CONFLICTS, MAX_ERRORS):
            parsed.refuse(row["line"], row["message"])
    errors = sorted(parsed.errors, key=lambda e: e.line)
    if errors:
        return Plan(len(parsed.rows), errors[:100], len(errors), {}, 0)
    people = "line, email, name, team, old_name, old_team"
    changes = {
        "created": await _sample(conn, q.SAMPLE.format(columns=people, where=q.CREATED.format(p=""))),
        "changed": await _sample(conn, q.SAMPLE.format(columns=people, where=q.CHANGED.format(p=""))),
        "unchanged": await _sample(conn, q.SAMPLE.format(columns="line, email", where=q.UNCHANGED.format(p=""))),
        "deactivated": await _sample(conn, q.LEAVING_SAMPLE),
        "reactivated": await _sample(conn, q.SAMPLE.format(columns=people, where=q.REACTIVATED.format(p=""))),
        "teams_created": await _sample(conn, q.TEAMS_CREATED),
        "teams_changed": await _sample(conn, q.TEAMS_CHANGED),
        "leads_added": await _sample(conn, q.LEADS_ADDED),
        "leads_removed": await _sample(conn, q.LEADS_REMOVED),
    }
    return Plan(len(parsed.rows), [], 0, changes, await conn.fetchval(q.ACTIVE_EMPLOYEES))


async def apply(conn: Connection, actor: Actor, settings: Settings, data: bytes, *, confirmed: bool = False) -> Plan:
    """Checks the file again (the company may have changed since its dry run) and applies it, all or
    nothing. Refused when any line has an error, or when it would deactivate more than the allowed
    share of active employees and that is not confirmed."""
    checked = await plan(conn, data)
    if checked.errors:
        raise ImportRefused(f"the file has {checked.error_count} errors; the first is on line {checked.errors[0].line}")
    if checked.needs_confirmation(settings) and not confirmed:
        raise ImportRefused(
            f"the file would deactivate {checked.leaving} of {checked.active_employees} active employees "
            f"({checked.share:.0%}, more than {settings.import_max_deactivation_share:.0%}); confirm to apply it"
        )
    await _apply_teams(conn, actor)
    created = await conn.fetch(q.CREATE_PEOPLE)
    kept = await conn.fetch(q.KEEP_PEOPLE)
    await _record_people(conn, actor, created, kept)
    await people.deactivate(conn, actor, [row["id"] for row in await conn.fetch(q.LEAVING_IDS)])
    await people.reactivate(conn, actor, [row["employee_id"] for row in await conn.fetch(q.RETURNING_IDS)])
    moves = [row for row in kept if row["from_team"] != row["to_team"]]
    await leads.end_on_move(conn, actor, [(row["id"], row["from_team_id"]) for row in moves if row["from_team_id"]])
    await leads.apply(conn, actor, await conn.fetch(q.REMOVE_LEADS))
    await leads.apply(conn, actor, await conn.fetch(q.ADD_LEADS))
    return checked


async def _apply_teams(conn: Connection, actor: Actor) -> None:
    created = await conn.fetch(q.CREATE_TEAMS)
    kept = await conn.fetch(q.KEEP_TEAMS)
    await outbox.record_many(
        conn,
        [("team.created", f"teams/{row['slug']}", {"slug": row["slug"], "name": row["name"]}) for row in created]
        + [("team.updated", f"teams/{row['slug']}", {"name": row["name"]}) for row in kept],
    )
    await audit.record(
        conn,
        actor,
        [("team.created", f"teams/{row['slug']}", None, {"name": row["name"]}) for row in created]
        + [
            (
                "team.taken_over" if row["old_managed_by"] is None else "team.renamed",
                f"teams/{row['slug']}",
                {"name": row["old_name"], "managed_by": row["old_managed_by"]},
                {"name": row["name"], "managed_by": "import"},
            )
            for row in kept
        ],
    )


async def _record_people(conn: Connection, actor: Actor, created: list, kept: list) -> None:
    provisioned = [row["id"] for row in created] + [row["id"] for row in kept if row["old_managed_by"] is None]
    renamed = [row["id"] for row in kept if row["old_name"] != row["name"]]
    await outbox.record_many(
        conn,
        [("employee.provisioned", f"employees/{i}", {"employee_id": i, "source": "import"}) for i in provisioned]
        + [("employee.updated", f"employees/{i}", {"employee_id": i, "fields": ["name"]}) for i in renamed],
    )
    await people.record_moves(conn, actor, [row for row in kept if row["from_team"] != row["to_team"]])
    await audit.record(
        conn,
        actor,
        [
            (
                "employee.provisioned",
                f"employees/{row['id']}",
                None,
                {"email": row["email"], "name": row["name"], "team": row["team"], "active": row["active"]},
            )
            for row in created
        ]
        + [
            (
                "employee.updated",
                f"employees/{row['id']}",
                {"name": row["old_name"], "team": row["from_team"], "managed_by": row["old_managed_by"]},
                {"name": row["name"], "team": row["to_team"], "managed_by": "import"},
            )
            for row in kept
        ],
    )
