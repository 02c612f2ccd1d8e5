"""Everything that touches langdetect: its profile files, seeded detectors restricted to
a few languages, and n-gram scores of single words against a profile."""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Mapping
from typing import Any


@functools.cache
def profiles_dir() -> str:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return str(PROFILES_DIRECTORY)


def profile_path(lang: str) -> str | None:
    """langdetect's profile file for ``lang``, if it has one."""
    path = os.path.join(profiles_dir(), lang)
    return path if os.path.isfile(path) else None


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
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    n_words = data["n_words"]
    return data["freq"], (n_words[0], n_words[1], n_words[2])
