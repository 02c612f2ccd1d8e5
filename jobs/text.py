"""Text patterns more than one stage relies on, defined once."""

from __future__ import annotations

import regex

# URLs, e-mail addresses and bare domains. The segmenter never splits a sentence inside
# one and makes each a span of its own; the detector labels such a span `und` and
# leaves addresses out when it weighs a sentence, since their letters are not prose.
# A top-level domain in mixed case ("voa.com.The") is a glued sentence, not a domain.
URL = regex.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”«»]*[^\s<>\"“”«».,;:!?)\]’'…]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.(?:\p{Ll}{2,}|\p{Lu}{2,})\b"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|info|io|ua|ru|uk|eu|de|fr|pl|by|kz|us"
    r"|co|me|tv|news|online|biz|int)\b(?![.@]?\w)(?:/[^\s<>\"“”«»]*[^\s<>\"“”«».,;:!?)\]’'…])?",
)

TITLE_MAX_CHARS = 200  # a headline is shorter than this
# Two of these between words make a line a breadcrumb ("Головна / Економіка / …").
_CRUMB_SEPARATOR = regex.compile(r"\s(/|»|>|›|\|)\s")


def looks_like_title(line: str) -> bool:
    """Whether a line reads as a headline: one short line that does not end like a
    sentence or a lead-in, and is not a breadcrumb. Where it stands (first, before a
    blank line, before more text) is for the caller to check."""
    line = line.strip()
    return (
        bool(line)
        and "\n" not in line
        and len(line) < TITLE_MAX_CHARS
        and not line.endswith((".", ",", ":", ";"))
        and len(_CRUMB_SEPARATOR.findall(line)) < 2
    )
