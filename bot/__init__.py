"""followup-bot: follows one developing news story across feeds and posts it to Discord.

Packages by the stage they serve, bottom to top (each says in its docstring what it holds
and may import; `tests/test_layout.py` enforces the layers with import-linter):
- flat, what everything uses: `errors`, `models`, `text`, `locks`, `logs`;
- `config` (feeds.yaml and the environment); `intake` (what reads the outside: fetch,
  parse, urls, article pages, dockets); `judge` (pure decisions: relevance, kinds, dedup,
  clustering, placement, the lead, pings, polling policy); `store` (SQLite); `prose`
  (summaries); `delivery` (Discord) and `report` (what status says);
- `app` (the context every command shares), `update` (the Pipeline: polls and backfill);
- interfaces: `web`, `slash`, `scheduler` (the service), `cli` (the outermost).
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/followup-bot/followup-bot"
USER_AGENT = f"followup-bot/{__version__} (+{PROJECT_URL})"
