"""A local SMTP server that keeps every message it receives in a Maildir, sending nothing on.

`portal dev` runs it so a newcomer sees the portal's emails (at /dev/mail), and the tests run
it as a real server process and read what it received. Not for production.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import signal
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    def __init__(self, maildir: Path, delay_seconds: float = 0.0) -> None:
        for part in ("tmp", "new", "cur"):  # Maildir(create=True) makes them only for a folder it creates
            (maildir / part).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(maildir)
        self.delay_seconds = delay_seconds

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay_seconds:  # tests: a server slow to accept, to interrupt a send midway
            await asyncio.sleep(self.delay_seconds)
        content = envelope.original_content or b""
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        self.maildir.add(header + content)
        return "250 Message accepted for delivery"


def serve(host: str, port: int, maildir: Path, delay_seconds: float = 0.0) -> None:
    """Runs until SIGTERM or SIGINT."""
    controller = Controller(MaildirHandler(maildir, delay_seconds), hostname=host, port=port)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    controller.start()  # serves on a thread of its own
    print(f"mail sink listening on {host}:{port}, keeping messages in {maildir}", flush=True)
    try:
        while not stopped.wait(0.5):
            pass
    finally:
        controller.stop()


@dataclass
class Captured:
    key: str
    received_at: float
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""


def read(maildir: Path) -> list[Captured]:
    """Every message in the Maildir, oldest first."""
    if not maildir.exists():
        return []
    box = mailbox.Maildir(maildir, create=False)
    captured = []
    for key in box.iterkeys():
        path = _message_path(maildir, key)
        raw = path.read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        captured.append(Captured(key, path.stat().st_mtime, message))
    return sorted(captured, key=lambda item: (item.received_at, item.key))


def _message_path(maildir: Path, key: str) -> Path:
    for folder in ("new", "cur"):
        for path in (maildir / folder).glob(f"{key}*"):
            return path
    raise FileNotFoundError(key)
