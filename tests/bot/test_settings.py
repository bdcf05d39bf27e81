"""Settings: defaults, .env, and one clear line for anything missing or malformed."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactTokens
from bot.settings import Settings, SettingsError, load_settings

ALL_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "ALIGNBOT_ADMINS",
    "ALIGNBOT_TIMEZONE",
    "LOG_LEVEL",
    "ALIGNBOT_LLM_URL",
    "ALIGNBOT_LLM_MODEL",
    "ALIGNBOT_LLM_API_KEY",
    "ALIGNBOT_LLM_MODE",
    "ALIGNBOT_LLM_TIMEOUT",
    "ALIGNBOT_LLM_MAX_PER_DAY",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_match_the_contract():
    settings = Settings(_env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///alignbot.db"
    assert settings.port == 3000
    assert settings.timezone == "UTC"
    assert settings.log_level == "INFO"
    assert settings.admin_ids == frozenset()
    assert settings.oauth_enabled is False
    # The model is opt-in: without a URL nothing is ever sent.
    assert settings.llm_url is None and settings.llm_model is None and settings.llm_key is None
    assert (settings.llm_mode, settings.llm_timeout, settings.llm_max_per_day) == ("unsure", 10.0, 500)


def test_reads_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=8080\nALIGNBOT_ADMINS=U0AAA, U0BBB\n")
    monkeypatch.setenv("PORT", "9090")  # the environment wins over .env
    settings = load_settings()
    assert settings.bot_token == "xoxb-from-dotenv"
    assert settings.port == 9090
    assert settings.admin_ids == {"U0AAA", "U0BBB"}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PORT", "eighty", "PORT is invalid"),
        ("PORT", "70000", "PORT is invalid"),
        ("ALIGNBOT_TIMEZONE", "Mars/Olympus", "ALIGNBOT_TIMEZONE is not a known time zone"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL is not a log level"),
        ("ALIGNBOT_ADMINS", "U0AAA,bob", "ALIGNBOT_ADMINS has 'bob'"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "SLACK_APP_TOKEN must be an app-level token"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a SQLAlchemy database URL"),
        ("ALIGNBOT_LLM_URL", "localhost:11434/v1", "ALIGNBOT_LLM_URL must be an http(s) URL"),
        ("ALIGNBOT_LLM_MODE", "sometimes", "ALIGNBOT_LLM_MODE is not a mode"),
        ("ALIGNBOT_LLM_TIMEOUT", "soon", "ALIGNBOT_LLM_TIMEOUT is invalid"),
        ("ALIGNBOT_LLM_TIMEOUT", "0", "ALIGNBOT_LLM_TIMEOUT is invalid"),
        ("ALIGNBOT_LLM_MAX_PER_DAY", "-1", "ALIGNBOT_LLM_MAX_PER_DAY is invalid"),
        ("ALIGNBOT_LLM_MAX_PER_DAY", "lots", "ALIGNBOT_LLM_MAX_PER_DAY is invalid"),
    ],
)
def test_malformed_setting_names_the_variable_in_one_line(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert "set it to" in message


def test_http_mode_requires_signing_secret_and_a_token():
    with pytest.raises(SettingsError, match="^SLACK_SIGNING_SECRET is not set"):
        Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1").require_http()
    with pytest.raises(SettingsError, match="^SLACK_BOT_TOKEN is not set"):
        Settings(_env_file=None, SLACK_SIGNING_SECRET="s").require_http()
    Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s").require_http()


def test_oauth_replaces_the_bot_token_but_needs_both_halves():
    Settings(_env_file=None, SLACK_SIGNING_SECRET="s", SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="c").require_http()
    with pytest.raises(SettingsError, match="^SLACK_CLIENT_SECRET is not set"):
        Settings(_env_file=None, SLACK_SIGNING_SECRET="s", SLACK_CLIENT_ID="1.2").require_http()


def test_socket_mode_requires_app_token():
    with pytest.raises(SettingsError, match="^SLACK_APP_TOKEN is not set"):
        Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-1").require_socket()


def test_secrets_never_show_in_repr():
    settings = Settings(
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-secret-bot",
        SLACK_SIGNING_SECRET="secret-signing",
        SLACK_APP_TOKEN="xapp-secret-app",
        SLACK_CLIENT_SECRET="secret-client",
        DATABASE_URL="postgresql+psycopg://alice:hunter2@db/alignbot",
        ALIGNBOT_LLM_API_KEY="sk-secret-model",
        ALIGNBOT_LLM_URL="https://bob:swordfish@llm.example/v1",
    )
    shown = repr(settings) + str(settings)
    secrets = ("xoxb-secret-bot", "secret-signing", "xapp-secret-app", "secret-client", "hunter2", "sk-secret-model")
    for secret in (*secrets, "swordfish"):
        assert secret not in shown


def test_api_url_gets_a_trailing_slash():
    assert Settings(_env_file=None, SLACK_API_URL="http://127.0.0.1:9/api").slack_api_url == "http://127.0.0.1:9/api/"


def test_model_settings_are_read_and_tidied(monkeypatch):
    monkeypatch.setenv("ALIGNBOT_LLM_URL", " http://localhost:11434/v1/ ")
    monkeypatch.setenv("ALIGNBOT_LLM_MODEL", "llama3.1:8b")
    monkeypatch.setenv("ALIGNBOT_LLM_API_KEY", "sk-abc")
    monkeypatch.setenv("ALIGNBOT_LLM_MODE", "ALL")
    monkeypatch.setenv("ALIGNBOT_LLM_TIMEOUT", "2.5")
    monkeypatch.setenv("ALIGNBOT_LLM_MAX_PER_DAY", "0")
    settings = load_settings()
    assert settings.llm_url == "http://localhost:11434/v1"
    assert (settings.llm_model, settings.llm_key, settings.llm_mode) == ("llama3.1:8b", "sk-abc", "all")
    assert (settings.llm_timeout, settings.llm_max_per_day) == (2.5, 0)


def test_a_blank_model_url_is_unset(monkeypatch):
    monkeypatch.setenv("ALIGNBOT_LLM_URL", "  ")
    assert load_settings().llm_url is None


def test_log_filter_redacts_tokens():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "calling with %s", ("xoxb-123-abc",), None)
    RedactTokens().filter(record)
    assert record.getMessage() == "calling with [redacted-token]"
