"""Turn article views into the files people and programs read. Pure: strings out.

``FORMATS`` maps each output format of ``output.formats`` to its file suffix and
renderer; every renderer reads an ``ArticleView`` (``jobs.view``) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jobs.records import Summary
from jobs.view import ArticleView, IndexRow

LANGUAGE_NAMES = {
    "en": "English", "uk": "Ukrainian", "ru": "Russian", "be": "Belarusian",
    "bg": "Bulgarian", "mk": "Macedonian", "und": "no language (numbers, names, symbols)",
}  # fmt: skip


def render_json(view: ArticleView) -> str:
    data: dict[str, Any] = {
        "name": view.name,
        "key": view.key,
        "source": view.source,
        "source_sha256": view.source_sha256,
        "title": view.title,
        "meta": dict(view.meta),
        "status": view.status,
        "flags": list(view.flags),
        "languages": dict(view.languages),
        "summary": view.summary.to_dict(),
        "source_language_summary": (view.source_summary.to_dict() if view.source_summary else None),
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
            for block in view.blocks
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md_escape(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _share(share: float) -> str:
    # A handful of letters in a long article rounds to 0%, which reads as "none". Every
    # listed language has letters, so a share stored as 0.0 (under 0.00005) is one too.
    return "<1%" if share < 0.005 else f"{share:.0%}"


def _summary_lines(summary: Summary) -> list[str]:
    if not summary.sentences:
        return ["_No body sentences to summarise._"]
    lines = []
    for sentence in summary.sentences:
        lines.append(f"- {_one_line(sentence.english)}")
        if sentence.languages and set(sentence.languages) != {"en"}:
            lines.append(f"  - original: {_one_line(sentence.original)}")
    return lines


def render_markdown(view: ArticleView) -> str:
    lines = [f"# {_one_line(view.title or view.key)}", ""]
    lines.append(f"- Source: `{view.key}`")
    for key in ("url", "date"):
        if view.meta.get(key):
            lines.append(f"- {key.capitalize()}: {view.meta[key]}")
    found = ", ".join(
        f"{LANGUAGE_NAMES.get(lang, lang)} ({lang}) {_share(share)}"
        for lang, share in view.languages.items()
    )
    lines.append(f"- Languages: {found or 'none detected'}")
    lines.append(f"- Status: {view.status}")
    lines.append("")

    if view.flags:
        lines += ["## Flags", ""]
        lines += [f"- {flag}" for flag in view.flags]
        lines.append("")

    lines += ["## Summary", "", *_summary_lines(view.summary), ""]

    source = view.source_summary
    if source and source.sentences:
        lines += [f"## Summary in {LANGUAGE_NAMES.get(source.language, source.language)}", ""]
        lines += [f"- {_one_line(s.original)}" for s in source.sentences]
        lines.append("")

    lines += ["## Translated spans", ""]
    if view.translated:
        lines += ["| where | lang | original | English | flags |", "|---|---|---|---|---|"]
        for span in view.translated:
            lines.append(
                f"| {span.start}–{span.end} | {span.lang} | {_md_escape(span.text)} | "
                f"{_md_escape(span.english or '')} | {', '.join(span.flags)} |"
            )
    else:
        lines.append("_Nothing needed translation._")
    lines.append("")

    lines += ["## Set aside (never summarised)", ""]
    for item in view.set_aside:
        english, original = _one_line(item.english), _one_line(item.original)
        shown = original if english == original else f"{original} → {english}"
        lines.append(f"- {item.kind} ({item.rule}): {shown}")
    if not view.set_aside:
        lines.append("_Nothing._")
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class Format:
    suffix: str
    render: Callable[[ArticleView], str]


# In the order they are written: the review file last, so its presence means the
# article's files are all in place.
FORMATS: Mapping[str, Format] = {
    "json": Format(".json", render_json),
    "md": Format(".md", render_markdown),
}


def render_index(rows: Sequence[IndexRow], report_line: str, link_suffix: str = ".md") -> str:
    """The run's index: one row per article, linking to each article's review file."""
    lines = ["# mixdigest run", "", report_line, ""]
    lines += ["| article | source | status | note |", "|---|---|---|---|"]
    for row in rows:
        link = f"[{row.name}]({row.name}{link_suffix})" if row.status != "error" else row.name
        lines.append(
            f"| {link} | `{_md_escape(row.key)}` | {row.status} | {_md_escape(row.note)} |"
        )
    lines.append("")
    return "\n".join(lines)
