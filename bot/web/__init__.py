"""The story at a glance (`followup-bot serve`, or `web.listen` inside `run`): a read-only
timeline page, one page per development, the feeds' health, an Atom feed and a JSON Feed of
developments, and `/healthz`, all from the database.

- `chart.py`: coverage per day as server-drawn SVG (pure);
- `syndication.py`: the Atom and JSON Feed documents (pure);
- `pages.py`: the HTML pages, Jinja2 with autoescaping (pure);
- `server.py`: the aiohttp application, its security headers, and `serve`.

May import: `bot.models`, `bot.config`, `bot.store`, `bot.report`, `bot.intake.docket`, `bot.text`,
`bot.intake.urls`, `bot.delivery.render` (for `safe_url` and `best_lead`), aiohttp, Jinja2.
"""
