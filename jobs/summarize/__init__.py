"""The summarise stage: an extractive summary per translated article, remembered.

``summarize_articles`` answers from the result memory when an article's translated
blocks, title, summary settings and the summariser's code are all unchanged, and only
otherwise loads the summariser (``jobs.summarize.news``: sumy and NLTK's stemmers, about
0.4 s to import). A run that skips or remembers everything never imports it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from jobs.config import Config, SummarySettings
from jobs.records import Article, BlockKind, Summary
from jobs.state import ResultMemory, code_fingerprint

STAGE = "summary"  # the result memory's name for this stage's entries

Summaries = tuple[Summary, Summary | None]
"""The English summary, and the one in the article's own language when asked for."""


@functools.cache
def summary_code() -> str:
    """The code and libraries a summary runs through. Conservative on purpose: any edit
    to these files summarises again: this package, the records it reads and the word
    tokenizer it borrows from segment.py (with the URL pattern of text.py)."""
    here = Path(__file__).parent
    files = [*sorted(here.glob("*.py"))]
    files += [here.parent / name for name in ("records.py", "segment.py", "text.py")]
    return code_fingerprint(files, ("sumy", "nltk", "regex"))


def summary_key(settings_and_code: str, article: Article) -> bytes:
    """A digest of everything an article's summaries depend on: its translated blocks
    (the records' repr is complete and deterministic), its title, and
    ``settings_and_code`` (the summary settings' fingerprint and ``summary_code()``)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (settings_and_code, article.document.title or ""):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(repr(article.blocks).encode())
    return digest.digest()


def main_foreign_language(article: Article) -> str | None:
    """The non-English language with the most letters in the body, if any."""
    letters: Counter[str] = Counter()
    for _, sentence in article.sentences(BlockKind.BODY):
        for span in sentence.spans:
            if span.needs_translation:
                letters[span.lang] += len(span.text)
    return max(sorted(letters), key=letters.__getitem__) if letters else None


def summarize_article(article: Article, settings: SummarySettings) -> Summaries:
    from jobs.summarize import news

    summary = news.summarize(article, settings)
    language = main_foreign_language(article) if settings.also_in_source_language else None
    source = None
    if language is not None:
        source = news.summarize_source_language(article, settings, language)
    return summary, source


def summarize_articles(
    articles: Sequence[Article], config: Config, memory: ResultMemory | None
) -> list[Summaries]:
    """The summaries of every article, in order; new ones are stored in ``memory``."""
    settings_and_code = f"{config.fingerprint('summary')}|{summary_code()}"
    keys = [summary_key(settings_and_code, article) for article in articles]
    known = memory.lookup(STAGE, keys) if memory is not None else {}
    fresh: dict[bytes, str] = {}
    found: list[Summaries] = []
    for article, key in zip(articles, keys, strict=True):
        remembered = known.get(key)
        if remembered is not None:
            english, source = json.loads(remembered)
            found.append(
                (Summary.from_dict(english), Summary.from_dict(source) if source else None)
            )
            continue
        summaries = summarize_article(article, config.summary)
        summary, source_summary = summaries
        fresh[key] = json.dumps(
            [summary.to_dict(), source_summary.to_dict() if source_summary else None],
            ensure_ascii=False,
        )
        found.append(summaries)
    if memory is not None:
        memory.store(STAGE, fresh)
    return found
