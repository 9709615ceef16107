"""What writes text: the extractive summary (`summarize.py`), the optional LLM summary
(`llm.py`), and the digest of a story prepared before it is posted (`digest.py`: its text
from the feed, the article page or the LLM).

May import: `bot.config`, `bot.errors`, `bot.models`, `bot.text`, `bot.store`, `bot.intake`,
`bot.judge`. Never delivery, the pipeline or an interface.
"""
