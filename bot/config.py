"""Settings from the environment or `.env`, validated once at start-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.zones import resolve_zone

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "tr")
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A panel's name is typed in bulk lines (`panel | service | link | quantity`) and shown on
# buttons: short, and free of the bulk separators and of `=`/`,` (PANELS' own syntax).
PANEL_NAME_RE = re.compile(r"[^\s|;,=\t][^|;,=\t]{0,23}")


@dataclass(frozen=True, slots=True)
class PanelPreset:
    """A panel the operator offers by name (PANELS); its URL is trusted, unlike a user's."""

    name: str
    url: str


def preset_name_of(url: str) -> str:
    """The name a panel gets when the operator gave none: its host, without `www.`."""
    host = urlsplit(url).hostname or "panel"
    return host.removeprefix("www.")[:24]


def parse_panels(value: str) -> tuple[PanelPreset, ...]:
    """`name=url, name=url` → presets; ValueError naming the first bad entry."""
    presets: list[PanelPreset] = []
    seen: set[str] = set()
    for raw in value.split(","):
        entry = raw.strip()
        if not entry:
            continue
        name, sep, url = entry.partition("=")
        name, url = name.strip(), url.strip()
        if not sep or not name or not url:
            raise ValueError(f"{entry!r} is not name=url")
        if not PANEL_NAME_RE.fullmatch(name):
            raise ValueError(f"panel name {name!r} must be 1-24 characters without | ; , = or tabs")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the URL of {name!r} must start with http:// or https://")
        if name.casefold() in seen:
            raise ValueError(f"two panels are named {name!r}")
        seen.add(name.casefold())
        presets.append(PanelPreset(name, url))
    return tuple(presets)


class AccessMode(StrEnum):
    ALLOWLIST = "allowlist"
    OPEN = "open"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and is safe to print."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    panel_api_url: str = "https://roketbayim.com/api/v2"
    # Named panel presets, `name=url,name=url`; empty: one preset built from PANEL_API_URL.
    panels_setting: Annotated[str, Field(alias="panels")] = ""
    # Users may add any API v2 URL (https, public addresses only unless ALLOW_PRIVATE_PANELS).
    allow_custom_panels: bool = False
    allow_private_panels: bool = False
    # Panels one user may link: each costs a catalog in memory and a poll per cycle.
    max_panels_per_user: int = Field(default=5, ge=1)
    # Process-wide budget of the cached service catalogs (MB = 1,048,576 bytes), LRU-evicted.
    catalog_cache_mb: float = Field(default=64, gt=0)
    database_path: Path = Path("data/bot.sqlite3")
    # postgresql://user:password@host:5432/db selects PostgreSQL; unset: SQLite at DATABASE_PATH
    # (whose directory then still holds the placement journal). Several processes may then
    # share it, one active (the leader) and the others on standby.
    database_url: SecretStr | None = None
    # With PostgreSQL: how soon a standby takes over from a leader that died or was cut off.
    failover_seconds: float = Field(default=10, ge=1)
    # SQLite: how long a write waits for the database's write lock (held by a backup, another
    # process) before its user is told to try again; reads never wait for it.
    database_busy_seconds: float = Field(default=5, gt=0, le=60)
    # How often outcomes the database refused (the placement journal, memory) are tried again.
    journal_import_seconds: float = Field(default=30, gt=0)
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    access_mode: AccessMode = AccessMode.ALLOWLIST
    encryption_key: SecretStr | None = None
    status_poll_seconds: float = Field(default=60, gt=0)
    services_cache_seconds: float = Field(default=600, ge=0)
    # At Confirm the prices compared with the preview are at most this old, whatever the
    # catalog cache would still serve: an older catalog is read again (one call per panel key).
    price_check_seconds: float = Field(default=30, ge=0)
    # The price watch (issue 24 part 1) reads each watched panel key's catalog at least this
    # often, and at most once in this time unless the bot read it anyway for a user.
    price_watch_seconds: float = Field(default=3600, gt=0)
    # How long a preview's Confirm button stays good (the price and key it promised).
    draft_ttl_seconds: float = Field(default=1800, gt=0)
    # A scheduled order's run found this late (the bot was down) is not placed without asking
    # its user; within it, it is placed at start-up (issue 24).
    schedule_grace_seconds: float = Field(default=3600, ge=0)
    # How often the leader looks for scheduled runs that are due: a run is placed at most about
    # this long after its time (plus the price check and the panel call).
    schedule_check_seconds: float = Field(default=1, gt=0, le=60)
    default_language: str = "en"
    # IANA zone times are shown in for users who did not pick their own in Settings; unset, each
    # user's language picks it (Turkish: Europe/Istanbul; others: UTC).
    timezone: str | None = None
    log_level: str = "INFO"
    # Wall-clock budget of one user-facing panel call, retries included (the poller gets twice).
    panel_timeout_seconds: float = Field(default=30, gt=0)
    # Cap on a `services` answer; every other answer is capped at 1 MB.
    panel_max_catalog_mb: float = Field(default=20, gt=0)
    # Requests a second per panel for what a panel takes only one at a time: statuses on a
    # single-status panel, a bulk placed line by line (issue 20).
    panel_max_rps: float = Field(default=5, gt=0)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, gt=0, lt=65536)
    # Connections the webhook server holds at once (Telegram opens at most 100).
    webhook_max_connections: int = Field(default=200, ge=1)
    # The Mini App (issue 23): the public https address Telegram opens; empty: no Mini App.
    webapp_url: str = ""
    # Where the bot serves it without a webhook (with one, the webhook's server serves it too).
    webapp_listen: str = "0.0.0.0"
    webapp_port: int = Field(default=8080, gt=0, lt=65536)
    # initData older than this is refused (Telegram signs it when the Mini App opens).
    webapp_auth_max_age_seconds: float = Field(default=3600, gt=0)
    # Upper bound on users served at the same time by the update processor.
    max_concurrent_updates: int = Field(default=256, gt=0)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError:
                raise ValueError(
                    "must be comma-separated Telegram user ids, e.g. 123,456"
                ) from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("panels_setting")
    @classmethod
    def _valid_panels(cls, value: str) -> str:
        parse_panels(value)
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("panel_api_url", "telegram_base_url", "telegram_base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("webapp_url")
    @classmethod
    def _https_webapp(cls, value: str) -> str:
        value = value.strip()
        # Telegram opens Mini Apps over https only; a web_app button with http is refused.
        if value and not value.startswith("https://"):
            raise ValueError("must start with https:// (or be empty: no Mini App)")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        zone = resolve_zone(value)
        if zone is None:
            raise ValueError("must be an IANA time zone name such as UTC or Europe/Istanbul")
        return zone

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @field_validator("encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        from cryptography.fernet import Fernet

        for part in value.get_secret_value().split(","):
            try:
                Fernet(part.strip())
            except (ValueError, TypeError):
                raise ValueError(
                    "must be one or more comma-separated Fernet keys "
                    "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                ) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        text = value.get_secret_value().strip()
        # Never echo the value: it may carry a password.
        if not text.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it unset for SQLite)")
        try:
            urlsplit(text).port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise ValueError("is not a valid URL") from None
        return SecretStr(text)

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_chars(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # Telegram's own rule for secret_token; anything else makes setWebhook fail at start-up.
        if not WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and not (
            self.webhook_secret and self.webhook_secret.get_secret_value()
        ):
            raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
        return self

    @model_validator(mode="after")
    def _shared_database_needs_key(self) -> Settings:
        # Without ENCRYPTION_KEY the key is generated into a local file; every instance on a
        # shared PostgreSQL must decrypt the same stored panel keys, and a local file is neither
        # shared nor in the database's backups.
        if self.database_url is not None and self.encryption_key is None:
            raise ValueError("ENCRYPTION_KEY is required when DATABASE_URL is set")
        return self

    @property
    def database(self) -> str | Path:
        """What `Storage.open` connects to: the PostgreSQL URL, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.database_path

    @property
    def database_secrets(self) -> list[str]:
        """The database URL and its password, for the log redaction (empty for SQLite)."""
        if self.database_url is None:
            return []
        url = self.database_url.get_secret_value()
        found = [url]
        try:
            raw = urlsplit(url).password
        except ValueError:
            raw = None
        if raw:
            found += [raw, unquote(raw)]
        return found

    @property
    def panel_presets(self) -> tuple[PanelPreset, ...]:
        """The operator's panels, the first being the default for new users.

        PANEL_API_URL's panel is always among them: the keys stored before PANELS existed were
        made for it, and moving them to another URL would send them to the wrong panel.
        """
        presets = parse_panels(self.panels_setting)
        if not any(p.url == self.panel_api_url for p in presets):
            name = preset_name_of(self.panel_api_url)
            taken = {p.name.casefold() for p in presets}
            while name.casefold() in taken:
                name = f"{name[:21]}-{len(taken)}"
                taken.add(name.casefold())
            presets = (PanelPreset(name, self.panel_api_url), *presets)
        return presets

    def panel_display_name(self, panel: str) -> str:
        """An order's panel as shown: "" is PANEL_API_URL's panel (every order before PANELS)."""
        if panel:
            return panel
        return next(p.name for p in self.panel_presets if p.url == self.panel_api_url)

    @property
    def panel_max_catalog_bytes(self) -> int:
        return int(self.panel_max_catalog_mb * 1024 * 1024)

    @property
    def catalog_cache_bytes(self) -> int:
        return int(self.catalog_cache_mb * 1024 * 1024)

    @property
    def encryption_keys(self) -> list[bytes]:
        if self.encryption_key is None:
            return []
        return [p.strip().encode() for p in self.encryption_key.get_secret_value().split(",")]


def webapp_path(url: str) -> str:
    """The path the Mini App is served under, with slashes on both ends ("/" at the root)."""
    path = urlsplit(url).path.strip("/")
    return f"/{path}/" if path else "/"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        name = "_".join(str(p) for p in err["loc"]).upper() or "SETTINGS"
        if err["type"] == "missing":
            lines.append(f"{name} is not set: set it in the environment or in .env")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {msg}")
    return "; ".join(lines)
