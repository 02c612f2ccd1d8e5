"""Config-driven recognition of boilerplate lines and photo captions.

The code knows nothing about any site: every pattern comes from the ``segment:`` section of
the config (``SegmentSettings``), so users add their own sites' crumbs and ads there.
"""

from __future__ import annotations

from jobs.config import Rule, SegmentSettings


def classify_line(line: str, rules: SegmentSettings) -> str | None:
    """The name of the first boilerplate rule matching the stripped line, or None."""
    stripped = line.strip()
    if not stripped:
        return None
    for rule in rules.boilerplate:
        if rule.compiled().search(stripped):
            return rule.name
    return None


def find_captions(text: str, rules: SegmentSettings) -> list[tuple[int, int, str]]:
    """Non-overlapping caption matches in ``text`` as (start, end, rule name), in order.

    Each end is extended over the whitespace after the match: a caption owns its trailing
    whitespace, as a sentence does, so the body after it starts at a letter. Where matches
    of different rules overlap, the one starting first wins (the longer one on a tie), so a
    caption is never cut in two by a second rule.
    """
    found: list[tuple[int, int, str]] = []
    for rule in rules.captions:
        found.extend(_matches(text, rule))
    found.sort(key=lambda m: (m[0], -m[1]))
    chosen: list[tuple[int, int, str]] = []
    for start, end, name in found:
        if chosen and start < chosen[-1][1]:
            continue
        while end < len(text) and text[end].isspace():
            end += 1
        chosen.append((start, end, name))
    return chosen


def _matches(text: str, rule: Rule) -> list[tuple[int, int, str]]:
    # Empty matches would make zero-length blocks, which cannot hold a sentence.
    return [
        (m.start(), m.end(), rule.name)
        for m in rule.compiled().finditer(text)
        if m.end() > m.start()
    ]
