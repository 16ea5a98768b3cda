"""Outgoing e-mail through `LOUNGE_SMTP_URL`: the messages (plain text, optionally with an
iTIP calendar part per RFC 6047, `text/calendar; method=…` as an alternative body), and the
`email` outbox job that sends one, so a slow or failing mail server is retried and never
holds up a request.

URL forms: `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587` (upgraded with
STARTTLS) and `smtps://user:pass@host:465` (TLS from the first byte).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from app.services.outbox import JobHandler, enqueue

EMAIL_JOB = "email"
_SCHEMES = {"smtp": (25, False, False), "smtp+starttls": (587, False, True), "smtps": (465, True, False)}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    use_tls: bool
    start_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES or not parts.hostname:
            raise ValueError("LOUNGE_SMTP_URL must look like smtp://host:port, smtp+starttls://… "
                             "or smtps://…")
        default_port, use_tls, start_tls = _SCHEMES[parts.scheme]
        return cls(host=parts.hostname, port=parts.port or default_port, use_tls=use_tls,
                   start_tls=start_tls,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


def sender_address(mail_from: str | None, base_url: str) -> str:
    """The configured sender, or `Lounge <no-reply@host>` for the app's own host."""
    if mail_from:
        return mail_from
    host = urlsplit(base_url).hostname or "localhost"
    return formataddr(("Lounge", f"no-reply@{host}"))


def compose(*, sender: str, to: str, subject: str, text: str, calendar: bytes | None = None,
            method: str | None = None) -> EmailMessage:
    """A plain-text message; with `calendar`, the iCalendar object rides along as an alternative
    (`text/calendar; method=…`, which calendar clients act on) and as an `.ics` attachment."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    message.set_content(text)
    if calendar is not None:
        params = {"method": method} if method else {}
        message.add_alternative(calendar.decode(), subtype="calendar", params=params)
        message.add_attachment(calendar, maintype="application", subtype="ics",
                               filename="invite.ics")
    return message


class Mailer:
    """Sends one message per call; a failure raises, and the outbox retries the job."""

    def __init__(self, smtp_url: str, *, timeout: float = 30.0) -> None:
        self.server = SmtpServer.from_url(smtp_url)
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        server = self.server
        await aiosmtplib.send(
            message, hostname=server.host, port=server.port, username=server.username,
            password=server.password, use_tls=server.use_tls, start_tls=server.start_tls,
            timeout=self.timeout)


async def queue_email(db: AsyncSession, *, to: str, subject: str, text: str, key: str,
                      calendar: bytes | None = None, method: str | None = None) -> None:
    """Stage an e-mail in the caller's transaction; `key` keeps it from being sent twice."""
    payload: dict[str, Any] = {"to": to, "subject": subject, "text": text}
    if calendar is not None:
        payload["calendar"], payload["method"] = calendar.decode(), method
    await enqueue(db, EMAIL_JOB, payload, key=key)


def email_job(mailer: Mailer, *, sender: str) -> JobHandler:
    """The handler of `email` jobs."""

    async def deliver(db: AsyncSession, payload: dict[str, Any]) -> None:
        calendar = payload.get("calendar")
        await mailer.send(compose(
            sender=sender, to=payload["to"], subject=payload["subject"], text=payload["text"],
            calendar=calendar.encode() if calendar is not None else None,
            method=payload.get("method")))

    return deliver
