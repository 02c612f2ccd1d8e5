"""Turn results into the files people and programs read. Pure: strings in, strings out."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from jobs.records import UNDETERMINED, ArticleResult, BlockKind, Span, Summary

LANGUAGE_NAMES = {
    "en": "English", "uk": "Ukrainian", "ru": "Russian", "be": "Belarusian",
    "bg": "Bulgarian", "mk": "Macedonian", "und": "no language (numbers, names, symbols)",
}  # fmt: skip


def output_name(key: str) -> str:
    """A file stem derived from the article's key: readable, stable, and collision-free.

    The readable part is lossy (any path, id or length squeezed into safe characters),
    so a hash of the full key always follows it: two keys never share a name, and the
    name never leaves the output folder whatever the input path or JSON id holds.
    """
    readable = []
    for char in unicodedata.normalize("NFC", key):
        if char.isalnum() or char in "-_.":
            readable.append(char)
        elif char == "/":
            readable.append("__")
        else:
            readable.append("_")
    stem = "".join(readable).strip("._")[:80] or "article"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}.{digest}"


def language_shares(result: ArticleResult) -> dict[str, float]:
    """Share of the article's letters in each language (spans without letters excluded)."""
    letters: Counter[str] = Counter()
    for span in result.article.spans():
        if span.lang != UNDETERMINED:
            letters[span.lang] += sum(ch.isalpha() for ch in span.text)
    total = sum(letters.values())
    return {lang: round(n / total, 4) for lang, n in letters.most_common()} if total else {}


def translated_spans(result: ArticleResult) -> list[Span]:
    return [span for span in result.article.spans() if span.english is not None]


def _status(result: ArticleResult) -> str:
    return "failed" if result.failed else ("flagged" if result.flags else "ok")


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "language": summary.language,
        "method": summary.method,
        "sentences": [
            {
                "text": s.english,
                "original": s.original,
                "start": s.start,
                "end": s.end,
                "block": s.block_index,
                "languages": list(s.languages),
            }
            for s in summary.sentences
        ],
    }


def render_json(result: ArticleResult, name: str) -> str:
    doc = result.article.document
    data: dict[str, Any] = {
        "name": name,
        "key": doc.key,
        "source": doc.source.relpath,
        "source_sha256": doc.source.sha256,
        "title": doc.title,
        "meta": dict(doc.meta),
        "status": _status(result),
        "flags": list(result.flags),
        "languages": language_shares(result),
        "summary": _summary_json(result.summary),
        "source_language_summary": (
            _summary_json(result.source_summary) if result.source_summary else None
        ),
        "blocks": [
            {
                "kind": str(block.kind),
                "rule": block.rule,
                "start": block.start,
                "end": block.end,
                "sentences": [
                    {
                        "start": sentence.start,
                        "end": sentence.end,
                        "spans": [
                            {
                                "start": span.start,
                                "end": span.end,
                                "text": span.text,
                                "lang": span.lang,
                                "confidence": round(span.confidence, 4),
                                "english": span.english,
                                "flags": list(span.flags),
                            }
                            for span in sentence.spans
                        ],
                    }
                    for sentence in block.sentences
                ],
            }
            for block in result.article.blocks
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md_escape(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def render_markdown(result: ArticleResult, name: str) -> str:
    doc = result.article.document
    title = doc.title or doc.key
    lines = [f"# {_one_line(title)}", ""]
    lines.append(f"- Source: `{doc.key}`")
    for key in ("url", "date"):
        if doc.meta.get(key):
            lines.append(f"- {key.capitalize()}: {doc.meta[key]}")
    shares = language_shares(result)
    found = ", ".join(
        f"{LANGUAGE_NAMES.get(lang, lang)} ({lang}) {share:.0%}" for lang, share in shares.items()
    )
    lines.append(f"- Languages: {found or 'none detected'}")
    lines.append(f"- Status: {_status(result)}")
    lines.append("")

    if result.flags:
        lines += ["## Flags", ""]
        lines += [f"- {flag}" for flag in result.flags]
        lines.append("")

    lines += ["## Summary", ""]
    if result.summary.sentences:
        for sentence in result.summary.sentences:
            lines.append(f"- {_one_line(sentence.english)}")
            if sentence.languages and set(sentence.languages) != {"en"}:
                lines.append(f"  - original: {_one_line(sentence.original)}")
    else:
        lines.append("_No body sentences to summarise._")
    lines.append("")

    if result.source_summary and result.source_summary.sentences:
        lang = result.source_summary.language
        lines += [f"## Summary in {LANGUAGE_NAMES.get(lang, lang)}", ""]
        lines += [f"- {_one_line(s.original)}" for s in result.source_summary.sentences]
        lines.append("")

    spans = translated_spans(result)
    lines += ["## Translated spans", ""]
    if spans:
        lines += ["| where | lang | original | English | flags |", "|---|---|---|---|---|"]
        for span in spans:
            lines.append(
                f"| {span.start}–{span.end} | {span.lang} | {_md_escape(span.text)} | "
                f"{_md_escape(span.english or '')} | {', '.join(span.flags)} |"
            )
    else:
        lines.append("_Nothing needed translation._")
    lines.append("")

    set_aside = [
        b for b in result.article.blocks if b.kind in (BlockKind.BOILERPLATE, BlockKind.CAPTION)
    ]
    lines += ["## Set aside (never summarised)", ""]
    if set_aside:
        for block in set_aside:
            english = _one_line(block.english)
            original = _one_line(block.text)
            shown = original if english == original else f"{original} → {english}"
            lines.append(f"- {block.kind} ({block.rule or 'rule'}): {shown}")
    else:
        lines.append("_Nothing._")
    lines.append("")
    return "\n".join(lines)


def render_index(rows: Sequence[tuple[str, str, str, str]], report_line: str) -> str:
    """rows: (output name, source key, status, note) for every article of this run."""
    lines = ["# mixdigest run", "", report_line, ""]
    lines += ["| article | source | status | note |", "|---|---|---|---|"]
    for name, key, status, note in rows:
        link = f"[{name}]({name}.md)" if status != "error" else name
        lines.append(f"| {link} | `{_md_escape(key)}` | {status} | {_md_escape(note)} |")
    lines.append("")
    return "\n".join(lines)
