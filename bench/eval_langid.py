"""Accuracy of the job's language detector against seeded langdetect.

Usage: .venv/bin/python bench/eval_langid.py FILE.jsonl [FILE.jsonl ...]

Each row is {"text": ..., "lang": ...}. Three methods label every row:

* ``ours``: ``jobs.langid.LanguageDetector`` as the job runs it (candidates uk, ru, en,
  no sentence context because a row is a whole text);
* ``langdetect``: seeded langdetect over all of its profiles;
* ``langdetect_restricted``: seeded langdetect with only the uk, ru and en profiles.

Prints one table whose rows are the three methods and whose columns are the files and
true languages (accuracy; for languages outside uk/ru/en also how often each method
called them Ukrainian), with the time each method took including start-up, and, as the
LAST line, one JSON object:
{"<file>": {"<lang>": {"n": N, "ours": acc, "langdetect": acc,
                       "langdetect_restricted": acc, ...}}}.
Rows whose true language is not a candidate also carry ``*_as_uk`` shares.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CANDIDATES = ("uk", "ru", "en")
METHODS = ("ours", "langdetect", "langdetect_restricted")


def seeded_langdetect(restrict: tuple[str, ...] | None) -> Callable[[str], str]:
    """Seeded langdetect over all its profiles, or only ``restrict``; one detector per text."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    if restrict is None:
        factory.load_profile(PROFILES_DIRECTORY)
    else:
        profiles = []
        for lang in restrict:
            with open(os.path.join(PROFILES_DIRECTORY, lang), encoding="utf-8") as f:
                profiles.append(f.read())
        factory.load_json_profile(profiles)
    factory.set_seed(0)

    def detect(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            return str(detector.detect())
        except LangDetectException:
            return "und"

    return detect


def _ours() -> Callable[[str], str]:
    from jobs.langid import LanguageDetector

    detector = LanguageDetector(CANDIDATES, seed=0)
    return lambda text: detector.detect(text)[0]


def _print_table(
    result: dict[str, dict[str, dict[str, float | int]]], seconds: dict[str, float]
) -> None:
    """One row per method, one column per (file, true language).

    Rows "→ uk" give, for languages outside the candidates, how often each method called
    them Ukrainian (the error that matters there: accuracy for them means naming be, bg or
    mk, which restricted methods cannot do by construction).
    """
    keys = {name: chr(ord("A") + i) for i, name in enumerate(result)}
    columns = [(name, lang) for name, per_lang in result.items() for lang in per_lang]
    width = 8
    for name, key in keys.items():
        print(f"{key} = {name}")
    head = f"{'':<26}" + "".join(f"{keys[n] + ':' + lang:>{width}}" for n, lang in columns)
    print(head + f"{'seconds':>{width + 2}}")
    print(f"{'n':<26}" + "".join(f"{result[n][lang]['n']:>{width}}" for n, lang in columns))
    print("-" * (len(head) + width + 2))
    for method in METHODS:
        cells = "".join(f"{result[n][lang][method]:>{width}.2%}" for n, lang in columns)
        print(f"{method:<26}{cells}{seconds[method]:>{width + 1}.1f}s")
    for method in METHODS:
        cells = "".join(
            f"{result[n][lang][method + '_as_uk']:>{width}.2%}"
            if f"{method}_as_uk" in result[n][lang]
            else f"{'':>{width}}"
            for n, lang in columns
        )
        print(f"{method + ' → uk':<26}{cells}".rstrip())
    print("-" * (len(head) + width + 2))
    print("seconds: the method's whole time on all files, start-up included")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    data = {}
    for path in args.files:
        with path.open(encoding="utf-8") as f:
            data[path.name] = [json.loads(line) for line in f if line.strip()]

    makers: dict[str, Callable[[], Callable[[str], str]]] = {
        "ours": _ours,
        "langdetect": lambda: seeded_langdetect(None),
        "langdetect_restricted": lambda: seeded_langdetect(CANDIDATES),
    }
    predictions: dict[str, dict[str, list[str]]] = {}
    seconds: dict[str, float] = {}
    for method, make in makers.items():
        start = time.perf_counter()  # start-up (profile loading) is part of the cost
        detect = make()
        predictions[method] = {
            name: [detect(row["text"]) for row in rows] for name, rows in data.items()
        }
        seconds[method] = time.perf_counter() - start

    result: dict[str, dict[str, dict[str, float | int]]] = {}
    for name, rows in data.items():
        per_lang: dict[str, dict[str, float | int]] = {}
        truth = [row["lang"] for row in rows]
        for lang in sorted(set(truth), key=lambda x: (x not in CANDIDATES, x)):
            idx = [i for i, t in enumerate(truth) if t == lang]
            entry: dict[str, float | int] = {"n": len(idx)}
            for method in METHODS:
                got = Counter(predictions[method][name][i] for i in idx)
                entry[method] = round(got[lang] / len(idx), 4)
                if lang not in CANDIDATES:
                    entry[f"{method}_as_uk"] = round(got["uk"] / len(idx), 4)
            per_lang[lang] = entry
        result[name] = per_lang
    _print_table(result, seconds)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
