"""Everything that touches langdetect: its profile files, seeded detectors restricted to
a few languages, and n-gram scores of single words against a profile.

The profiles are langdetect's own files (one JSON object per language), read directly:
a detector restricted to a few languages is built from their JSON text
(``DetectorFactory.load_json_profile``), and langdetect's API does not expose the
n-gram counts that single words are scored against.
``check_profiles``, called when a detector is created, checks each profile the detector
may read, so a langdetect whose files changed stops the run before any article.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Iterable, Mapping
from typing import Any

from jobs.errors import DataError
from jobs.langid.datafiles import found_error, unexpected


@functools.cache
def profiles_dir() -> str:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return str(PROFILES_DIRECTORY)


def profile_path(lang: str) -> str | None:
    """langdetect's profile file for ``lang``, if it has one."""
    path = os.path.join(profiles_dir(), lang)
    return path if os.path.isfile(path) else None


def check_profiles(langs: Iterable[str]) -> None:
    """Raise DataError unless each profile langdetect has for ``langs`` is a profile as
    this module and langdetect read it. A language without a profile is no error."""
    folder = profiles_dir()
    if not os.path.isdir(folder):
        raise unexpected(
            "langdetect's profile folder",
            folder,
            "one profile file per language",
            "no folder",
            "langdetect",
        )
    for lang in langs:
        path = profile_path(lang)
        if path is not None:
            _check_profile(path, lang)


def probabilities(text: str, langs: tuple[str, ...], seed: int) -> dict[str, float]:
    """Seeded langdetect's probabilities for ``text`` among ``langs`` only.

    {} when langdetect cannot tell (fewer than two of ``langs`` have a profile, or the
    text has no n-gram it knows); a single language is certain.
    """
    if len(langs) == 1:
        return {langs[0]: 1.0}
    factory = _factory(langs, seed)
    if factory is None:
        return {}
    from langdetect.lang_detect_exception import LangDetectException

    detector = factory.create()
    detector.append(text)
    try:
        return {p.lang: float(p.prob) for p in detector.get_probabilities()}
    except LangDetectException:
        return {}


@functools.lru_cache(maxsize=64)
def _factory(langs: tuple[str, ...], seed: int) -> Any:
    """A private langdetect factory with only ``langs``; the global one is left alone."""
    from langdetect.detector_factory import DetectorFactory

    profiles = []
    for lang in langs:
        path = profile_path(lang)
        if path is not None:
            with open(path, encoding="utf-8") as f:
                profiles.append(f.read())
    if len(profiles) < 2:
        return None  # langdetect needs two profiles; callers decide one-candidate cases
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory


def ngram_score(word: str, lang: str) -> float | None:
    """Log-likelihood of every 1–3-gram of ``word`` under ``lang``'s profile: exhaustive,
    where langdetect samples. None when langdetect has no profile for ``lang``."""
    profile = _profile(lang)
    if profile is None:
        return None
    freq, totals = profile
    padded = f" {word} "
    score = 0.0
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip():
                score += math.log((freq.get(gram, 0) + 0.5) / totals[n - 1])
    return score


@functools.cache
def _profile(lang: str) -> tuple[Mapping[str, int], tuple[int, int, int]] | None:
    """The n-gram counts of ``lang``'s profile and its totals of 1-, 2- and 3-grams."""
    path = profile_path(lang)
    if path is None:
        return None
    data = _load(path, lang)
    n_words = data["n_words"]
    return data["freq"], (n_words[0], n_words[1], n_words[2])


_PROFILE = (
    'a JSON object with "name" (the language\'s code), "freq" (n-gram: count) and'
    ' "n_words" (three positive counts)'
)


@functools.cache
def _check_profile(path: str, lang: str) -> None:
    _load(path, lang)


def _load(path: str, lang: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise _not_a_profile(path, found_error(exc)) from exc
    problem = _problem(data, lang)
    if problem is not None:
        raise _not_a_profile(path, problem)
    return dict(data)


def _problem(data: Any, lang: str) -> str | None:
    """What in ``data`` is not a profile of ``lang`` as langdetect writes them, if any."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}"
    missing = [f'"{key}"' for key in ("name", "freq", "n_words") if key not in data]
    if missing:
        return f"no {' and no '.join(missing)}"
    name, freq, n_words = data["name"], data["freq"], data["n_words"]
    if name != lang:
        return f'"name": {name!r}'
    if not isinstance(freq, dict) or not all(isinstance(c, int) for c in freq.values()):
        return '"freq" that is not a map of n-grams to integer counts'
    if not (
        isinstance(n_words, list)
        and len(n_words) == 3
        and all(isinstance(n, int) and n > 0 for n in n_words)
    ):
        return f'"n_words": {n_words!r:.60}'
    return None


def _not_a_profile(path: str, found: str) -> DataError:
    return unexpected("langdetect's profile", path, _PROFILE, found, "langdetect")
