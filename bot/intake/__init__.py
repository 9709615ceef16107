"""What reads the outside: HTTP fetching under the private-address guard with capped bodies
(`fetch.py`, `guard.py`, `body.py`), feeds parsed into entries (`parse.py`), canonical URLs
(`urls.py`), article pages (`article.py`), court dockets (`docket.py`), dated history
searches (`search.py`) and feed discovery and health notices (`feedhealth.py`).

May import: `bot.config`, `bot.errors`, `bot.models`, `bot.text`; httpx, feedparser,
trafilatura. Never the store, delivery or anything that decides.
"""
