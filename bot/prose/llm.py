"""Optional LLM summaries through any OpenAI-compatible chat-completions endpoint (OpenAI,
Ollama, vLLM, llama.cpp servers). Every failure falls back to the extractive summary.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import anyio
import httpx

from bot import USER_AGENT
from bot.config import LLMConfig
from bot.intake.body import ACCEPT_ENCODING, BodyError, read_capped
from bot.text import cut, squash, strip_html

log = logging.getLogger(__name__)

SYSTEM = (
    "You summarise news coverage of a court case for a Discord channel that follows it. "
    "Write a neutral, factual summary of what happened, in {language}, in two or three complete "
    "sentences and at most {max_chars} characters. Use only facts in the article. No opinions, "
    "no headline, no markdown, no links."
)


MAX_ANSWER = 1024 * 1024  # bytes; a chat completion of a few sentences is a few KB


class LLMError(Exception):
    """The endpoint could not give a usable summary."""


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str


def prompt(config: LLMConfig, topic: str, title: str, text: str, max_chars: int) -> Prompt:
    """The messages sent: instructions, then the case, the headline and the article."""
    system = SYSTEM.format(language=config.language, max_chars=max_chars)
    return Prompt(system, f"Case: {topic}\nHeadline: {title}\n\nArticle:\n{text[:12000]}")


async def complete(client: httpx.AsyncClient, config: LLMConfig, request: Prompt, max_chars: int) -> str:
    """Ask the endpoint; return plain text within `max_chars` or raise LLMError. The answer
    is read under a size cap and a total deadline: a hostile endpoint can only fail."""
    key = os.environ.get(config.api_key_env, "") if config.api_key_env else ""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": ACCEPT_ENCODING,
        **({"Authorization": f"Bearer {key}"} if key else {}),
    }
    body = {
        "model": config.model,
        "messages": [
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.user},
        ],
        "temperature": 0.2,
        "max_tokens": max(64, max_chars // 2),
    }
    url = config.base_url.rstrip("/") + "/chat/completions"
    seconds = config.timeout.total_seconds()
    try:
        # The per-read timeout alone lets a server dripping a byte at a time go on forever.
        with anyio.fail_after(seconds):  # anyio's: see fetch.py on asyncio timeouts over httpx
            async with client.stream("POST", url, json=body, headers=headers, timeout=seconds) as response:
                if response.status_code != 200:
                    raise LLMError(f"HTTP {response.status_code}")
                raw = await read_capped(response, MAX_ANSWER)
    except TimeoutError:
        raise LLMError(f"no complete answer within {seconds:g}s") from None
    except BodyError as exc:
        raise LLMError(str(exc)) from None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        raise LLMError(f"{type(exc).__name__}: {exc}"[:300]) from None
    try:
        content = json.loads(raw)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        raise LLMError("answer is not a chat completion") from None
    text = squash(strip_html(content if isinstance(content, str) else ""))
    if len(text) < 20:
        raise LLMError("answer is empty")
    return cut(text, max_chars)
