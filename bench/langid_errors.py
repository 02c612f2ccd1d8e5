"""Where the job's language detector still errs on Ukrainian and Russian rows, and why.

Usage: .venv/bin/python bench/langid_errors.py FILE.jsonl [FILE.jsonl ...]
(``make langid-errors`` runs it on the dev files.)

Every uk or ru row the detector labels wrongly falls into one evidence class, judged on
its Cyrillic words (read as the detector reads them) against the detector's own
evidence, wordfreq's uk and ru lists and pymorphy3's uk and ru dictionaries:

* ``spelling``: spelling alone decided (a letter one language lacks);
* ``unknown``: some word is in neither frequency list (mostly names: "бочурко");
* ``one list``: some word is in one list only ("ревнитель", in the ru list alone);
* ``one dictionary``: every word is in both lists, and some word in one dictionary
  only, which decides it ("повернув" is a form of both, "подкопав" is not);
* ``shared``: every word is in both lists and, for each word, in both dictionaries or
  neither ("через", "людей", "колесо"): only the two frequencies can tell;
* ``other``: labelled something else than uk or ru (a foreign language, ``und``).

For the ``shared`` rows the script also checks the detector's calibration: the errors
its own posterior expects (the sum over rows of the smaller of P(uk) and P(ru)) against
the errors it makes. When the two agree, the shared rows are decided as well as those
two frequency lists allow, and fewer errors there need better evidence, not a different
threshold: moving the threshold trades Ukrainian errors for Russian ones.

Prints a table per file, examples of each class, and as the LAST line one JSON object:
{"<file>": {"<lang>": {"n": N, "errors": {"<class>": count}},
            "shared": {"rows": N, "expected_errors": {"uk": x, "ru": y}, "errors": k}}}.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jobs import langid
from jobs.langid import alphabets, evidence, lexicon

CANDIDATES = ("uk", "ru", "en")
PAIR = ("uk", "ru")
CLASSES = ("spelling", "unknown", "one list", "one dictionary", "shared", "other")
EXAMPLES = 6


def cyrillic_words(text: str) -> list[str]:
    """The words of ``text`` the detector weighs, normalised as its word lists are."""
    return [alphabets.normal(word) for word in langid.cyrillic_words(alphabets.WORD.findall(text))]


def evidence_class(detector: langid.LanguageDetector, text: str, got: str) -> str:
    """The class of evidence that decided ``text`` (see the module docstring)."""
    if got not in PAIR:
        return "other"
    if detector.evidence.analyse(text).decisive:
        return "spelling"
    words = cyrillic_words(text)
    listed = [sum(w in lexicon.frequencies(lang) for lang in PAIR) for w in words]
    if any(n == 0 for n in listed):
        return "unknown"
    if any(n == 1 for n in listed):
        return "one list"
    if any(sum(lexicon.known(w, lang) for lang in PAIR) == 1 for w in words):
        return "one dictionary"
    return "shared"


def posterior_uk(detector: langid.LanguageDetector, text: str) -> float:
    """P(uk) against ru from the detector's own scores for ``text``."""
    scores = detector.evidence.analyse(text).scores
    return evidence.softmax({lang: scores[lang] for lang in PAIR})["uk"]


def describe(key: str) -> str:
    """Frequencies (log10) and dictionary membership of one normalised word."""
    parts = []
    for lang in PAIR:
        freq = lexicon.frequencies(lang).get(key)
        known = "dict" if lexicon.known(key, lang) else "no dict"
        shown = "unlisted" if freq is None else f"{freq / math.log(10):.2f}"
        parts.append(f"{lang} {shown} {known}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    detector = langid.LanguageDetector(CANDIDATES, seed=0)
    result: dict[str, dict[str, object]] = {}
    for path in args.files:
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        counts: dict[str, dict[str, int]] = {lang: dict.fromkeys(CLASSES, 0) for lang in PAIR}
        examples: dict[tuple[str, str], list[str]] = defaultdict(list)
        totals = dict.fromkeys(PAIR, 0)
        shared_rows = shared_errors = 0
        expected = dict.fromkeys(PAIR, 0.0)  # by true language
        for row in rows:
            truth = row["lang"]
            if truth not in PAIR:
                continue
            totals[truth] += 1
            text = row["text"]
            got = detector.detect(text)[0]
            kind = evidence_class(detector, text, got)
            if kind == "shared":
                p_uk = posterior_uk(detector, text)
                shared_rows += 1
                # Calling it uk errs when it is ru, with the posterior's P(ru); and back.
                expected["ru" if got == "uk" else "uk"] += min(p_uk, 1.0 - p_uk)
                shared_errors += got != truth
            if got != truth:
                counts[truth][kind] += 1
                examples[(truth, kind)].append(text)

        print(f"\n{path.name}: uk/ru rows labelled wrongly, by the evidence that decided them")
        print(f"{'':<8}{'n':>6}" + "".join(f"{kind:>15}" for kind in CLASSES) + f"{'accuracy':>11}")
        for lang in PAIR:
            wrong = sum(counts[lang].values())
            accuracy = 1 - wrong / totals[lang] if totals[lang] else math.nan
            cells = "".join(f"{counts[lang][kind]:>15}" for kind in CLASSES)
            print(f"{lang:<8}{totals[lang]:>6}{cells}{accuracy:>11.2%}")
        print(
            f"shared rows: {shared_rows}; errors the detector's own posterior expects there:"
            f" {sum(expected.values()):.1f} (uk rows {expected['uk']:.1f}, ru rows"
            f" {expected['ru']:.1f}); errors made: {shared_errors}"
        )
        for (lang, kind), texts in sorted(examples.items()):
            for text in texts[:EXAMPLES]:
                words = cyrillic_words(text)
                detail = describe(words[0]) if len(words) == 1 else ""
                print(f"  {lang} row, {kind}: {text!r}  {detail}".rstrip())
        result[path.name] = {
            **{lang: {"n": totals[lang], "errors": counts[lang]} for lang in PAIR},
            "shared": {
                "rows": shared_rows,
                "expected_errors": {lang: round(expected[lang], 1) for lang in PAIR},
                "errors": shared_errors,
            },
        }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
