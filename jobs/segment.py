"""Cut a document into blocks, sentences and single-script spans, losing no character.

Everything here is rule-based and offline: NLTK's punkt data is not available, sumy's
Ukrainian splitter breaks at every full stop, and scraped pages glue sentences together
("April 12, 2021.The CSIS report"), which trained splitters do not expect either.

Offsets always partition: blocks cover the document, sentences their block, spans their
sentence, and every unit owns the whitespace that follows it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

import regex

from jobs.boilerplate import classify_line, find_captions
from jobs.config import SegmentSettings
from jobs.records import Article, Block, BlockKind, Document, Sentence, Span
from jobs.text import URL, looks_like_title


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- abbreviations --------------------------------------------------------------------
# Compared lower-cased, without the final full stop. Two kinds, because a full stop after
# "Dr" never ends a sentence while one after "U.S" or "грн" often does.

_NEVER_END = _wordset(
    """
    mr mrs ms dr prof st rev hon gen gov sen rep lt col capt sgt maj cmdr adm pres supt
    messrs mt jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e cf vs viz approx
    fig figs vol no nos pp art ch sec dept univ assn blvd
    вул просп пров бул пл ім св див напр проф акад доц канд д-р ген гр о смт тел т.зв т.б
    т.ч англ укр рос лат нім франц пор прим ред упоряд вид пан
    ул пер им т.е т.н т.к см
    """
)

# Abbreviations that may also close a sentence: the full stop ends one only when the next
# word is a typical sentence opener ("the U.S. On March 12" vs "the U.S. President").
_MAY_END = _wordset(
    """
    etc inc ltd co corp jr sr bros ave rd est al
    р рр ст тис млн млрд грн дол коп км м с обл р-н т.д т.п ін
    г гг в вв руб тыс др пр
    """
)

_STARTERS = _wordset(
    """
    The A An In On At By For From To With As But And Or So Yet If When While Since After
    Before During Although Though However Meanwhile Moreover Also Still Then Now Later
    Earlier This That These Those There Here It Its He His She Her They Their We Our I You
    My Some Many Most All Both Each No Not Last Next According Under Despite What Why How
    Who Where Such One
    Це Цей Ця Ці Цього Там Тут Тоді Він Вона Воно Вони Його Її Їх Ми Я Ви Ти Наш У В На За
    З Із Зі До Від Після Під При Для Через Про Але А І Й Та Проте Однак Втім Також Крім
    Окрім Як Коли Якщо Хоча Оскільки Що Де Чому Хто Так Ні Не Вже Ще Тепер Раніше
    Нагадаємо Зокрема Водночас Натомість Відтак Тому Отже Адже Щоб Всі Усі Кожен Багато
    Деякі Сьогодні Вчора Завтра Минулого Наступного Згідно Відповідно
    Это Этот Эта Эти Он Она Оно Они Ее Её Их Мы Вы Во По С Со К О Об Из От После Под
    Но И Однако Кроме Когда Если Хотя Где Почему Кто Нет Уже Еще Ещё Теперь Ранее
    Напомним Впрочем Поэтому Сейчас Сегодня Вчера Все Всё Многие Согласно
    """
)

# "U.S", "т.д", "Ph.D", "a.m": letters joined by full stops.
_DOTTED = regex.compile(r"(?:\p{L}{1,2}\.)+\p{L}{1,3}")

# --- sentence boundaries --------------------------------------------------------------

# A paragraph break always ends a sentence; otherwise a run of terminators, then closing
# quotes or brackets, then whitespace (possibly none: scraped text glues sentences).
_CANDIDATE = regex.compile(
    r"(?P<para>\n[^\S\n]*\n\s*)"
    r"|(?P<term>[.!?…]+)(?P<close>[\"'”’»)\]]*)(?P<ws>\s*)"
)
_PARAGRAPH_BREAK = regex.compile(r"\n[^\S\n]*\n")
# After whitespace: opening punctuation (quotes, brackets, dialogue dashes) and then a
# capital letter or a digit.
_NEXT_START = regex.compile(r"[\"'“‘«„(\[–—-]{0,3}\s?[\p{Lu}\p{Lt}\d]")
# Glued to the previous sentence: demand more, so "U.S" and "example.org" stay whole.
_GLUED_START = regex.compile(r"\p{Lu}\p{Ll}|[\"“‘«„(]\p{Lu}")
_NEXT_WORD = regex.compile(r"[\"'“‘«„(\[–—-]*\s?([\p{L}\p{M}]+)")
_OPENERS = "\"'“‘«„([{"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; together they partition it.

    Each sentence keeps its trailing whitespace (leading whitespace of the text goes to
    the first one). Handles English, Ukrainian and Russian abbreviations, initials,
    decimals, ellipses, quotes after full stops and sentences glued without a space,
    and never splits inside URLs, e-mail addresses or domains.
    """
    if not text:
        return []
    protected = _protected(text)
    cuts: list[int] = []
    for m in _CANDIDATE.finditer(text):
        if (
            m.group("para") is not None
            or _PARAGRAPH_BREAK.search(m.group("ws"))
            or _is_boundary(text, m, protected)
        ):
            cuts.append(m.end())
    bounds: list[tuple[int, int]] = []
    start = 0
    for cut in cuts:
        if start < cut < len(text):
            bounds.append((start, cut))
            start = cut
    bounds.append((start, len(text)))
    return bounds


def _protected(text: str) -> list[tuple[int, int]]:
    if "." not in text:
        return []
    return [(m.start(), m.end()) for m in URL.finditer(text)]


def _inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_right(ranges, (position, len(ranges) + position + 1)) - 1
    return i >= 0 and ranges[i][0] <= position < ranges[i][1]


def _token_before(text: str, end: int) -> int:
    """Start of the run of non-space characters ending at ``end``."""
    start = end
    # Bounded: a "word" longer than this is no abbreviation anyway.
    limit = max(0, end - 40)
    while start > limit and not text[start - 1].isspace():
        start -= 1
    return start


def _is_boundary(text: str, m: regex.Match[str], protected: list[tuple[int, int]]) -> bool:
    after = m.end()
    if after >= len(text):
        return True
    if protected and _inside(m.start(), protected):
        return False
    glued = not m.group("ws")
    start_pattern = _GLUED_START if glued else _NEXT_START
    if not start_pattern.match(text, after):
        return False
    if m.group("term") != "." or m.group("close"):
        # "?", "!", "..." and a quote closed after the stop are unambiguous enough.
        return True
    token_start = _token_before(text, m.start())
    token = text[token_start : m.start()].lstrip(_OPENERS)
    if token.isdigit():
        # "1. Перший пункт": a list marker at the start of a line is no sentence.
        line_start = text.rfind("\n", 0, token_start) + 1
        return bool(text[line_start:token_start].strip())
    return _ends_sentence(token, text, after)


def _ends_sentence(token: str, text: str, after: int) -> bool:
    """Whether a full stop right after ``token`` ends a sentence."""
    if not token:
        return True
    candidates = {token.lower()}
    if "-" in token:
        candidates.add(token.rsplit("-", 1)[1].lower())
    if candidates & _NEVER_END:
        return False
    if candidates & _MAY_END or any(_DOTTED.fullmatch(c) for c in candidates):
        return _next_word(text, after) in _STARTERS
    # Initials ("Т. Г. Шевченко", "J. R. R. Tolkien") and one-letter abbreviations.
    return not (len(token) == 1 and token.isalpha())


def _next_word(text: str, after: int) -> str | None:
    m = _NEXT_WORD.match(text, after)
    return m.group(1) if m else None


# --- spans ----------------------------------------------------------------------------

_SCRIPT_RUN = regex.compile(
    r"(?P<cyr>\p{Cyrillic}[\p{Cyrillic}\p{M}]*)"
    r"|(?P<lat>\p{Latin}[\p{Latin}\p{M}]*)"
    r"|(?P<oth>[\p{L}--[\p{Cyrillic}\p{Latin}]][\p{L}\p{M}--[\p{Cyrillic}\p{Latin}]]*)",
    regex.V1,  # set difference ("--") needs V1
)
_URL_SCRIPT = "url"


def split_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the single-script runs of ``text``, partitioning it.

    Letters decide the script (Cyrillic, Latin, other). Neutral characters between two
    runs of the same script join them; between different scripts they form a span of their
    own; at either end they join the nearest run. URLs and e-mail addresses are always
    spans of their own.
    """
    if not text:
        return []
    runs = _runs(text)
    if not runs:
        return [(0, len(text))]
    merged: list[list[int | str]] = []
    for start, end, script in runs:
        if merged:
            prev = merged[-1]
            if script == prev[2] and script != _URL_SCRIPT:
                prev[1] = end
                continue
            gap_start = int(prev[1])
            if gap_start < start:
                merged.append([gap_start, start, ""])
        merged.append([start, end, script])
    # Neutral text before the first run and after the last belongs to those runs, unless
    # the run is a URL, which stays exactly the address.
    spans = [(int(s), int(e), str(k)) for s, e, k in merged]
    first_start, first_end, first_kind = spans[0]
    if first_start > 0:
        if first_kind == _URL_SCRIPT:
            spans.insert(0, (0, first_start, ""))
        else:
            spans[0] = (0, first_end, first_kind)
    last_start, last_end, last_kind = spans[-1]
    if last_end < len(text):
        if last_kind == _URL_SCRIPT:
            spans.append((last_end, len(text), ""))
        else:
            spans[-1] = (last_start, len(text), last_kind)
    return [(s, e) for s, e, _ in spans]


def _runs(text: str) -> list[tuple[int, int, str]]:
    urls = [(m.start(), m.end()) for m in URL.finditer(text)] if "." in text or "@" in text else []
    runs: list[tuple[int, int, str]] = []
    position = 0
    for url_start, url_end in [*urls, (len(text), len(text))]:
        for m in _SCRIPT_RUN.finditer(text, position, url_start):
            runs.append((m.start(), m.end(), m.lastgroup or ""))
        if url_start < url_end:
            runs.append((url_start, url_end, _URL_SCRIPT))
        position = url_end
    return runs


# --- blocks ---------------------------------------------------------------------------

_HEADING_MARKS = regex.compile(r"^\s*#+\s*|\s+")


def segment(document: Document, rules: SegmentSettings) -> Article:
    """Cut ``document`` into title, body, caption and boilerplate blocks.

    Blocks are paragraphs (split at blank lines); inside a paragraph each line matching a
    boilerplate rule becomes a block of its own, and captions found inside the remaining
    text are carved out of it, splitting the body around them. The title is the first
    paragraph equal to ``Document.title``; without a title, the first non-boilerplate
    paragraph if it is a single short line without a final full stop and more text
    follows. A document of only whitespace is one boilerplate block (rule "blank").
    """
    text = document.text
    pieces = list(_pieces(text, rules))
    if len(pieces) == 1 and not text.strip():
        pieces = [(0, len(text), BlockKind.BOILERPLATE, "blank")]
    pieces = _mark_title(text, pieces, document.title)
    blocks = tuple(_block(text, start, end, kind, rule) for start, end, kind, rule in pieces)
    return Article(document=document, blocks=blocks)


Piece = tuple[int, int, BlockKind, str | None]


def _paragraphs(text: str) -> Iterator[list[tuple[int, int]]]:
    """Paragraphs as lists of (start, end) lines; blank lines go to the line before."""
    lines: list[tuple[int, int]] = []
    position = 0
    seen_blank = False
    for line in text.splitlines(keepends=True):
        end = position + len(line)
        if not line.strip():
            if lines:
                lines[-1] = (lines[-1][0], end)
                seen_blank = True
            else:
                # Leading blank lines go to the first line of the text.
                lines.append((position, end))
                seen_blank = False
        else:
            if seen_blank:
                yield lines
                lines = []
                seen_blank = False
            if lines and not text[lines[-1][0] : lines[-1][1]].strip():
                lines[-1] = (lines[-1][0], end)
            else:
                lines.append((position, end))
        position = end
    if lines:
        yield lines


def _pieces(text: str, rules: SegmentSettings) -> Iterator[Piece]:
    for lines in _paragraphs(text):
        pending: tuple[int, int] | None = None
        for start, end in lines:
            rule = classify_line(text[start:end], rules)
            if rule is None:
                pending = (pending[0], end) if pending else (start, end)
                continue
            if pending:
                yield from _carve(text, *pending, rules)
                pending = None
            yield (start, end, BlockKind.BOILERPLATE, rule)
        if pending:
            yield from _carve(text, *pending, rules)


def _carve(text: str, start: int, end: int, rules: SegmentSettings) -> list[Piece]:
    """Split body text around the captions inside it."""
    chunk = text[start:end]
    pieces: list[Piece] = []
    position = 0
    for c_start, c_end, rule in find_captions(chunk, rules):
        if chunk[position:c_start].strip():
            pieces.append((start + position, start + c_start, BlockKind.BODY, None))
            position = c_start
        # Whitespace before a caption with no body before it goes with the caption.
        pieces.append((start + position, start + c_end, BlockKind.CAPTION, rule))
        position = c_end
    if position < len(chunk):
        if pieces and not chunk[position:].strip():
            first, _, kind, rule_name = pieces[-1]
            pieces[-1] = (first, end, kind, rule_name)
        else:
            pieces.append((start + position, end, BlockKind.BODY, None))
    return pieces


def _mark_title(text: str, pieces: list[Piece], title: str | None) -> list[Piece]:
    wanted = _normalise(title) if title else None
    for i, (start, end, kind, _rule) in enumerate(pieces):
        if kind is BlockKind.BOILERPLATE:
            continue
        if kind is not BlockKind.BODY:
            if wanted is None:
                return pieces
            continue
        line = text[start:end].strip()
        if wanted is not None:
            is_title = _normalise(line) == wanted
        else:
            is_title = looks_like_title(line) and any(
                k is not BlockKind.BOILERPLATE for _, _, k, _ in pieces[i + 1 :]
            )
        if is_title:
            return [*pieces[:i], (start, end, BlockKind.TITLE, None), *pieces[i + 1 :]]
        if wanted is None:
            return pieces
    return pieces


def _normalise(line: str) -> str:
    return _HEADING_MARKS.sub(" ", line).strip().casefold()


def _block(text: str, start: int, end: int, kind: BlockKind, rule: str | None) -> Block:
    if kind in (BlockKind.BODY, BlockKind.CAPTION):
        bounds = [(start + s, start + e) for s, e in split_sentences(text[start:end])]
    else:
        # Titles and boilerplate lines are one unit each: a crumb trail is not prose.
        bounds = [(start, end)]
    return Block(kind, start, end, tuple(_sentence(text, s, e) for s, e in bounds), rule)


def _sentence(text: str, start: int, end: int) -> Sentence:
    part = text[start:end]
    spans = tuple(Span(start + s, start + e, part[s:e]) for s, e in split_spans(part))
    return Sentence(start, end, spans)


# --- sumy ------------------------------------------------------------------------------

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’ʼ\-][\p{L}\p{M}\p{N}]+)*")
_HAS_LETTER = regex.compile(r"\p{L}")


class SentenceTokenizer:
    """A drop-in for sumy's ``Tokenizer`` that needs no NLTK data.

    sumy's parsers call ``to_sentences`` and ``to_words``; its stemmers and stop-word
    lists read ``language``.
    """

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        parts = (paragraph[s:e].strip() for s, e in split_sentences(paragraph))
        return tuple(p for p in parts if p)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_words(sentence))


def _words(sentence: str) -> Iterable[str]:
    # Numbers alone are not words (as in sumy); "5G" and "п'ять" are.
    for m in _WORD.finditer(sentence):
        word = m.group()
        if _HAS_LETTER.search(word):
            yield word
