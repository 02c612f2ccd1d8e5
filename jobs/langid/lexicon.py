"""Word data: wordfreq's frequency lists and pymorphy3's full-form dictionaries.

Both are loaded on first use, so a run answered from the detection memory loads neither.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import importlib
import importlib.util
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# wordfreq's lists go down to 1e-8 in steps of 1 cB. Words rarer than 10^-7.5 are 40% of
# the large lists' 1.16 M uk+ru entries, so 40% of their loading time, and move no figure
# of the evaluation by more than 0.2 points.
_RAREST_BUCKET = 750
_LN10 = math.log(10)


@functools.cache
def frequencies(lang: str, size: str = "large") -> Mapping[str, float]:
    """Natural-log word frequencies from wordfreq's list for ``lang``; {} if it has none.

    The lists are read straight from wordfreq's data files (gzipped msgpack "cBpack":
    a header, then one list of words per centibel of frequency). Going through
    ``wordfreq.get_frequency_dict`` costs an extra half second of imports and a Python
    loop per word.
    """
    for wordlist in (size, "small"):
        path = _wordfreq_file(f"{wordlist}_{lang}.msgpack.gz")
        if path is None:
            continue
        msgpack = importlib.import_module("msgpack")
        with gzip.open(path, "rb") as f:
            header, *buckets = msgpack.unpackb(f.read(), raw=False)
        if header != {"format": "cB", "version": 1}:
            return {}
        table: dict[str, float] = {}
        # Rarest first, so a word listed twice keeps its higher frequency.
        for index in range(min(len(buckets), _RAREST_BUCKET) - 1, -1, -1):
            table.update(dict.fromkeys(buckets[index], -index * _LN10 / 100))
        return table
    return {}


def wordfreq_data_dir() -> Path | None:
    """wordfreq's data folder, found without importing wordfreq."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _wordfreq_file(name: str) -> Path | None:
    folder = wordfreq_data_dir()
    path = None if folder is None else folder / name
    return path if path is not None and path.is_file() else None


@functools.cache
def _reversed_words(lang: str) -> list[str]:
    """wordfreq's small list for ``lang``, each word reversed, sorted.

    Endings carry most of the grammar that tells unknown Ukrainian and Russian words
    apart (-ювати / -ывать, -ння / -ние). Reversed and sorted, the words sharing an
    ending form one slice found by bisection, so start-up builds no table of every
    ending. The small list, counted by word types: the large one measured no better.
    """
    return sorted(word[::-1] for word in frequencies(lang, "small"))


def small_list_size(lang: str) -> int:
    """How many words wordfreq's small list for ``lang`` has: what ``ending_count``
    counts among; 0 when wordfreq has no list for ``lang``."""
    return len(_reversed_words(lang))


def ending_count(lang: str, ending: str) -> int:
    """How many words of the small list are longer than ``ending`` and end with it."""
    words = _reversed_words(lang)
    key = ending[::-1]
    lo = bisect.bisect_left(words, key)
    hi = bisect.bisect_left(words, key + "\U0010ffff")
    exact = lo < len(words) and words[lo] == key
    return hi - lo - exact


@functools.lru_cache(maxsize=1 << 18)
def known(word: str, lang: str) -> bool:
    """Whether pymorphy3's dictionary for ``lang`` lists the form ``word``."""
    analyzer = _morphology(lang)
    return analyzer is not None and bool(analyzer.word_is_known(word))


@functools.cache
def has_dictionary(lang: str) -> bool:
    return importlib.util.find_spec(f"pymorphy3_dicts_{lang}") is not None


@functools.cache
def _morphology(lang: str) -> Any:
    """pymorphy3's analyser for ``lang`` when its dictionary package is installed.

    Loaded on first use: about 0.1 s and 15 MB per language, against 0.9 s for
    wordfreq's large lists.
    """
    if not has_dictionary(lang):
        return None
    pymorphy3 = importlib.import_module("pymorphy3")
    return pymorphy3.MorphAnalyzer(lang=lang)
