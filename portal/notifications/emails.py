"""Notification emails: composed per employee (at most one per coalescing window), rendered in
the recipient's language when sent, sent over SMTP, each at most once.

An email's life: composed 'queued' with the notifications due for its recipient; leased by a
send batch (still queued); 'sending' (committed just before its own SMTP transaction starts) ->
'sent'; or back to 'queued' for a retry when the server could not take it for now, 'failed' when
it refused it or the retries ran out, and 'unknown' when a worker died mid-send (never sent
again: at most once). A worker killed mid-batch leaves only the email it was sending uncertain;
the rest of its batch was never marked and is sent once their lease runs out.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

import aiosmtplib
import asyncpg
import jinja2

from portal.config import Settings, public_base
from portal.db import Connection, statement
from portal.i18n import Formats, load_translations
from portal.notifications import queries as q
from portal.notifications import texts

log = logging.getLogger("portal.notifications")
COMPOSE_BATCH = 200
SEND_BATCH = 50
# An email lists at most this many notifications; the rest are in the portal.
LISTED = 30


@functools.cache
def templates(locale: str) -> jinja2.Environment:
    """The email templates with one language's catalogue installed."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("portal", "templates/email"),
        extensions=["jinja2.ext.i18n"],
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(load_translations()[locale], newstyle=True)  # type: ignore[attr-defined]
    return environment


def unsubscribe_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def drop_for(conn: Connection, employee_ids: list[int]) -> None:
    """Emails still queued for employees who left are never sent."""
    await conn.execute(q.DROP_EMAILS_OF, employee_ids)


async def release_daily(conn: Connection) -> tuple[int, int]:
    """The daily digest: notifications held for it become visible in the portal and due by email
    or Slack. Answers how many became visible, and how many due to be sent."""
    shown = await conn.execute(q.RELEASE_DAILY_PORTAL)
    due = await conn.execute(q.RELEASE_DAILY_EMAIL)
    slack = await conn.execute(q.RELEASE_DAILY_SLACK)
    return int(shown.split()[-1]), int(due.split()[-1]) + int(slack.split()[-1])


async def compose(conn: Connection, *, window_seconds: float, domain: str, limit: int = COMPOSE_BATCH) -> list[int]:
    """One email for each employee with notifications due whose window is open; answers their ids."""
    recipients = [row["recipient_id"] for row in await conn.fetch(q.DUE_RECIPIENTS, limit)]
    if not recipients:
        return []
    claimed = [row["employee_id"] for row in await conn.fetch(q.CLAIM_WINDOWS, recipients, window_seconds)]
    if not claimed:
        return []
    return [row["id"] for row in await conn.fetch(q.CREATE_EMAILS, claimed, domain)]


@dataclass
class Outgoing:
    id: int
    attempt: int  # the number of this attempt
    message: EmailMessage
    unsubscribe_hash: bytes


@dataclass
class Outcome:
    error: str | None = None
    retry: bool = False  # the server could not take it for now


async def lease(conn: Connection, email_ids: list[int] | None, settings: Settings) -> list[Outgoing]:
    """Leases due queued emails for a send batch and renders them (each with a fresh unsubscribe
    token); nothing is marked 'sending' yet."""
    limit = len(email_ids) if email_ids is not None else SEND_BATCH
    rows = await conn.fetch(q.LEASE_EMAILS, email_ids, limit, settings.notification_sending_timeout_seconds)
    if not rows:
        return []
    carried: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in await conn.fetch(q.EMAIL_NOTIFICATIONS, [row["id"] for row in rows]):
        carried[n["email_id"]].append(dict(n))
    outgoing = []
    for row in sorted(rows, key=lambda row: row["id"]):
        if carried[row["id"]]:
            token = secrets.token_urlsafe(24)
            message = render(row, carried[row["id"]], token, settings)
            outgoing.append(Outgoing(row["id"], row["attempt"], message, unsubscribe_hash(token)))
    return outgoing


def render(recipient: Any, notifications: list[dict[str, Any]], token: str, settings: Settings) -> EmailMessage:
    """The email in the recipient's language: plain text and HTML, a link to each idea, and
    RFC 8058 one-click unsubscribe for the kinds it carries."""
    locale = recipient["locale"] or settings.default_locale
    translations = load_translations()[locale]
    base = public_base(settings)
    formats = Formats(locale, recipient["time_zone"] or settings.default_time_zone)
    items = [
        {
            "sentence": texts.sentence(n, translations.gettext),
            "url": base + texts.path(n),
            "when": formats.short(n["created_at"]),
            "excerpt": (n["data"].get("excerpt") or n["data"].get("message") or "").replace(
                "(/attachments/", f"({base}/attachments/"
            ),
        }
        for n in notifications[:LISTED]
    ]
    unsubscribe = f"{base}/unsubscribe/{token}"
    context = {
        "name": recipient["name"],
        "items": items,
        "more": max(0, len(notifications) - LISTED),
        "portal_url": base + "/notifications",
        "preferences_url": base + "/settings/notifications",
        "unsubscribe_url": unsubscribe,
        "locale": locale,
    }
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = formataddr((recipient["name"], recipient["address"]))
    message["Subject"] = texts.subject(notifications, translations.gettext)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = recipient["message_id"]
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(templates(locale).get_template("notifications.txt").render(context))
    message.add_alternative(templates(locale).get_template("notifications.html").render(context), subtype="html")
    message["Content-Language"] = locale  # after the content: setting content clears Content-* headers
    return message


def smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def _outcome(exc: BaseException) -> Outcome:
    """A refusal (5xx) is final; anything else (4xx, a lost connection, a timeout) is retried."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        final = all(refusal.code >= 500 for refusal in exc.recipients)
        return Outcome(f"recipient refused: {exc.recipients[0].message}", retry=not final)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 500:
        return Outcome(f"{exc.code} {exc.message}")
    return Outcome(f"{type(exc).__name__}: {exc}", retry=True)


async def send(pool: asyncpg.Pool, outgoing: list[Outgoing], settings: Settings) -> list[Outcome]:
    """Sends the emails over one SMTP connection. Each is marked 'sending' just before its own SMTP
    transaction and its outcome recorded just after, so a worker killed now leaves at most that
    one email uncertain. One outcome per email sent or tried."""
    client = smtp_client(settings)
    try:
        await client.connect()
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        outcome = _outcome(exc)
        for item in outgoing:  # never marked: they stay queued, for a retry
            await statement(pool, lambda conn: record(conn, item, outcome, settings))  # noqa: B023
        return [outcome] * len(outgoing)
    outcomes: list[Outcome] = []
    try:
        for item in outgoing:
            if not await statement(pool, lambda conn: mark_sending(conn, item)):  # noqa: B023
                continue  # another worker took it once this batch's lease ran out
            outcome = await _send_one(client, item)
            await statement(pool, lambda conn: record(conn, item, outcome, settings))  # noqa: B023
            outcomes.append(outcome)
    finally:
        try:
            await client.quit()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()
    return outcomes


async def _send_one(client: aiosmtplib.SMTP, item: Outgoing) -> Outcome:
    try:
        if not client.is_connected:
            await client.connect()
        await client.send_message(item.message)
        return Outcome()
    except aiosmtplib.SMTPServerDisconnected as exc:
        client.close()  # the next email connects again
        return _outcome(exc)
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return _outcome(exc)


async def mark_sending(conn: Connection, item: Outgoing) -> bool:
    return await conn.fetchval(q.MARK_SENDING, item.id, item.unsubscribe_hash, item.attempt) is not None


async def record(conn: Connection, item: Outgoing, outcome: Outcome, settings: Settings) -> None:
    if outcome.error is None:
        await conn.execute(q.MARK_SENT, item.id)
        return
    schedule = settings.notification_retry_schedule
    retry_in = float(schedule[item.attempt - 1]) if outcome.retry and item.attempt <= len(schedule) else None
    await conn.execute(q.MARK_FAILED, item.id, outcome.error[:1000], item.attempt, retry_in)
    log.warning("email not sent", extra={"fields": {"email_id": item.id, "error": outcome.error}})


async def sweep(conn: Connection, *, sending_timeout_seconds: float) -> tuple[list[int], int]:
    """Queued emails due for an attempt, and how many interrupted ones were given up."""
    abandoned = int((await conn.execute(q.ABANDON_SENDING, sending_timeout_seconds)).split()[-1])
    return [row["id"] for row in await conn.fetch(q.DUE_EMAILS, 1000)], abandoned


def message_domain(settings: Settings) -> str:
    """The domain of Message-IDs: the sender's, else this host's."""
    return settings.smtp_sender.rpartition("@")[2].strip().rstrip(">") or "localhost"
