"""Delivery: from outbox rows to Discord messages.

- `transports.py`: console, webhook and bot (discord.py); each maps discord.py's and
  aiohttp's failures to the project's `DeliveryFailure` and says what it can do;
- `failures.py`: the pure retry/halt policy over those failures;
- `drain.py`: the outbox drain (a handler per action, loop and writes only);
- `pacing.py`: Discord's rate limits as a pure pacer; `render.py`: rows to messages
  within Discord's limits (pure); `timeline.py`: the story so far and digests.

May import: `bot.models`, `bot.config`, `bot.errors`, `bot.logs`, `bot.store`, `bot.text`,
`bot.intake` (urls, docket), `bot.judge` (lead, escalate, periods), `bot.prose` (summaries),
discord.py and aiohttp (in `transports.py` only). Never the pipeline or an interface.
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
