"""Settings: every variable of the README's Configuration table, read once at start-up.

The values come from the environment and `.env`.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SlackMode = Literal["http", "socket"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

# What to tell a person for each variable when it is missing or wrong.
HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from your Slack app's 'OAuth & Permissions' page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your Slack app's 'Basic Information' page",
    "SLACK_APP_TOKEN": (
        "an app-level token (xapp-...) with connections:write, from 'Basic Information' > 'App-Level Tokens'"
    ),
    "SLACK_CLIENT_ID": "the Client ID from your Slack app's 'Basic Information' page",
    "SLACK_CLIENT_SECRET": "the Client Secret from your Slack app's 'Basic Information' page",
    "SLACK_API_URL": "an http(s) URL ending in /api/, e.g. https://slack.com/api/",
    "DATABASE_URL": "a SQLAlchemy URL, e.g. sqlite:///alignbot.db or postgresql+psycopg://user:pass@host/db",
    "PORT": "a TCP port number between 1 and 65535",
    "ALIGNBOT_ADMINS": "comma-separated Slack user ids, e.g. U0123ABCD,U0456EFGH",
    "ALIGNBOT_TIMEZONE": "an IANA time zone name, e.g. Europe/Berlin or America/New_York",
    "LOG_LEVEL": "one of " + ", ".join(_LOG_LEVELS),
    "ALIGNBOT_POST_RATE": "messages a second per workspace, a number above 0 (default 5)",
    "ALIGNBOT_LLM_URL": "the http(s) base URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1",
    "ALIGNBOT_LLM_MODEL": "the model's name on that server, e.g. llama3.1:8b",
    "ALIGNBOT_LLM_MODE": "unsure (send only what the lexicon is unsure of) or all (send every update)",
    "ALIGNBOT_LLM_TIMEOUT": "seconds to wait for each request, a number above 0 (default 10)",
    "ALIGNBOT_LLM_MAX_PER_DAY": "requests per workspace a day, a whole number of 0 or more (default 500)",
}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        hint = HINTS.get(variable)
        message = f"{variable} {problem}" + (f": set it to {hint}" if hint else "")
        super().__init__(message)
        self.variable = variable


class Settings(BaseSettings):
    """Alignbot's configuration. Secrets are SecretStr so they never show in reprs or logs."""

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    # repr=False: a database URL may carry a password.
    database_url: str = Field(default="sqlite:///alignbot.db", alias="DATABASE_URL", repr=False)
    port: int = Field(default=3000, alias="PORT", ge=1, le=65535)
    admins: str = Field(default="", alias="ALIGNBOT_ADMINS")
    timezone: str = Field(default="UTC", alias="ALIGNBOT_TIMEZONE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # Slack allows "several hundred messages a minute" per workspace: 5 a second (bursts of 5) stays under it.
    post_rate: float = Field(default=5.0, alias="ALIGNBOT_POST_RATE", gt=0, le=1000)
    # The opt-in model: unset URL, nothing is ever sent anywhere.
    # repr=False: a base URL may carry credentials.
    llm_url: str | None = Field(default=None, alias="ALIGNBOT_LLM_URL", repr=False)
    llm_model: str | None = Field(default=None, alias="ALIGNBOT_LLM_MODEL")
    llm_api_key: SecretStr | None = Field(default=None, alias="ALIGNBOT_LLM_API_KEY")
    llm_mode: str = Field(default="unsure", alias="ALIGNBOT_LLM_MODE")
    llm_timeout: float = Field(default=10.0, alias="ALIGNBOT_LLM_TIMEOUT", gt=0, le=600)
    llm_max_per_day: int = Field(default=500, alias="ALIGNBOT_LLM_MAX_PER_DAY", ge=0)

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm_url", "llm_model", "llm_api_key", mode="before")
    @classmethod
    def _blank_llm_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_client_id", mode="before")
    @classmethod
    def _blank_id_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("llm_url")
    @classmethod
    def _llm_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("llm_mode")
    @classmethod
    def _llm_mode_known(cls, value: str) -> str:
        if value.strip().lower() not in ("unsure", "all"):
            raise ValueError(f"is not a mode ({value[:20]!r})")
        return value.strip().lower()

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("is not a SQLAlchemy database URL") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"uses {backend[:20]!r}: Alignbot runs on sqlite:/// or postgresql+psycopg:// only")
        return value

    @field_validator("admins")
    @classmethod
    def _admins_shape(cls, value: str) -> str:
        ids = [part.strip() for part in value.split(",") if part.strip()]
        bad = [user for user in ids if not _USER_ID.match(user)]
        if bad:
            raise ValueError(f"has {bad[0]!r}, which is not a Slack user id")
        return ",".join(ids)

    @field_validator("timezone")
    @classmethod
    def _timezone_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"is not a known time zone ({value!r})") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level_known(cls, value: str) -> str:
        if value.upper() not in _LOG_LEVELS:
            raise ValueError(f"is not a log level ({value!r})")
        return value.upper()

    @property
    def admin_ids(self) -> frozenset[str]:
        """Return the user ids of ALIGNBOT_ADMINS."""
        return frozenset(filter(None, self.admins.split(",")))

    @property
    def bot_token(self) -> str | None:
        """Return the single-workspace bot token, if set."""
        return self.slack_bot_token.get_secret_value() if self.slack_bot_token else None

    @property
    def oauth_enabled(self) -> bool:
        """Say whether multi-workspace OAuth is configured (client id and secret)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def llm_key(self) -> str | None:
        """Return the model API key, if set."""
        return self.llm_api_key.get_secret_value() if self.llm_api_key else None

    def require_http(self) -> None:
        """Raise SettingsError unless the HTTP app can start."""
        if self.slack_signing_secret is None:
            raise SettingsError("SLACK_SIGNING_SECRET", "is not set")
        self._require_auth()

    def require_socket(self) -> None:
        """Raise SettingsError unless Socket Mode can start."""
        if self.slack_app_token is None:
            raise SettingsError("SLACK_APP_TOKEN", "is not set")
        self._require_auth()

    def require_bot_token(self) -> None:
        """Raise SettingsError unless there is a single-workspace bot token or OAuth."""
        self._require_auth()

    def _require_auth(self) -> None:
        if self.slack_client_id and not self.slack_client_secret:
            raise SettingsError("SLACK_CLIENT_SECRET", "is not set (SLACK_CLIENT_ID is)")
        if self.slack_client_secret and not self.slack_client_id:
            raise SettingsError("SLACK_CLIENT_ID", "is not set (SLACK_CLIENT_SECRET is)")
        if not self.oauth_enabled and self.slack_bot_token is None:
            raise SettingsError(
                "SLACK_BOT_TOKEN",
                "is not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace OAuth)",
            )


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment and `.env`, turning validation errors into SettingsError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "setting"
        variable = _variable_for(field)
        reason = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        raise SettingsError(variable, _short(reason)) from None


def _variable_for(field: str) -> str:
    info = Settings.model_fields.get(field)
    if info is not None and info.alias:
        return info.alias
    return field.upper()


def _short(reason: str) -> str:
    if reason.startswith(("must", "is", "has")):
        return reason
    return "is invalid (" + reason[0].lower() + reason[1:] + ")"
