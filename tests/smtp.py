"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping what it receives."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message

import icalendar
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    def calendar(self) -> icalendar.Calendar | None:
        """The `text/calendar` part (the iTIP invitation), parsed."""
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                return icalendar.Calendar.from_ical(part.get_payload(decode=True))
        return None

    def calendar_method(self) -> str | None:
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                return part.get_param("method")
        return None

    def text(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode()
        return ""


@dataclass
class SmtpSink:
    """`with SmtpSink() as sink:` serves SMTP at `sink.url` until the block ends."""

    username: str | None = None
    password: str | None = None
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      email.message_from_bytes(envelope.content)))
        return "250 Message accepted"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            auth_data.login.decode() == self.username and auth_data.password.decode() == self.password
        if ok:
            self.logins.append(self.username or "")
        return AuthResult(success=ok)

    def __enter__(self) -> SmtpSink:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        options = {}
        if self.username is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    @property
    def url(self) -> str:
        credentials = f"{self.username}:{self.password}@" if self.username is not None else ""
        return f"smtp://{credentials}127.0.0.1:{self.port}"
