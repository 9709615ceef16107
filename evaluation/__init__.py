"""Tooling, not the service (never installed): `make eval` measures relevance and
developments on a labelled set (`evaluate.py`), also end to end through the whole bot on
loopback feeds (`evaluate_e2e.py`); `make demo` builds on the latter.

May import anything in `bot`; nothing in `bot` imports it.
"""
