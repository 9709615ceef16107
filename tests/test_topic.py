"""The shipped topic in feeds.yaml, on headlines written for these tests (not the dev set).

Each case stands for a kind of coverage: a development of the suit in one of the six
languages, or a hard negative the issue names (other cases between the same people,
other suits of one party, product news, passing mentions).
"""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.judge.match import Rules, judge
from tests.conftest import ROOT

RULES = Rules.from_topic(load_config(ROOT / "feeds.yaml").topic)

ON = [
    ("Jury finds OpenAI not liable in Musk lawsuit", ""),
    ("Two hours of deliberation", "Jurors in Elon Musk's case against OpenAI deliberated before going home."),
    ("Judge denies Musk's request to halt OpenAI's for-profit conversion", ""),
    ("Musk appeals verdict in OpenAI case", ""),
    ("Microsoft dismissed from Musk's OpenAI lawsuit", ""),
    ("OpenAI countersues Elon Musk, alleging harassment", ""),
    ("Musk-led group offers $97.4 billion for OpenAI", ""),
    ("Brockman takes the stand", "Greg Brockman told jurors that Elon Musk wanted control of OpenAI."),
    ("", "OpenAI said in a filing on Friday that Musk's claims should be thrown out before trial."),
    ("Procès Musk contre OpenAI : le jury rend son verdict", ""),
    ("Musk gegen OpenAI: Geschworene sprechen Urteil", ""),
    ("Elon Musk verliert gegen OpenAI", "Das Gericht in Oakland wies die Klage des Tesla-Chefs ab."),
    ("Musk pierde el juicio contra OpenAI", ""),
    ("Musk contro OpenAI, la giuria si ritira", ""),
    ("Júri decide a favor da OpenAI em processo de Musk", ""),
]

OFF = [
    ("Musk's xAI sues OpenAI, alleging trade secret theft", ""),
    ("Apple and OpenAI face antitrust suit from X and xAI", ""),
    ("Judge rules in New York Times v. OpenAI copyright case", "Musk has also sued OpenAI."),
    ("Musk says he will appeal Tesla pay ruling", ""),
    ("Altman's sister's lawsuit against him dismissed", "Musk has criticised Altman."),
    ("Court hears challenge to Musk's DOGE", "OpenAI was not part of the case."),
    ("OpenAI launches GPT-5; Musk calls it a disaster", ""),
    ("Grok 4 released", "xAI's new model challenges OpenAI. Musk, who is suing OpenAI, praised it."),
    ("OpenAI unveils new reasoning model", "The launch comes weeks before Musk's trial against the company."),
    ("OpenAI's Altman says Musk is insecure in interview", ""),
    ("OpenAI lance un nouveau modèle", "Musk, qui poursuit OpenAI en justice, l'a critiqué."),
    ("xAI verklagt OpenAI wegen Geschäftsgeheimnissen", "Musk wirft OpenAI Abwerbung vor."),
]


@pytest.mark.parametrize(("title", "text"), ON)
def test_coverage_of_the_suit_is_relevant(title: str, text: str) -> None:
    verdict = judge(title, text, RULES)
    assert verdict.relevant, verdict.reasons


@pytest.mark.parametrize(("title", "text"), OFF)
def test_hard_negatives_are_not(title: str, text: str) -> None:
    verdict = judge(title, text, RULES)
    assert not verdict.relevant, verdict.reasons
