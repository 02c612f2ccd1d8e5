"""Checks on translations: reasons to distrust one output, and what an article's
translated spans add up to for its review file."""

from __future__ import annotations

from collections import Counter

import regex

from jobs.records import Article

NO_MODEL = "no-model"  # span flag: its language has no installed model
UNTRANSLATED = "untranslated"  # span flag: the engine gave no translation for it

_WORD = regex.compile(r"\w+")


def _longest_run(words: list[str], max_unit: int = 4) -> tuple[int, str]:
    """The most times any unit of 1..max_unit words repeats back to back."""
    best, unit_text = 1, ""
    for size in range(1, max_unit + 1):
        for start in range(len(words) - size):
            unit = words[start : start + size]
            count = 1
            pos = start + size
            while words[pos : pos + size] == unit:
                count += 1
                pos += size
            if count > best:
                best, unit_text = count, " ".join(unit)
    return best, unit_text


def flag_suspicious(source: str, output: str) -> list[str]:
    """Reasons to distrust a translation, for the review file (empty: looks fine)."""
    flags: list[str] = []
    src, out = source.strip(), output.strip()
    if src and not out:
        return ["suspicious translation: empty output"]
    out_words = [w.casefold() for w in _WORD.findall(out)]
    runs, unit = _longest_run(out_words)
    src_runs, _ = _longest_run([w.casefold() for w in _WORD.findall(src)])
    if runs >= 3 and runs > src_runs:
        flags.append(f"suspicious translation: repeats {unit!r} {runs} times")
    # Ukrainian and English run to similar lengths; short spans get slack.
    if len(out) > 2.5 * len(src) + 15:
        flags.append(
            f"suspicious translation: much longer than the source ({len(out)} vs {len(src)} chars)"
        )
    elif len(src) >= 30 and len(out) < 0.3 * len(src):
        flags.append(
            f"suspicious translation: much shorter than the source ({len(out)} vs {len(src)} chars)"
        )
    if out == src and regex.search(r"\p{Cyrillic}", src):
        flags.append("suspicious translation: output equals the source (left untranslated)")
    return flags


def article_flags(article: Article) -> tuple[str, ...]:
    """The problems of a translated article a reviewer must see; "error: …" fails it."""
    no_model: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    suspicious = 0
    for span in article.spans():
        if span.needs_translation and span.english is None:
            (no_model if NO_MODEL in span.flags else failed)[span.lang] += 1
        if set(span.flags) - {NO_MODEL, UNTRANSLATED}:
            suspicious += 1
    flags = []
    for lang in sorted(no_model.keys() | failed.keys()):
        if no_model[lang]:
            flags.append(
                f"error: no {lang}→en model; {no_model[lang]} span(s) left untranslated. Fix: "
                f"mixdigest models download {lang} en (or models install FILE.argosmodel)"
            )
        else:
            flags.append(f"error: {failed[lang]} {lang} span(s) could not be translated")
    if suspicious:
        flags.append(f"check: {suspicious} translation(s) look suspicious (see flags column)")
    return tuple(flags)
