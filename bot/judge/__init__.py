"""What judges, purely: relevance to the topic (`match.py`), what a text tells
(`evidence.py`), event kinds (`kinds.py`), seen or new (`dedup.py`), which development a
story joins (`cluster.py`), which posts ping (`escalate.py`), when to poll (`policy.py`),
digest periods (`periods.py`), and which story leads a development (`lead.py`).

May import: `bot.config`, `bot.errors`, `bot.models`, `bot.text`, `bot.intake.urls`. No I/O:
every function here takes records and returns records.
"""
