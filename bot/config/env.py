"""The environment: Discord credentials and endpoints, read once, never echoed in errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from bot.config.settings import Env
from bot.errors import ConfigError

# The shape discord.py's Webhook.from_url accepts: 17-20 digit id, 60+ character token.
WEBHOOK_URL = re.compile(
    r"^https?://[^/]*discord(?:app)?\.com/api/(?:v\d+/)?webhooks/[0-9]{17,20}/[A-Za-z0-9.\-_]{60,}/?$"
)


def load_env_secrets(environ: Mapping[str, str]) -> list[str]:
    """Every secret value the environment holds for the bot, for redaction."""
    webhook = environ.get("DISCORD_WEBHOOK_URL", "").strip()
    secrets = [
        webhook,
        webhook.rstrip("/").rsplit("/", 1)[-1] if webhook else "",
        environ.get("DISCORD_TOKEN", ""),
    ]
    secrets += [value for key, value in environ.items() if key.endswith(("_API_KEY", "_TOKEN", "_SECRET"))]
    return [s.strip() for s in secrets if s.strip()]


def load_env(environ: Mapping[str, str] | None = None) -> Env:
    """Read DISCORD_* variables and the optional COURTLISTENER_TOKEN; errors never echo a
    secret's value."""
    env = os.environ if environ is None else environ
    webhook = env.get("DISCORD_WEBHOOK_URL", "").strip()
    token = env.get("DISCORD_TOKEN", "").strip()
    channel = env.get("DISCORD_CHANNEL_ID", "").strip()
    api_base = env.get("DISCORD_API_BASE", "").strip().rstrip("/")
    gateway = env.get("DISCORD_GATEWAY_URL", "").strip()
    if gateway and not (urlsplit(gateway).scheme in ("ws", "wss") and urlsplit(gateway).hostname):
        raise ConfigError("environment", "DISCORD_GATEWAY_URL", "expected a ws(s) URL")
    if webhook and token:
        raise ConfigError("environment", "DISCORD_WEBHOOK_URL", "set either it or DISCORD_TOKEN, not both")
    if webhook and not WEBHOOK_URL.match(webhook):
        raise ConfigError(
            "environment",
            "DISCORD_WEBHOOK_URL",
            "not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)",
        )
    if token and not channel:
        raise ConfigError("environment", "DISCORD_CHANNEL_ID", "is required when DISCORD_TOKEN is set")
    if channel and not token:
        raise ConfigError("environment", "DISCORD_TOKEN", "is required when DISCORD_CHANNEL_ID is set")
    if channel and not (channel.isdigit() and 17 <= len(channel) <= 20):
        raise ConfigError("environment", "DISCORD_CHANNEL_ID", "expected a 17-20 digit channel id")
    if api_base and not (urlsplit(api_base).scheme in ("http", "https") and urlsplit(api_base).hostname):
        raise ConfigError("environment", "DISCORD_API_BASE", "expected an http(s) URL")
    # discord.py's Webhook.from_url wants the unversioned form Discord's UI hands out.
    webhook = re.sub(r"/api/v\d+/webhooks/", "/api/webhooks/", webhook)
    return Env(
        webhook_url=webhook,
        token=token,
        channel_id=int(channel or 0),
        api_base=api_base,
        gateway_url=gateway,
        courtlistener_token=env.get("COURTLISTENER_TOKEN", "").strip(),
    )
