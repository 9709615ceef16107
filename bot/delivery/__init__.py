"""Delivery: from outbox rows to Discord messages.

- `transports.py`: console, webhook and bot (discord.py); the gateway is a capability;
- `failures.py`: discord.py's errors mapped once, and the pure retry/halt policy;
- `drain.py`: the outbox drain (loop and writes only);
- `pacing.py`: Discord's rate limits as a pure pacer; `render.py`: rows to messages
  within Discord's limits (pure); `timeline.py`: the story so far and digests;
  `slash.py`: the slash commands.

May import: `bot.models`, `bot.config`, `bot.errors`, `bot.store`, `bot.text`, `bot.urls`,
`bot.summarize`, `bot.escalate`, `bot.periods`, `bot.docket`, `bot.match` and `bot.report` (for the slash
commands), discord.py. Never imports the update side.
"""

from __future__ import annotations

from bot.delivery.drain import DrainReport, drain
from bot.delivery.transports import (
    BotDeliverer,
    ConsoleDeliverer,
    Deliverer,
    WebhookDeliverer,
    make_deliverer,
    set_api_base,
)

__all__ = [
    "BotDeliverer",
    "ConsoleDeliverer",
    "Deliverer",
    "DrainReport",
    "WebhookDeliverer",
    "drain",
    "make_deliverer",
    "set_api_base",
]
