"""A believable company for `portal dev`, grown on the small one portal.seed makes: a dozen teams
and their services, about 300 ideas over fourteen months in English and Japanese, votes,
comments, answered and overdue routings, done ideas with outcome notes, a closed pulse round per
service, a finished campaign beside the running one, and thanks; every month's scorecards
compiled. Made through the domain functions, as people would, from a fixed random seed, then
moved back in time; its events count as delivered, so starting the portal sends no flood of
notifications about the past (only the seed's few new ideas are told to their leads).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal import seed
from portal.actions import posting, statuses
from portal.actions.surveys import close_due_rounds
from portal.actions.voting import cast_vote
from portal.attachments import service as attachments
from portal.auth.caller import Caller
from portal.campaigns import service as campaigns
from portal.campaigns.schemas import CampaignCreate
from portal.comments import service as comments
from portal.comments.schemas import CommentWrite
from portal.db import Connection, connect
from portal.directory import leads
from portal.ideas import outcomes
from portal.ideas import service as ideas
from portal.ideas.outcomes import OutcomeWrite
from portal.ideas.schemas import IdeaCreate, StatusChange
from portal.results import service as results
from portal.routing import service as routing
from portal.routing.schemas import RoutingResponse
from portal.scorecards.service import compile_period, period_of
from portal.seed import caller_of
from portal.surveys import service as surveys
from portal.surveys.schemas import AnswerWrite
from portal.thanks.schemas import ThanksCreate
from portal.thanks.service import send_thanks

SEED = 2026
MONTHS = 14
IDEAS = 300

TEAMS = [
    ("security", "Information Security", 48),
    ("legal", "Legal", 96),
    ("procurement", "Procurement", 72),
    ("data", "Data & Analytics", 72),
    ("support", "Customer Support", 48),
    ("engineering", "Engineering", 72),
]
# Five more colleagues per team: English and Japanese names; the first of a new team leads it.
GIVEN = [
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Sofia",
    "Lucas",
    "Mia",
    "Ethan",
    "大輔",
    "美咲",
    "翔太",
    "さくら",
    "拓也",
    "陽菜",
    "健太",
    "結衣",
]
FAMILY = ["Smith", "Garcia", "Müller", "Nguyen", "Kowalski", "Rossi", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺"]
SERVICES = [
    (
        "vpn-access",
        "VPN and remote access",
        "Working from anywhere",
        "security",
        ["sales", "marketing", "support", "finance"],
    ),
    (
        "contract-review",
        "Contract review",
        "Reviewing customer and supplier contracts",
        "legal",
        ["sales", "procurement"],
    ),
    (
        "purchasing",
        "Purchasing",
        "Buying equipment and services",
        "procurement",
        ["it", "facilities", "engineering", "marketing"],
    ),
    (
        "dashboards",
        "Dashboards and reports",
        "Numbers every team can trust",
        "data",
        ["sales", "marketing", "finance", "support"],
    ),
    (
        "customer-escalations",
        "Customer escalations",
        "When a customer needs engineering",
        "support",
        ["engineering", "sales"],
    ),
    ("internal-tools", "Internal tools", "The tools other teams build on", "engineering", ["support", "data", "it"]),
    ("payroll", "Payroll", "Salaries, allowances and payslips", "hr", ["engineering", "support", "sales", "it"]),
    ("travel", "Business travel", "Booking and approving trips", "finance", ["sales", "engineering", "support"]),
]


@dataclass(frozen=True)
class Theme:
    """One improvement people keep asking for, in several wordings (some are duplicates)."""

    service: str
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    body: str


THEMES = [
    Theme(
        "laptop-setup",
        ("laptops", "onboarding"),
        (
            "New laptops arrive ready to use on day one",
            "Pre-install the standard apps before a laptop is handed over",
            "新入社員のPCを初日から使える状態にしてほしい",
            "Laptop set-up takes too long for new hires",
        ),
        "A new colleague waits days for accounts and software. Prepare images per role.",
    ),
    Theme(
        "onboarding",
        ("onboarding",),
        (
            "One checklist for a new hire's first week",
            "入社初週のチェックリストを一つにまとめる",
            "Buddy programme for every new hire",
        ),
        "Every team keeps its own list; new colleagues get lost between them.",
    ),
    Theme(
        "meeting-rooms",
        ("rooms",),
        (
            "Book meeting rooms from the chat tool",
            "会議室をチャットから予約したい",
            "Free up rooms booked by people who never show up",
            "Release meeting rooms nobody checked into after 10 minutes",
        ),
        "Rooms are booked and empty while others stand in the corridor.",
    ),
    Theme(
        "expense-claims",
        ("expenses",),
        (
            "Photograph receipts instead of posting paper",
            "経費精算の領収書をスマホで撮影して提出したい",
            "Expense claims approved within a week",
            "経費精算の承認を早くしてほしい",
        ),
        "Claims wait weeks for a signature; the paper gets lost in the post.",
    ),
    Theme(
        "campaign-copy",
        ("marketing",),
        (
            "A shared library of approved product images",
            "営業資料の画像を一か所で探せるようにする",
        ),
        "Sales decks use old logos because nobody can find the new ones.",
    ),
    Theme(
        "vpn-access",
        ("remote",),
        (
            "VPN that does not drop every hour",
            "VPNが一時間ごとに切れるのを直してほしい",
            "Single sign-on for the VPN",
        ),
        "Remote colleagues lose their session in the middle of calls.",
    ),
    Theme(
        "contract-review",
        ("contracts",),
        (
            "Standard NDA signed without a legal review",
            "秘密保持契約のひな形なら法務確認なしで締結したい",
            "Contract review status visible to sales",
        ),
        "A standard NDA waits two weeks in the queue with every other contract.",
    ),
    Theme(
        "purchasing",
        ("purchasing",),
        (
            "Buy small items under 50,000 yen without three quotes",
            "少額の購入は相見積もりなしで認めてほしい",
            "A catalogue of pre-approved equipment",
        ),
        "Ordering a keyboard needs three quotes and a fortnight.",
    ),
    Theme(
        "dashboards",
        ("reports",),
        (
            "One sales dashboard everyone trusts",
            "売上ダッシュボードの数字をチーム間でそろえる",
            "Refresh the weekly report automatically",
            "週次レポートを自動で更新してほしい",
        ),
        "Three teams report three different revenue figures for the same week.",
    ),
    Theme(
        "customer-escalations",
        ("customers",),
        (
            "A clear path from support to engineering for urgent customer issues",
            "顧客の緊急案件をエンジニアにすぐ渡せる仕組み",
        ),
        "Urgent tickets bounce between teams while the customer waits.",
    ),
    Theme(
        "internal-tools",
        ("tools",),
        (
            "Status page for internal tools",
            "社内ツールの障害情報を一か所で見たい",
            "Self-service password reset for internal tools",
        ),
        "Nobody knows whether a tool is down or it is just them.",
    ),
    Theme(
        "payroll",
        ("payroll",),
        (
            "Payslips in the HR app instead of email attachments",
            "給与明細をアプリで確認したい",
            "Explain allowance changes before payday",
        ),
        "Payslips arrive as password-protected attachments nobody can open on a phone.",
    ),
    Theme(
        "travel",
        ("travel",),
        (
            "Book trains and hotels in one place",
            "出張の新幹線とホテルを一度に予約したい",
            "Approve business trips in one step",
        ),
        "Travel needs three forms and two approvals before anything is booked.",
    ),
]
COMMENTS = [
    "Yes please, this costs our team hours every week.",
    "We had the same problem last month.",
    "Could this work for contractors too?",
    "これは本当に助かります。",
    "うちのチームでも同じ問題があります。",
    "Happy to help test it.",
    "Is there a workaround in the meantime?",
    "来月の繁忙期までに改善されると嬉しいです。",
]
ANSWERS = {
    "accepted": "Agreed: we will take this on this quarter.",
    "planned": "Planned for the next release of the service.",
    "declined": "Not now: it conflicts with the security policy. We will look again next year.",
    "acknowledged": "Thanks, we are looking into it.",
}
OUTCOMES = [
    "Done: set-up went from five days to one. About 40 hours saved a month.",
    "完了しました。処理時間が半分になり、月に約20時間の削減です。",
    "Shipped. Complaints about this dropped to zero in the first month.",
]


def _japanese(text: str) -> bool:
    return any(ord(character) >= 0x3000 for character in text)


def _people(rng: random.Random) -> list[tuple[str, str, str]]:
    """(email, name, team) for five more colleagues of every team, the new ones' leads first."""
    slugs = [slug for slug, _, _ in seed.TEAMS + TEAMS]
    people, n = [], 0
    for slug in slugs:
        for _ in range(5):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            # One language per name: the family name is taken from the given name's language.
            japanese = _japanese(given)
            same = [f for f in FAMILY if _japanese(f) == japanese]
            family = same[FAMILY.index(family) % len(same)]
            name = f"{family}{given}" if japanese else f"{given} {family}"
            people.append((f"person{n}@example.com", name, slug))
            n += 1
    return people


async def _build_company(conn: Connection, admin: Caller, rng: random.Random) -> list[Caller]:
    await seed.create_teams(conn, admin, TEAMS)
    for email, name, team in _people(rng):
        await conn.execute(
            """INSERT INTO employees (subject, email, name, team_id)
               VALUES ($1, $1, $2, (SELECT id FROM teams WHERE slug = $3))""",
            email,
            name,
            team,
        )
    for slug in await conn.fetchval(
        "SELECT array_agg(slug ORDER BY id) FROM teams t WHERE NOT EXISTS (SELECT 1 FROM team_leads l WHERE l.team_id = t.id)"
    ):
        first = await conn.fetchval(
            "SELECT e.email FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.slug = $1 AND NOT e.is_admin "
            "ORDER BY e.id LIMIT 1",
            slug,
        )
        await leads.assign_by_hand(conn, admin, slug=slug, email=first)
    await seed.create_services(conn, admin, SERVICES)
    emails = await conn.fetchval("SELECT array_agg(email ORDER BY id) FROM employees WHERE NOT is_admin")
    return [await caller_of(conn, email) for email in emails]


async def _lead_of(conn: Connection, team_id: int) -> Caller | None:
    email = await conn.fetchval(
        "SELECT e.email FROM team_leads l JOIN employees e ON e.id = l.employee_id WHERE l.team_id = $1 "
        "ORDER BY e.id LIMIT 1",
        team_id,
    )
    return await caller_of(conn, email) if email else None


async def _answer(conn: Connection, rng: random.Random, idea_id: int, age: timedelta) -> str | None:
    """The routed teams' leads answer an idea older than a few days; the provider's answer is returned."""
    provider_answer = None
    for routed in await conn.fetch(
        "SELECT r.team_id, t.slug, r.role FROM routings r JOIN teams t ON t.id = r.team_id WHERE r.idea_id = $1 "
        "ORDER BY r.team_id",
        idea_id,
    ):
        if age < timedelta(days=4) or rng.random() < 0.12:  # recent, or one of the few left waiting
            continue
        lead = await _lead_of(conn, routed["team_id"])
        if lead is None:
            continue
        if routed["role"] == "provider":
            decision = rng.choices(["accepted", "planned", "declined", "acknowledged"], [4, 3, 2, 2])[0]
            provider_answer = decision
        else:
            decision = "acknowledged"
        answer = RoutingResponse(decision=decision, message=ANSWERS[decision])  # type: ignore[arg-type]
        await routing.respond(conn, lead, idea_id=idea_id, slug=routed["slug"], answer=answer)
    return provider_answer


async def _move_on(
    conn: Connection, admin: Caller, rng: random.Random, idea_id: int, answer: str | None, age: timedelta
) -> None:
    """Accepted and planned ideas move through the workflow with age; some are done."""
    if answer not in ("accepted", "planned"):
        return
    path = ["planned"]
    if age > timedelta(days=60):
        path.append("in_progress")
    if age > timedelta(days=120) and rng.random() < 0.7:
        path.append("done")
    for status in path:
        change = StatusChange(status=status, reason="Decided with the teams concerned.")  # type: ignore[arg-type]
        await statuses.change_status(conn, admin, idea_id=idea_id, change=change)
    if path[-1] == "done":
        await outcomes.note_outcome(conn, admin, idea_id=idea_id, data=OutcomeWrite(note=rng.choice(OUTCOMES)))


async def _ideas(conn: Connection, admin: Caller, people: list[Caller], rng: random.Random, now: datetime) -> None:
    span = timedelta(days=30 * MONTHS)
    for n in range(IDEAS):
        theme = rng.choice(THEMES)
        author = rng.choice(people)
        age = span * (1 - n / IDEAS) * rng.uniform(0.97, 1.0)
        idea = await ideas.create_idea(
            conn,
            author,
            IdeaCreate(
                title=rng.choice(theme.titles), body=theme.body, tags=list(theme.tags), services=[theme.service]
            ),
        )
        await routing.route_idea(conn, idea_id=idea.id)
        for voter in rng.sample(people, min(len(people), int(rng.paretovariate(1.1)) + rng.randrange(3))):
            if voter.employee is not author.employee:
                await cast_vote(conn, voter, idea_id=idea.id)
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            await comments.create_comment(
                conn, rng.choice(people), idea_id=idea.id, data=CommentWrite(body=rng.choice(COMMENTS))
            )
        answer = await _answer(conn, rng, idea.id, age)
        await _move_on(conn, admin, rng, idea.id, answer, age)
        await _back_in_time(conn, idea.id, now - age, rng)


async def _back_in_time(conn: Connection, idea_id: int, posted: datetime, rng: random.Random) -> None:
    """What happened to an idea, moved so it began at `posted`: answers within the team's
    standard mostly, now and then late."""
    await conn.execute("UPDATE ideas SET created_at = $2, updated_at = $2 WHERE id = $1", idea_id, posted)
    await conn.execute(
        """UPDATE votes SET cast_at = $2::timestamptz + (now() - $2::timestamptz) * random() * random() WHERE idea_id = $1""",
        idea_id,
        posted,
    )
    await conn.execute(
        "UPDATE comments SET created_at = $2::timestamptz + interval '1 hour' * (1 + random() * 72), updated_at = created_at "
        "WHERE idea_id = $1",
        idea_id,
        posted,
    )
    late = 2.5 if rng.random() < 0.2 else 0.6
    await conn.execute(
        """UPDATE routings r SET routed_at = $2,
                  due_at = $2::timestamptz + interval '1 hour' * t.response_sla_hours,
                  responded_at = CASE WHEN responded_at IS NULL THEN NULL
                                      ELSE $2::timestamptz + interval '1 hour' * t.response_sla_hours * $3 * (0.2 + random()) END
           FROM teams t WHERE t.id = r.team_id AND r.idea_id = $1""",
        idea_id,
        posted,
        late,
    )
    await conn.execute(
        """UPDATE idea_status_changes SET changed_at = $2::timestamptz + (now() - $2::timestamptz) * (0.3 + 0.1 * (id % 5))
           WHERE idea_id = $1""",
        idea_id,
        posted,
    )


async def _pulses(conn: Connection, rng: random.Random, now: datetime, minimum: int) -> None:
    """A pulse round for every service, answered by its customer teams and closed last month."""
    for row in await conn.fetch("SELECT id, slug, provider_team_id FROM services ORDER BY id"):
        lead = await _lead_of(conn, row["provider_team_id"])
        if lead is None:
            continue
        opened = await surveys.open_pulse(conn, lead, slug=row["slug"], open_days=14)
        for email in (
            await conn.fetchval(
                """SELECT array_agg(e.email ORDER BY e.id) FROM employees e JOIN service_customers c ON c.team_id = e.team_id
               WHERE c.service_id = $1""",
                row["id"],
            )
            or []
        ):
            answer = AnswerWrite(
                csat=rng.choices(range(1, 6), [1, 2, 4, 6, 4])[0],
                ces=rng.choices(range(1, 6), [1, 3, 5, 5, 3])[0],
                improvement=rng.choice(["", "", "Answer faster", "もっと早く対応してほしい"]),
            )
            await surveys.answer(conn, await caller_of(conn, email), round_id=opened.id, data=answer)
        closed = now - timedelta(days=rng.randrange(20, 40))
        await conn.execute(
            "UPDATE survey_rounds SET opened_at = $2::timestamptz - interval '14 days', closes_at = $2 WHERE id = $1",
            opened.id,
            closed,
        )
    await close_due_rounds(conn, minimum=minimum)


async def _finished_campaign(conn: Connection, admin: Caller, people: list[Caller], rng: random.Random) -> None:
    """A campaign that collected, voted and closed a month ago, with its results."""
    now = await conn.fetchval("SELECT now()")
    campaign = CampaignCreate(
        slug="paperless-2026",
        question="Which paper process should go first?",
        description="Forms, stamps, receipts: tell us which one costs you the most time.",
        team="finance",
        services=["expense-claims"],
        collect_until=now + timedelta(days=1),
        vote_until=now + timedelta(days=2),
        decide_until=now + timedelta(days=3),
        vote_budget=3,
    )
    await campaigns.create_campaign(conn, admin, campaign)
    posted = []
    for title in ("Stamp-free approvals for expense claims", "経費精算の押印をなくす", "Digital receipts only"):
        data = IdeaCreate(title=title, services=["expense-claims"], campaign="paperless-2026")
        idea = await posting.post_idea(conn, rng.choice(people), data, attachments_per_item=attachments.PER_ITEM)
        await routing.route_idea(conn, idea_id=idea.id)
        posted.append(idea.id)
    await conn.execute(
        "UPDATE campaigns SET collect_until = now() - interval '1 minute' WHERE slug = $1", campaign.slug
    )
    await campaigns.advance(conn)  # voting now
    for voter in rng.sample(people, 25):
        await cast_vote(conn, voter, idea_id=rng.choice(posted))
    await conn.execute(
        "UPDATE campaigns SET collect_until = now() - interval '50 days', vote_until = now() - interval '40 days',"
        " decide_until = now() - interval '30 days' WHERE slug = $1",
        campaign.slug,
    )
    await campaigns.advance(conn)  # deciding, then closed, its results compiled


async def _thanks(conn: Connection, people: list[Caller], rng: random.Random) -> None:
    messages = [
        "Thank you for the quick fix!",
        "助かりました。ありがとうございます！",
        "The new process saves us hours.",
    ]
    for sender in rng.sample(people, 20):
        team = rng.choice(["it", "hr", "facilities", "finance", "security", "data"])
        if sender.employee is not None and sender.employee.team_slug == team:
            continue
        await send_thanks(conn, sender, ThanksCreate(to_team=team, message=rng.choice(messages)), daily_limit=20)
    await conn.execute("UPDATE thanks SET created_at = now() - interval '1 day' * (random() * 400)")


async def grow_company(conn: Connection, *, minimum_group: int = 5) -> None:
    """Grows the seeded company (portal.seed) into the demo; in the caller's transaction."""
    rng = random.Random(SEED)
    before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM events")
    admin = await caller_of(conn, "admin@example.com")
    now = await conn.fetchval("SELECT now()")
    people = await _build_company(conn, admin, rng)
    await _ideas(conn, admin, people, rng, now)
    await _pulses(conn, rng, now, minimum_group)
    await _finished_campaign(conn, admin, people, rng)
    await _thanks(conn, people, rng)
    await results.compile_ideas(conn, await conn.fetchval("SELECT array_agg(id) FROM ideas"))
    await routing.mark_overdue(conn)
    for months_ago in range(MONTHS + 1):
        await compile_period(conn, period_of(now - timedelta(days=30 * months_ago)))
    # The past was delivered long ago: no notifications, emails or webhooks about it. The seed's
    # few ideas are new: their leads hear of them (in development, in the local mail sink).
    await conn.execute("UPDATE events SET dispatched_at = now() WHERE id > $1 AND dispatched_at IS NULL", before)


async def demo_if_empty(database_url: str, *, minimum_group: int = 5) -> bool:
    """Makes the demo company in a database that has no teams yet; True when it did."""
    conn = await connect(database_url)
    try:
        async with conn.transaction():
            # Two `portal dev` starting at once must not both make it.
            await conn.execute("LOCK TABLE teams IN EXCLUSIVE MODE")
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM teams)"):
                return False
            await seed.seed(conn)
            await grow_company(conn, minimum_group=minimum_group)
            return True
    finally:
        await conn.close()
