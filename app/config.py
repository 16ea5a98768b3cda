"""Settings for one Lounge process, read from `LOUNGE_*` environment variables.

Nothing here connects to anything: `create_app(settings)` does that in its lifespan.
The secret key is never hard-coded; when `LOUNGE_SECRET_KEY` is unset it is generated
once and kept in the data directory, so sessions survive restarts. The public address
(`LOUNGE_BASE_URL`) defaults to the address the process serves on (`LOUNGE_HOST`,
`LOUNGE_PORT`, which `make run` sets), so links in pages, feeds and e-mail point back here.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOUNGE_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/lounge.db"
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    data_dir: Path = Path("var")
    # Where this process listens (`make run` passes its HOST and PORT); they give the default
    # public address when `base_url` is unset.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = ""
    # Extra origins allowed to make cookie-authenticated requests (comma-separated).
    allowed_origins: str = ""
    smtp_url: str | None = None
    # The sender of e-mail; unset: "Lounge <no-reply@host of BASE_URL>".
    mail_from: str | None = None
    # The in-app outbox worker (reminders, e-mail, webhooks); off for instances that only serve.
    worker_enabled: bool = True
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    allow_registration: bool = True
    log_level: str = "INFO"

    session_days: int = Field(default=14, ge=1)
    login_failures_per_window: int = Field(default=10, ge=1)
    login_failure_window_seconds: int = Field(default=600, ge=1)
    token_cache_seconds: float = Field(default=5.0, ge=0)
    # Directory pages are invalidated by every write; this only bounds staleness should a
    # broadcast between instances be lost. 0 turns the directory memory off.
    directory_cache_seconds: float = Field(default=30.0, ge=0)
    rate_limits_enabled: bool = True
    rate_limit_reads: str = "600/minute"
    rate_limit_writes: str = "120/minute"
    # Live chat over WebSocket: per-person message rate (burst, then per second), frames per
    # connection, refused frames in 10 s that count as a flood (close 1008), the bounded send
    # queue per socket (a client that lets it fill is closed with 1013), membership re-checks.
    # A client whose unsent bytes (server and kernel buffers, and its queue) stay over
    # `slow_consumer_bytes` for `slow_consumer_seconds` is closed with 1013 as well, sooner.
    chat_message_burst: int = Field(default=20, ge=1)
    chat_messages_per_second: float = Field(default=5.0, gt=0)
    chat_frame_burst: int = Field(default=60, ge=1)
    chat_frames_per_second: float = Field(default=20.0, gt=0)
    chat_flood_strikes: int = Field(default=30, ge=1)
    chat_send_queue: int = Field(default=256, ge=8)
    chat_slow_consumer_bytes: int = Field(default=64 * 1024, ge=16 * 1024)
    chat_slow_consumer_seconds: float = Field(default=2.0, gt=0)
    chat_membership_check_seconds: float = Field(default=2.0, gt=0)
    # Webhooks: hosts or CIDRs (comma-separated) that may be targets even though they are
    # private, loopback or link-local; the receiver's time limit; retries back off from
    # `retry_base` seconds (doubling, at most `max_attempts` tries); an endpoint is switched off
    # after `disable_after` failures in a row; at most `concurrency` requests in flight per job.
    webhook_allowlist: str = ""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_disable_after: int = Field(default=10, ge=1)
    webhook_concurrency: int = Field(default=10, ge=1)
    # Goals: an active goal with no check-in for this many days rings its owner's bell.
    checkin_nudge_days: int = Field(default=30, ge=1, le=365)

    @field_validator("redis_url", "smtp_url", "mail_from", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _base_url_defaults_to_the_served_address(self) -> Settings:
        if not self.base_url:
            # A wildcard listener has no address of its own to link to; the loopback one works here.
            wildcards = {"0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 - names them, binds nothing
            host = wildcards.get(self.host, self.host)
            if ":" in host:
                host = f"[{host}]"
            self.base_url = f"http://{host}:{self.port}"
        return self

    @cached_property
    def secret(self) -> str:
        """The signing secret: configured, or generated once and stored in the data dir."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(value)
        return value

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix pins the cookie to this exact origin; browsers allow it only over https.
        return "__Host-lounge_session" if self.https else "lounge_session"

    @property
    def trusted_origins(self) -> frozenset[str]:
        base = urlsplit(self.base_url)
        origins = {f"{base.scheme}://{base.netloc}"}
        origins.update(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())
        return frozenset(origins)
