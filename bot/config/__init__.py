"""Configuration: feeds.yaml and the environment, validated into frozen settings.

Every problem becomes a `ConfigError` naming the file, the key path (``feeds[3].url``) and
what is wrong, so `followup-bot check` can print one line and exit 2. Nothing here touches
the network. `settings.py` holds the dataclasses (keys and defaults), `reader.py` typed
reading of YAML values, `load.py` feeds.yaml, `env.py` the environment.
May import: `bot.errors`, PyYAML.
"""

from __future__ import annotations

from bot.config.env import WEBHOOK_URL, load_env, load_env_secrets
from bot.config.load import load_config, parse_config
from bot.config.reader import check_http_url, parse_duration, parse_size
from bot.config.settings import (
    MIN_INTERVAL,
    Config,
    CueGroup,
    Developments,
    Digest,
    DiscordConfig,
    Env,
    EventKind,
    FeedConfig,
    FeedKind,
    LLMConfig,
    Mode,
    Ping,
    Polling,
    Storage,
    Summaries,
    Surge,
    Topic,
)

__all__ = [
    "MIN_INTERVAL",
    "WEBHOOK_URL",
    "Config",
    "CueGroup",
    "Developments",
    "Digest",
    "DiscordConfig",
    "Env",
    "EventKind",
    "FeedConfig",
    "FeedKind",
    "LLMConfig",
    "Mode",
    "Ping",
    "Polling",
    "Storage",
    "Summaries",
    "Surge",
    "Topic",
    "check_http_url",
    "load_config",
    "load_env",
    "load_env_secrets",
    "parse_config",
    "parse_duration",
    "parse_size",
]
