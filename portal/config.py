"""One settings class, read from the environment (and an optional .env file)."""

from __future__ import annotations

import tempfile
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
# Values seen in examples and compose files; a secret anyone can read forges any token.
KNOWN_SECRETS = frozenset(
    {
        "change-me-in-production",
        "changeme",
        "change-me",
        "secret",
        "password",
        "development",
        "test",
        "portal",
        "idea-portal",
    }
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "PORTAL_DATABASE_URL"))
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "PORTAL_REDIS_URL"))
    # production refuses weak secrets; development (`portal dev`) and test do not, and enable the
    # development sign-in page.
    environment: Literal["production", "development", "test"] = "production"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    db_pool_min: int = Field(default=2, ge=0, le=1000)
    db_pool_max: int = Field(default=20, ge=1, le=1000)
    db_connect_timeout: float = Field(default=10.0, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    shutdown_timeout: float = Field(default=30.0, ge=0)
    data_dir: Path = Path(".portal-data")
    migrations_dir: Path = PROJECT_ROOT / "sql"

    # Authentication
    jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: list[str] = ["RS256", "ES256"]
    # A key removed from the JWKS stops working within this many seconds; a token naming an
    # unknown key id fetches the set again, at most this often.
    jwks_refresh_seconds: float = Field(default=300.0, ge=1, le=86_400)
    jwks_refetch_seconds: float = Field(default=5.0, ge=0, le=3600)
    claim_subject: str = "sub"
    claim_email: str = "email"
    claim_name: str = "name"
    claim_team: str = "team"
    claim_roles: str = "roles"

    # The web client's sign-in (OpenID Connect, authorization code flow with PKCE) against the same
    # identity provider whose tokens the API trusts.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    # The portal's address as browsers reach it (for the sign-in redirect and links in emails);
    # default: taken from each request. Cookies are marked Secure when it is https://.
    public_url: str | None = None
    # Where a problem's `type` points (RFC 9457): the portal's own /problems/ pages by default, a
    # reference relative to it; or an absolute https:// base for documentation kept elsewhere.
    problem_base: str = Field(default="/problems/", pattern=r"^(/|https?://[^\s/]+/)([^\s?#]*/)?$")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # Reports from this many different people hide an idea, comment or thanks until a moderator
    # looks at it (portal.moderation).
    moderation_hide_after: int = Field(default=3, ge=2, le=100)
    # The reverse proxies or load balancers in front of the portal (networks, e.g. ["10.0.0.0/8"]):
    # a request from one of them is taken to come from the address it names last in
    # X-Forwarded-For (the audit trail's address, the logs'); from anywhere else, the header is
    # ignored, so a client cannot choose the address recorded for it.
    trusted_proxies: list[IPv4Network | IPv6Network] = []
    # How long what is personal and short-lived is kept (portal.retention, docs/data.md).
    retain_notifications_days: int = Field(default=180, ge=1, le=3650)
    retain_deliveries_days: int = Field(default=30, ge=1, le=3650)
    # Administrative acts (portal.audit): long enough for a yearly review and the one after.
    retain_audit_days: int = Field(default=1095, ge=30, le=36500)
    idempotency_hours: int = Field(default=24, ge=1, le=24 * 30)
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    default_locale: Literal["en", "ja"] = "en"
    default_time_zone: str = "Asia/Tokyo"

    # The company's directory (docs/directory.md). claims: people are created at first sign-in and
    # a token's claims set their team and admin role; scim: only people the identity provider
    # provisioned (SCIM) may sign in, and claims move nobody. Either way, a record the directory
    # keeps (SCIM or an org file) is never changed by claims.
    directory: Literal["claims", "scim"] = "claims"
    # Whom people should ask about their access or a team without a lead (shown on those pages).
    directory_contact: str = Field(default="your portal's administrators", min_length=1, max_length=200)
    # A directory group named "<team's group name><suffix>" holds that team's leads.
    directory_leads_suffix: str = Field(default=" Leads", min_length=1, max_length=50)
    # The directory group whose members are the portal's admins.
    directory_admin_group: str = Field(default="Idea Portal Admins", min_length=1, max_length=256)
    # The directory group whose members are the portal's moderators (portal.moderation).
    directory_moderator_group: str = Field(default="Idea Portal Moderators", min_length=1, max_length=256)
    # SCIM requests per token per window before 429, counted apart from people's writes; and how
    # many each API process serves at once (the rest wait), so provisioning leaves room for people.
    scim_rate_limit: int = Field(default=30_000, ge=1)
    scim_rate_window_seconds: int = Field(default=60, ge=1)
    scim_concurrency: int = Field(default=1, ge=1, le=256)
    # While people are using the portal, each SCIM request is followed by a rest this many times
    # as long as it took (0: none): slower provisioning, steadier latency for people.
    scim_rest_per_work: float = Field(default=0.0, ge=0, le=10)
    # An org file that would deactivate more than this share of the active employees it manages
    # is refused unless the admin confirms it (a truncated export must not empty the company).
    import_max_deactivation_share: float = Field(default=0.1, ge=0, le=1)
    # The largest org file the admin page takes (100,000 people are about 6 MB).
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)

    # Writes per employee per minute before 429.
    write_rate_limit: int = Field(default=600, ge=1)
    write_rate_window_seconds: int = Field(default=60, ge=1)

    # Events and webhooks
    event_source: str = "/idea-portal"
    # Encrypts webhook signing secrets at rest; required to create webhooks.
    encryption_key: str | None = None
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # Seconds to wait before each retry; the default spans about a day (Standard Webhooks' schedule).
    webhook_retry_schedule: list[int] = [5, 300, 1800, 7200, 18000, 36000, 36000]
    webhook_disable_after_hours: float = Field(default=72.0, gt=0)
    # Outbound webhooks to private, loopback, link-local or metadata addresses are refused
    # unless their host or network is allowed here (e.g. ["hooks.internal"], ["10.1.0.0/16"]).
    webhook_allow_hosts: list[str] = []
    webhook_allow_networks: list[str] = []

    # Attachments (portal.attachments): where their bytes are kept, `postgres` (this database) or
    # `s3://bucket?endpoint_url=https://...&region=...` (credentials from AWS_ACCESS_KEY_ID and
    # AWS_SECRET_ACCESS_KEY, as every S3 client reads them); and the limits.
    storage_url: str = Field(default="postgres", pattern=r"^(postgres|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\?\S*)?)$")
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    attachments_per_item: int = Field(default=10, ge=1, le=100)
    attachment_daily_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    # Larger images are refused as decompression bombs (Pillow's own guard, made an error).
    attachment_max_pixels: int = Field(default=50_000_000, ge=10_000)

    # Chat (portal.chat, docs in README "Slack and Microsoft Teams"): the Slack app's bot token and
    # signing secret, and the Web API's base (Slack's own; set for tests, Enterprise Grid or a proxy).
    # Team channels follow the webhooks' retry schedule, timeout and address guard (Teams URLs).
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = Field(default="https://slack.com/api/", pattern=r"^https?://[^\s]+/$")

    # Event streams (SSE): one poll of the feed per API process serves every open stream.
    stream_poll_ms: int = Field(default=100, ge=10, le=10_000)
    stream_max_per_caller: int = Field(default=5, ge=1, le=1000)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)

    # Scheduler
    # How often the scheduler numbers new events and looks for undispatched ones to relay.
    relay_poll_ms: int = Field(default=10, ge=1, le=10_000)
    results_interval_seconds: float = Field(default=2.0, gt=0)
    webhook_retry_interval_seconds: float = Field(default=5.0, gt=0)
    overdue_interval_seconds: float = Field(default=60.0, gt=0)
    # A routed idea's answer is "due soon" within a quarter of its response period, at most this long.
    due_soon_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    # How often votes older than a week leave `trending` (ranking by it is at most this stale).
    trending_interval_seconds: float = Field(default=60.0, gt=0)
    digest_cron: str = "0 7 * * *"
    digest_period_hours: int = Field(default=24, ge=1, le=24 * 31)

    # Notifications by email (SMTP). Without a host no email is sent; notifications due by email
    # wait (in the portal they are listed as usual) and go out, one email per person, once it is set.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # starttls: upgrade a plain connection (port 587); tls: TLS from the start (port 465);
    # none: a plain connection (a local relay or the development sink only).
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Idea Portal <idea-portal@localhost>"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # An employee gets at most one email per window; what comes meanwhile waits and goes together.
    notification_window_seconds: float = Field(default=300.0, ge=0, le=86_400)
    # How often held and retried emails are looked for (and daily digests released on time).
    notification_sweep_seconds: float = Field(default=10.0, gt=0, le=3600)
    # When 'daily digest' notifications are released (in default_time_zone).
    notification_digest_cron: str = "0 8 * * *"
    # An email still 'sending' after this long was interrupted mid-send: it is never sent again.
    notification_sending_timeout_seconds: float = Field(default=600.0, gt=0)
    # Seconds before each retry of an email the SMTP server could not take for now.
    notification_retry_schedule: list[int] = [10, 60, 300, 1800, 7200]
    # How often an open page's notification badge is refreshed (one query per API process).
    notification_poll_seconds: float = Field(default=1.0, ge=0.05, le=60)

    # How often campaigns whose deadline passed are moved to their next phase.
    campaign_interval_seconds: float = Field(default=30.0, gt=0)
    # How often this month's (and last month's) scorecards are compiled.
    scorecard_interval_seconds: float = Field(default=600.0, gt=0)
    # Surveys: no result is shown for a group of fewer answers than this (never below 3); and how
    # often rounds are opened on schedule and closed at their deadline.
    survey_minimum_group: int = Field(default=5, ge=3, le=1000)
    survey_interval_seconds: float = Field(default=60.0, gt=0)
    # Thanks an employee may send in any 24 hours.
    thanks_per_day: int = Field(default=20, ge=1, le=10_000)

    # Development only: the Maildir of `portal mail-sink`, whose messages /dev/mail shows.
    dev_maildir: Path | None = None

    # Workers
    worker_processes: int = Field(default=1, ge=1, le=64)
    worker_threads: int = Field(default=4, ge=1, le=256)
    broker_heartbeat_timeout_ms: int = Field(default=60_000, ge=1_000)
    # How long an idle worker waits between polls of Redis at most (dramatiq's worker timeout).
    worker_poll_ms: int = Field(default=100, ge=10, le=10_000)

    # Operations: the worker and the scheduler serve Prometheus metrics on ports of their own
    # (0: not served), and write a heartbeat file that `portal health worker|scheduler` reads.
    metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9191, ge=0, le=65535)
    scheduler_metrics_port: int = Field(default=9192, ge=0, le=65535)
    heartbeat_dir: Path = Field(default_factory=lambda: Path(tempfile.gettempdir()) / "idea-portal-heartbeats")
    backlog_interval_seconds: float = Field(default=15.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _database_url_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// URL")
        return value

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Tokyo)") from None
        return value

    @field_validator(
        "jwt_secret",
        "jwks_url",
        "jwt_issuer",
        "jwt_audience",
        "encryption_key",
        "oidc_issuer",
        "oidc_client_id",
        "oidc_client_secret",
        "public_url",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "slack_bot_token",
        "slack_signing_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _strong_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        for name, value in (("jwt_secret", self.jwt_secret), ("encryption_key", self.encryption_key)):
            if value is not None and (
                len(value) < MIN_SECRET_LENGTH or value.lower() in KNOWN_SECRETS or len(set(value)) < 8
            ):
                raise ValueError(
                    f"PORTAL_{name.upper()}: too weak for production: use {MIN_SECRET_LENGTH}+ random "
                    "characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
        return self

    def summary(self) -> dict[str, object]:
        """The settings for a start-up log line: secrets only as set or not, URLs without passwords."""
        values = self.model_dump(mode="json", exclude=SECRET_FIELDS)
        for name in ("database_url", "redis_url"):
            values[name] = _without_password(values[name])
        values.update({name: "set" if getattr(self, name) else "unset" for name in SECRET_FIELDS})
        return values

    def require_urls(self) -> tuple[str, str]:
        """Both service URLs, or a SettingsError naming the one that is missing."""
        if not self.database_url:
            raise SettingsError("DATABASE_URL: not set")
        if not self.redis_url:
            raise SettingsError("REDIS_URL: not set")
        return self.database_url, self.redis_url


def public_base(settings: Settings) -> str:
    """Where links in emails and chat messages point: PORTAL_PUBLIC_URL, else the listening address."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


SECRET_FIELDS = {
    "jwt_secret",
    "encryption_key",
    "oidc_client_secret",
    "smtp_password",
    "slack_bot_token",
    "slack_signing_secret",
}


def _without_password(url: str | None) -> str | None:
    if not url:
        return url
    from yarl import URL

    parsed = URL(url)
    return str(parsed.with_password("***")) if parsed.password else url


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it in one line."""


ENV_NAMES = {"database_url": "DATABASE_URL", "redis_url": "REDIS_URL"}


def load_settings(**overrides) -> Settings:
    """Settings from the environment, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if not error["loc"]:  # a rule across settings names them in its own message
                problems.append(str(error["msg"]).removeprefix("Value error, "))
                continue
            field = str(error["loc"][0]).lower().removeprefix("portal_")
            name = ENV_NAMES.get(field, f"PORTAL_{field.upper()}")
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("; ".join(problems)) from None
