"""Prepare the summary posted for each development's lead story, from the best text there
is: the feed's content, its summary, else the article page; through the LLM when one is
configured and within its daily cap, else extractively. Never fails: the worst case is the
feed's own text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from bot.config import Config
from bot.intake import article
from bot.intake.docket import is_docket
from bot.intake.fetch import Fetcher
from bot.judge.match import Rules, judge
from bot.models import Story
from bot.prose import llm
from bot.prose.summarize import clean, summarize, summary_or_lede
from bot.store import Store

log = logging.getLogger(__name__)

BATCH = 16  # stories summarised at once (article fetches are bounded by the fetcher too)


@dataclass(frozen=True)
class PreparedSummary:
    """A story's summary, prepared before it is posted, and where it came from."""

    text: str
    source: str  # "feed", "article" or "llm"
    image: str = ""  # the article page's picture (og:image), when the page was fetched anyway


class Digester:
    """Owns the LLM client; `prepare` fills in the summaries of developments about to be posted."""

    def __init__(self, fetcher: Fetcher, store: Store, clock: Callable[[], datetime]) -> None:
        self.fetcher = fetcher
        self.store = store
        self.clock = clock
        self._client: httpx.AsyncClient | None = None

    def configure(self, config: Config, rules: Rules) -> None:
        """Adopt feeds.yaml and the pipeline's compiled topic rules (at start and on reload)."""
        self.config = config
        self.summaries = config.summaries
        self.rules = rules

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def relevance(self, sentence: str) -> float:
        """How much a sentence says about the topic: its positive cue score."""
        return max(0.0, judge("", sentence, self.rules).score)

    async def digest(
        self, title: str, feed_text: str, url: str, fetch: bool | None = None
    ) -> PreparedSummary:
        """The summary for one story, and where its text came from. `fetch` overrides
        `summaries.fetch_articles` (the `summarize` command always fetches)."""
        text, source, image = feed_text, "feed", ""
        plain = " ".join(clean(feed_text))
        fetch = self.summaries.fetch_articles if fetch is None else fetch
        if fetch and url and article.followable(url):
            # Read once per development, for its lead, also when the feed carried text: the
            # page has the picture, and usually more of the article than the feed's lede.
            page = await article.fetch_page(
                self.fetcher, url, self.summaries.article_timeout, self.config.polling.max_bytes
            )
            image = page.image
            if len(page.text) > len(plain) or (page.text and len(plain) < self.summaries.min_text):
                text, source = page.text, "article"
        limit = self.summaries.max_chars
        if (answer := await self._llm(title, text)) is not None:
            return PreparedSummary(answer, "llm", image)
        summary = summarize(title, text, limit, self.relevance)
        if not summary:  # no complete sentence: the feed's own text, as it is if need be
            return PreparedSummary(summary_or_lede(title, feed_text, limit, self.relevance), "feed", image)
        return PreparedSummary(summary, source, image)

    async def _llm(self, title: str, text: str) -> str | None:
        config = self.summaries.llm
        if config is None or len(text) < 80:
            return None
        if self._client is None:
            self._client = httpx.AsyncClient(trust_env=False)
        day = self.clock().strftime("%Y-%m-%d")
        if self.store.llm_requests(day) >= config.max_requests_per_day:
            log.info("LLM: daily cap of %d requests reached; extractive summary", config.max_requests_per_day)
            return None
        self.store.count_llm_request(day)  # counted before the call: a failed call may still cost
        request = llm.prompt(config, self.config.topic.name, title, text, self.summaries.max_chars)
        try:
            return await llm.complete(self._client, config, request, self.summaries.max_chars)
        except llm.LLMError as exc:
            log.warning("LLM summary failed (%s); extractive summary instead", exc)
            return None
        except Exception as exc:  # whatever the endpoint does, the post keeps its summary
            log.warning("LLM summary failed (%s: %s); extractive summary instead", type(exc).__name__, exc)
            log.debug("LLM failure", exc_info=True)
            return None

    async def prepare(self, should_stop: Callable[[], bool] | None = None) -> int:
        """Summaries for every lead story waiting to be posted, a batch at a time (a stop
        is honoured between batches); returns how many were made."""
        stories = self.store.undigested_leads()
        for start in range(0, len(stories), BATCH):
            if should_stop is not None and should_stop():
                return start
            batch = stories[start : start + BATCH]
            digests = await asyncio.gather(*(self._one(story) for story in batch))
            for story, digest in zip(batch, digests, strict=True):
                self.store.set_digest(story.id, digest.text, digest.source, digest.image)
        return len(stories)

    async def _one(self, story: Story) -> PreparedSummary:
        """One story's summary; whatever fails, the feed's own text (one story's failure
        must not keep the others from being posted)."""
        text = story.content or story.summary
        try:  # a docket entry's description is all there is: its page and PDF are not read
            return await self.digest(
                story.title, text, story.url, fetch=False if is_docket(story.canonical_url) else None
            )
        except Exception as exc:
            log.warning(
                "summary of story %d failed (%s: %s); the feed's text instead",
                story.id,
                type(exc).__name__,
                exc,
            )
            log.debug("summary failure", exc_info=True)
        try:
            return PreparedSummary(summary_or_lede(story.title, text, self.summaries.max_chars), "feed")
        except Exception:
            return PreparedSummary("", "feed")
