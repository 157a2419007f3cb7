"""Demo data for ``portal dev``: teams with leads, services between them, employees, ideas
(in English and Japanese) and votes. Written through the same domain functions as the API."""

from __future__ import annotations

from portal.actions import voting as votes
from portal.auth.caller import Caller
from portal.auth.queries import EMPLOYEE_BY_SUBJECT
from portal.auth.service import employee_from_row
from portal.auth.tokens import mint_dev_token
from portal.config import Settings
from portal.db import Connection, fetch_row
from portal.directory import leads
from portal.ideas import service as ideas
from portal.ideas.schemas import ConcernedTeam, IdeaCreate
from portal.schemas import Role
from portal.services import service as services
from portal.services.schemas import ServiceCreate
from portal.teams import service as teams
from portal.teams.schemas import TeamCreate

TEAMS = [
    ("it", "IT service desk", 48),
    ("hr", "Human Resources", 72),
    ("facilities", "Facilities", 72),
    ("marketing", "Marketing", 72),
    ("sales", "Sales", 96),
    ("finance", "Finance", 72),
]
# email, name, team, admin
PEOPLE = [
    ("admin@example.com", "Ada Admin", "it", True),
    ("ken.lead@example.com", "Ken Sato", "it", False),
    ("hana.lead@example.com", "Hana Suzuki", "hr", False),
    ("maria@example.com", "Maria Lopez", "marketing", False),
    ("aiko@example.com", "Aiko Tanaka", "marketing", False),
    ("sam@example.com", "Sam Patel", "sales", False),
    ("yuki@example.com", "Yuki Mori", "finance", False),
    ("tom@example.com", "Tom Berg", "facilities", False),
]
LEADS = [("it", "ken.lead@example.com"), ("hr", "hana.lead@example.com"), ("marketing", "maria@example.com")]
SERVICES = [
    ("laptop-setup", "Laptop set-up", "New hires' laptops and accounts", "it", ["marketing", "sales", "hr", "finance"]),
    ("onboarding", "Onboarding", "First-week programme for new hires", "hr", ["it", "marketing", "sales", "finance"]),
    ("meeting-rooms", "Meeting rooms", "Booking and equipment", "facilities", ["it", "hr", "marketing", "sales"]),
    ("campaign-copy", "Campaign copy", "Copy and graphics for campaigns", "marketing", ["sales"]),
    ("expense-claims", "Expense claims", "Reimbursement of expenses", "finance", ["sales", "marketing", "it"]),
]
IDEAS: list[tuple[str, str, str, list[str], list[str], list[tuple[str, Role]]]] = [
    (
        "aiko@example.com",
        "Laptop set-up for new Marketing hires in one day, not five",
        "Prepare images per role so a new hire works on day one.",
        ["onboarding", "laptops"],
        ["laptop-setup"],
        [],
    ),
    ("sam@example.com", "Book meeting rooms from the chat tool", "", ["rooms"], ["meeting-rooms"], []),
    (
        "yuki@example.com",
        "経費精算システムの改善",
        "領収書を写真で提出できるようにする。",
        ["経費"],
        ["expense-claims"],
        [],
    ),
    (
        "aiko@example.com",
        "プリンター印刷の申請をオンライン化する",
        "紙の申請書をやめて、フォームにする。",
        ["印刷"],
        [],
        [("it", "provider"), ("marketing", "customer")],
    ),
    (
        "tom@example.com",
        "Thank-you board for colleagues who helped",
        "A page to thank other teams.",
        ["recognition"],
        [],
        [("hr", "provider")],
    ),
]
VOTES = {
    0: ["maria@example.com", "sam@example.com", "yuki@example.com", "hana.lead@example.com"],
    1: ["aiko@example.com", "tom@example.com"],
    2: ["sam@example.com", "aiko@example.com"],
    3: ["maria@example.com"],
    4: ["aiko@example.com", "ken.lead@example.com", "sam@example.com"],
}
DEMO_LOGINS = {"employee": "aiko@example.com", "lead": "ken.lead@example.com", "admin": "admin@example.com"}


async def caller_of(conn: Connection, email: str) -> Caller:
    return Caller(employee=employee_from_row(await fetch_row(conn, EMPLOYEE_BY_SUBJECT, email)))


async def create_teams(conn: Connection, admin: Caller, rows: list[tuple[str, str, int]]) -> None:
    """Teams from (slug, name, response hours) rows."""
    for slug, name, sla in rows:
        await teams.create_team(conn, admin, TeamCreate(slug=slug, name=name, response_sla_hours=sla))


async def create_services(conn: Connection, admin: Caller, rows: list[tuple[str, str, str, str, list[str]]]) -> None:
    """Services from (slug, name, description, provider team, customer teams) rows."""
    for slug, name, description, provider, customers in rows:
        data = ServiceCreate(
            slug=slug, name=name, description=description, provider_team=provider, customer_teams=customers
        )
        await services.create_service(conn, admin, data)


async def seed(conn: Connection) -> None:
    await conn.execute(
        "INSERT INTO employees (subject, email, name, is_admin) VALUES ($1, $1, $2, true)", PEOPLE[0][0], PEOPLE[0][1]
    )
    admin = await caller_of(conn, PEOPLE[0][0])
    await create_teams(conn, admin, TEAMS)
    for email, name, team, is_admin in PEOPLE:
        await conn.execute(
            """INSERT INTO employees (subject, email, name, team_id, is_admin)
               VALUES ($1, $1, $2, (SELECT id FROM teams WHERE slug = $3), $4)
               ON CONFLICT (email) DO UPDATE SET team_id = EXCLUDED.team_id""",
            email,
            name,
            team,
            is_admin,
        )
    for slug, email in LEADS:
        await leads.assign_by_hand(conn, admin, slug=slug, email=email)
    await create_services(conn, admin, SERVICES)
    for index, (author, title, body, tags, named_services, named_teams) in enumerate(IDEAS):
        idea = await ideas.create_idea(
            conn,
            await caller_of(conn, author),
            IdeaCreate(
                title=title,
                body=body,
                tags=tags,
                services=named_services,
                teams=[ConcernedTeam(team=t, role=r) for t, r in named_teams],
            ),
        )
        for voter in VOTES.get(index, []):
            await votes.cast_vote(conn, await caller_of(conn, voter), idea_id=idea.id)
    await _seed_campaign_and_thanks(conn, admin)


async def _seed_campaign_and_thanks(conn: Connection, admin: Caller) -> None:
    """A campaign collecting ideas for two weeks, and a public thanks to IT."""
    from datetime import timedelta

    from portal.campaigns.schemas import CampaignCreate
    from portal.campaigns.service import create_campaign
    from portal.thanks.schemas import ThanksCreate
    from portal.thanks.service import send_thanks

    now = await conn.fetchval("SELECT now()")
    await create_campaign(
        conn,
        admin,
        CampaignCreate(
            slug="onboarding-week",
            question="How do we make a new hire's first week productive?",
            description="Laptops, accounts, badges, training: what slows a new colleague down?",
            team="hr",
            services=["onboarding"],
            collect_until=now + timedelta(days=14),
            vote_until=now + timedelta(days=21),
            decide_until=now + timedelta(days=35),
            vote_budget=3,
        ),
    )
    await send_thanks(
        conn,
        await caller_of(conn, "maria@example.com"),
        ThanksCreate(to_team="it", message="The new laptops arrived on day one. Thank you!", public=True),
        daily_limit=20,
    )


def demo_tokens(settings: Settings) -> dict[str, str]:
    people = {email: (name, team, admin) for email, name, team, admin in PEOPLE}
    return {
        role: mint_dev_token(
            settings, email=email, name=people[email][0], team=people[email][1], admin=people[email][2]
        )
        for role, email in DEMO_LOGINS.items()
    }
