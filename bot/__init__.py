"""followup-bot: follows one developing news story across feeds and posts it to Discord.

- Pure stages, flat: text, urls, parse, match, dedup, cluster (with evidence, kinds), policy,
  feedhealth, summarize, models, errors. They import only each other, `bot.config` and libraries.
- Packages, where a concern needs several files: `config`, `store`, `update`,
  `delivery`, `cli` (each says in its docstring what it holds and may import).
- Edges and wiring, flat: fetch, guard, body, locks, article, llm, digest (summaries'
  I/O), search, report (what `status` says), logs, scheduler (the service), app (the
  context every command shares).
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/followup-bot/followup-bot"
USER_AGENT = f"followup-bot/{__version__} (+{PROJECT_URL})"
