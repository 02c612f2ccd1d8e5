"""Word data: wordfreq's frequency lists and pymorphy3's full-form dictionaries.

Both are loaded on first use, so a run answered from the detection memory loads neither.
wordfreq's lists are read straight from its data files (gzipped msgpack "cBpack": a
header, then one list of words per centibel of frequency); ``check_word_lists``, called
when a detector is created, reads the header of each list the detector may need, so a
wordfreq whose files changed stops the run with a DataError before any article.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import importlib
import importlib.util
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jobs.errors import DataError
from jobs.langid.datafiles import found_error, unexpected

# wordfreq's lists go down to 1e-8 in steps of 1 cB. Words rarer than 10^-7.5 are 40% of
# the large lists' 1.16 M uk+ru entries, so 40% of their loading time, and move no figure
# of the evaluation by more than 0.2 points.
_RAREST_BUCKET = 750
_LN10 = math.log(10)


_HEADER = {"format": "cB", "version": 1}
_CBPACK = f"a gzipped msgpack list: the header {_HEADER}, then one list of words per centibel"


@functools.cache
def frequencies(lang: str, size: str = "large") -> Mapping[str, float]:
    """Natural-log word frequencies from wordfreq's list for ``lang``; {} if it has none.

    ``wordfreq.get_frequency_list`` gives the same buckets, but importing wordfreq and
    the copy of each list it keeps cost the detector's start-up a third of a second and
    60 MB more.
    """
    path = _list_file(lang, size)
    if path is None:
        return {}
    buckets = _read_buckets(path)
    table: dict[str, float] = {}
    # Rarest first, so a word listed twice keeps its higher frequency.
    for index in range(min(len(buckets), _RAREST_BUCKET) - 1, -1, -1):
        table.update(dict.fromkeys(buckets[index], -index * _LN10 / 100))
    return table


def check_word_lists(langs: Iterable[str]) -> None:
    """Raise DataError unless every list ``frequencies`` may read for ``langs`` starts
    with the cBpack header. Reads a few bytes of each file, not the lists.

    A language wordfreq has no list for is no error: the detector does without.
    """
    folder = wordfreq_data_dir()
    if folder is None:
        return  # wordfreq is not installed: no lists at all, as for a language without
    if not any(folder.glob("small_*.msgpack.gz")) and not any(folder.glob("large_*.msgpack.gz")):
        found = "no such files" if folder.is_dir() else "no folder"
        raise unexpected(
            "wordfreq's data folder",
            folder,
            "word lists such as small_en.msgpack.gz",
            found,
            "wordfreq",
        )
    for lang in langs:
        for size in ("large", "small"):
            path = _wordfreq_file(f"{size}_{lang}.msgpack.gz")
            if path is not None:
                _check_header(path)


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


def _list_file(lang: str, size: str) -> Path | None:
    """The list ``frequencies`` reads: ``size`` if wordfreq has it for ``lang``, else the
    small one."""
    for wordlist in (size, "small"):
        path = _wordfreq_file(f"{wordlist}_{lang}.msgpack.gz")
        if path is not None:
            return path
    return None


@functools.cache
def _check_header(path: Path) -> None:
    msgpack = importlib.import_module("msgpack")
    try:
        with gzip.open(path, "rb") as f:
            # The header is a few bytes at the start; do not decompress the list behind it.
            unpacker = msgpack.Unpacker(f, raw=False, read_size=256)
            unpacker.read_array_header()
            header = unpacker.unpack()
    except (OSError, EOFError, ValueError, msgpack.UnpackException) as exc:
        raise _not_a_list(path, found_error(exc)) from exc
    if header != _HEADER:
        raise _not_a_list(path, f"the header {header!r}")


def _read_buckets(path: Path) -> list[list[str]]:
    msgpack = importlib.import_module("msgpack")
    try:
        with gzip.open(path, "rb") as f:
            data = msgpack.unpackb(f.read(), raw=False)
    except (OSError, EOFError, ValueError, msgpack.UnpackException) as exc:
        raise _not_a_list(path, found_error(exc)) from exc
    if not isinstance(data, list) or not data or data[0] != _HEADER:
        header = data[0] if isinstance(data, list) and data else data
        raise _not_a_list(path, f"the header {header!r}")
    buckets = data[1:]
    for index, bucket in enumerate(buckets):
        if not isinstance(bucket, list) or (bucket and not isinstance(bucket[0], str)):
            raise _not_a_list(
                path, f"{type(bucket).__name__} {bucket!r:.60} at position {index + 1}"
            )
    return buckets


def _not_a_list(path: Path, found: str) -> DataError:
    return unexpected("wordfreq's word list", path, _CBPACK, found, "wordfreq")


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
