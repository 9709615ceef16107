"""The story at a glance (`followup-bot serve`, or `web.listen` inside `run`): a read-only
timeline page, one page per development, the feeds' health, an Atom feed and a JSON Feed of
developments, and `/healthz`, all from the database.

- `chart.py`: coverage per day as server-drawn SVG (pure);
- `syndication.py`: the Atom and JSON Feed documents (pure);
- `pages.py`: the HTML pages, Jinja2 with autoescaping (pure);
- `server.py`: the aiohttp application, its security headers, its read-only connections
  off the event loop, the connection cap, `serve` and the `Page` inside the service.

May import: `bot.models`, `bot.config`, `bot.store`, `bot.report`, `bot.text`, `bot.intake`
(docket, urls), `bot.judge` (the lead), aiohttp, Jinja2. An interface: nothing below imports it.
"""
