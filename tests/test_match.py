"""match: rule-based relevance with reasons."""

from __future__ import annotations

import pytest

from bot.config import Topic
from bot.match import Rules, judge

RULES = Rules.from_topic(
    Topic(
        name="t",
        require={"musk": ("musk",), "openai_side": ("openai", "sam altman", "brockman")},
        context=("lawsuit*", "sue", "sues", "sued", "verklag*", "proces", "demanda*"),
        min_context=1,
        exclude=("trade secret*",),
    )
)


@pytest.mark.parametrize(
    "text",
    [
        "Elon Musk sues OpenAI over its for-profit shift",
        "MUSK'S LAWSUIT AGAINST OPENAI GOES TO TRIAL",
        "Musk verklagt OpenAI erneut",  # prefix term
        "Le procès de Musk contre OpenAI s'ouvre",  # accents folded
        "Musk demandará a OpenAI y a Sam  Altman",  # inflection via prefix, spaces in a phrase
    ],
)
def test_relevant_in_several_languages(text: str) -> None:
    verdict = judge(text, RULES)
    assert verdict.relevant, verdict.reasons
    assert verdict.matched["musk"] == ("musk",)
    assert verdict.score >= 3


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Musk sues a neighbour", "missing openai_side"),
        ("OpenAI sued by authors", "missing musk"),
        ("Musk praises OpenAI", "context terms 0 < 1"),
        ("Musk's xAI sues OpenAI over trade secrets", "excluded: trade secrets"),
        ("Muskrat sues OpenAIx", "missing musk, openai_side"),  # word boundaries
        ("Musk pursues OpenAI", "context terms 0 < 1"),  # 'sue' inside 'pursues' is no match
    ],
)
def test_irrelevant_with_the_reason(text: str, reason: str) -> None:
    verdict = judge(text, RULES)
    assert not verdict.relevant
    assert reason in "; ".join(verdict.reasons)
