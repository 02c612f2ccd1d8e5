"""The input edge: find article files, decode them and turn them into Documents.

``discover`` lists the input folder; ``read`` turns one Source into Documents.

Results and warnings
    ``discover`` returns a ``Discovery``: sources, errors and ignored files. ``errors``
    are real failures (a file that cannot be opened or hashed, a folder that cannot be
    listed, a dangling symlink with an article extension) and should count as failed
    files. ``ignored`` are files of a type the job does not read (``b.docx``): the run
    counts and names them. Symlinks that resolve outside the input folder are *not*
    errors: they are skipped and reported as warnings on the ``jobs.ingest`` logger, so
    they reach the user through the CLI's logging set-up without failing the run.
    Hidden names (``.x``) and editor and temp files (``~x``, ``#x``, ``x~``) are
    skipped silently.

    ``read`` raises ``InputError`` (a one-line reason) when the whole file is unusable
    and returns per-record ``FileError`` entries, keyed ``relpath#N``, for bad JSON list
    items or JSONL lines; the good records are kept.

Text layout contract (what the segmenter can rely on)
    Line endings are ``\\n``, text is NFC, no BOM, no trailing spaces on lines.
    Paragraphs are separated by exactly one blank line; a paragraph may still contain
    single newlines (hard-wrapped text). The text has no leading or trailing blank
    lines. When ``Document.title`` is set *and* the title is part of the file's visible
    text (a .txt first line, a Markdown heading, an HTML ``<h1>``), it is also the first
    paragraph of ``Document.text``; titles that come from elsewhere (HTML ``<title>``,
    a JSON ``title`` field, Markdown front matter) are not added to the text.

Keys
    Plain files: ``relpath``. JSON and JSONL: ``relpath#N`` with N the 1-based position
    in a JSON list (1 for a single object) or the 1-based line number in JSONL, so that
    fixing one bad line never renames the records around it.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import logging
import math
import os
import re
import stat
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

from jobs.config import InputSettings
from jobs.errors import ConfigError, InputError
from jobs.records import Document, FileError, Source
from jobs.text import looks_like_title

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

log = logging.getLogger(__name__)

_CHUNK = 1 << 20

# ---------------------------------------------------------------------------------------
# discover


@dataclass(frozen=True)
class Discovery:
    """What ``discover`` found: the article files, the files it could not look at, and
    the files of a type the job does not read (relative paths)."""

    sources: list[Source]
    errors: list[FileError]
    ignored: list[str]


def discover(
    input_dir: Path, extensions: Collection[str], *, only: Path | None = None
) -> Discovery:
    """List every article file under ``input_dir``, sorted by relative path; with
    ``only`` (a file inside ``input_dir``), just that one.

    Raises ``ConfigError`` when ``input_dir`` is not a folder, or ``only`` is not an
    article file: that is a wrong ``paths.input`` or ``--input``, not a bad article.
    """
    require_folder(input_dir)
    wanted = {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
    errors: list[FileError] = []
    ignored: list[str] = []
    if only is not None:
        found = [_only(input_dir, only, wanted)]
    else:
        root_real = os.path.realpath(input_dir)
        found = list(_walk(str(input_dir), "", root_real, wanted, errors, ignored))
    sources: list[Source] = []
    for relpath, path in sorted(found):
        try:
            digest, size = _hash_file(path)
        except OSError as exc:
            errors.append(FileError(relpath, f"cannot read: {_os_reason(exc)}"))
            continue
        sources.append(Source(path=Path(path), relpath=relpath, sha256=digest, size=size))
    errors.sort(key=lambda e: e.relpath)
    return Discovery(sources, errors, sorted(ignored))


def require_folder(input_dir: Path) -> None:
    """``ConfigError`` unless ``input_dir`` is a folder: a wrong ``paths.input`` or
    ``--input``, not a bad article."""
    if not input_dir.is_dir():
        raise ConfigError(
            f"input folder {input_dir} does not exist or is not a folder; create it, or "
            "give --input a folder or an article file"
        )


def _only(input_dir: Path, file: Path, wanted: set[str]) -> tuple[str, str]:
    suffix = file.suffix.lower()
    if suffix not in wanted:
        raise ConfigError(
            f"{file} is not a type the job reads ({suffix or 'no extension'}); it reads "
            f"{', '.join(sorted(wanted))} (input.extensions)"
        )
    return file.relative_to(input_dir).as_posix(), str(file)


def _skipped_name(name: str) -> bool:
    # Editors and downloaders leave these next to real articles (".#x", "~$x", "x~").
    return name.startswith((".", "~", "#")) or name.endswith("~")


def _walk(
    folder: str,
    prefix: str,
    root_real: str,
    wanted: set[str],
    errors: list[FileError],
    ignored: list[str],
) -> Iterator[tuple[str, str]]:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError as exc:
        errors.append(
            FileError(prefix.rstrip("/") or ".", f"cannot list folder: {_os_reason(exc)}")
        )
        return
    for entry in entries:
        name = entry.name
        if _skipped_name(name):
            continue
        relpath = prefix + name
        try:
            is_link = entry.is_symlink()
            if is_link:
                target = os.path.realpath(entry.path)
                if not _inside(target, root_real):
                    log.warning(
                        "ignored %s: symbolic link to %s, outside the input folder",
                        relpath,
                        target,
                    )
                    continue
            if entry.is_dir():
                # A linked folder inside the input is walked through its real path
                # anyway; following it too would list files twice or loop.
                if not is_link:
                    yield from _walk(entry.path, relpath + "/", root_real, wanted, errors, ignored)
                continue
            if os.path.splitext(name)[1].lower() not in wanted:
                ignored.append(relpath)
                continue
            if is_link and not os.path.exists(entry.path):
                errors.append(FileError(relpath, "broken symbolic link"))
                continue
            if entry.is_file():
                yield relpath, entry.path
            else:
                # Opening a FIFO would block the run until someone writes to it.
                errors.append(FileError(relpath, f"not a regular file ({_kind(entry)}); not read"))
        except OSError as exc:
            errors.append(FileError(relpath, f"cannot read: {_os_reason(exc)}"))


def _kind(entry: os.DirEntry[str]) -> str:
    mode = entry.stat().st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _hash_file(path: str) -> tuple[str, int]:
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return digest, size


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ---------------------------------------------------------------------------------------
# read


def read(source: Source, settings: InputSettings) -> tuple[list[Document], list[FileError]]:
    """Read one source into Documents; ``InputError`` when the whole file is unusable."""
    data = _read_bytes(source, settings.max_bytes)
    if not data:
        raise InputError("empty file")
    fmt = os.path.splitext(source.relpath)[1].lower().lstrip(".")
    if fmt == "htm":
        fmt = "html"
    declared = _declared_charset(data) if fmt == "html" else None
    text, encoding = decode(data, declared=declared)
    if not text.strip():
        raise InputError("only whitespace, no text")
    if fmt == "html":
        return [_html_document(source, text, encoding)], []
    if fmt == "md":
        return [_markdown_document(source, text, encoding)], []
    if fmt == "json":
        return _json_documents(source, text, encoding)
    if fmt == "jsonl":
        return _jsonl_documents(source, text, encoding)
    return [_text_document(source, text, encoding)], []


def _read_bytes(source: Source, max_bytes: int) -> bytes:
    if source.size > max_bytes:
        raise InputError(_too_big(source.size, max_bytes))
    try:
        with open(source.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise InputError(_too_big(size, max_bytes))
            # One byte more than allowed tells a file that grew past the limit.
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {_os_reason(exc)}") from exc
    if len(data) > max_bytes:
        raise InputError(_too_big(len(data), max_bytes))
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise InputError(
            "file changed while being read (its content no longer matches the hash taken"
            " when it was discovered); the next run will pick up the new version"
        )
    return data


def _too_big(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, more than input.max_bytes ({limit:,})"


# ---------------------------------------------------------------------------------------
# decoding

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SINGLE_BYTE = ("cp1251", "koi8-u")


def decode(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode article bytes; return (text, encoding name). ``InputError`` if impossible.

    Order: a BOM; UTF-16 without BOM (told by where the NUL bytes sit); strict UTF-8;
    a charset the file declares (HTML meta); cp1251 or koi8-u chosen by how Ukrainian
    or Russian the letters look. The text comes back NFC with ``\\n`` line endings.
    """
    if not data:
        raise InputError("empty file")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary data ({what}), not text")
    if data[4:12] in (b"ftypisom", b"ftypmp42") or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise InputError("binary data (an image or video), not text")

    text: str | None = None
    encoding = ""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"starts with a {name.upper()} byte-order mark but is not valid {name}"
                    f" at byte offset {exc.start}: {exc.reason}"
                ) from exc
            encoding = name
            break
    if text is None and b"\x00" in data:
        text, encoding = _decode_utf16_without_bom(data)
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            text, encoding = _decode_not_utf8(data, exc, declared)
    return _clean(text), encoding


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str]:
    first_nul = data.index(b"\x00")
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    # ASCII and Cyrillic both have a zero or 0x04 high byte, so in UTF-16 the NULs pile
    # up on one side: odd offsets for little-endian, even offsets for big-endian.
    name = "utf-16-le" if odd > even else "utf-16-be"
    if max(odd, even) >= 4 * max(1, min(odd, even)):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            text = ""
        if text and _plausible_share(text) >= 0.9:
            return text, name
    raise InputError(f"binary data: NUL byte at offset {first_nul}, and not UTF-16 text")


def _plausible_share(text: str) -> float:
    good = sum(1 for ch in text if _plausible_char(ch))
    return good / len(text)


def _plausible_char(ch: str) -> bool:
    o = ord(ch)
    return (
        (0x20 <= o < 0x7F)
        or ch in "\n\r\t\f"
        or 0xA0 <= o <= 0x24F  # Latin-1 and Latin Extended
        or 0x400 <= o <= 0x52F  # Cyrillic
        or 0x2000 <= o <= 0x20CF  # punctuation, currency
        or 0x2100 <= o <= 0x214F
        or o == 0xFEFF
    )


_VALID_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

# Why not charset-normalizer (installed anyway, through trafilatura): measured by
# bench/eval_encodings.py on real uk/ru text (2026-12-02), charset-normalizer restricted
# to cp1251/koi8-u decodes koi8-u back exactly for only 66%/21% (uk/ru) of 20-character
# snippets, 61%/0% of word pairs, 21%/0% of single words and 68%/1% of English sentences
# with a few Cyrillic words, where this guess gets 99.4-100% on all of them; from 200
# characters on both are at 100%. It also reads cut or stray bytes in English UTF-8 as
# cp1251 ("\xe2\x82" -> "в‚") and fails 5 of the decoding tests in tests/test_ingest.py.
# It is faster on long text (about 0.15 ms against 1 ms per 1,000 characters).


def _decode_not_utf8(data: bytes, exc: UnicodeDecodeError, declared: str | None) -> tuple[str, str]:
    where = f"not valid UTF-8 at byte offset {exc.start} ({exc.reason})"
    codec = _usable_codec(declared)
    if codec is not None:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as dexc:
            raise InputError(
                f"declares charset {declared} but is not valid {codec} at byte offset {dexc.start}"
            ) from dexc
    high = sum(1 for b in data if b >= 0x80)
    in_sequences = sum(len(m) for m in _VALID_UTF8_MULTIBYTE.findall(data))
    # Real cp1251/koi8-u text rarely forms valid UTF-8 pairs; damaged UTF-8 mostly does.
    if high >= 8 and in_sequences >= 0.8 * high:
        raise InputError(f"{where}: damaged or truncated UTF-8")
    best: tuple[float, str, str] | None = None
    for name in _SINGLE_BYTE:
        try:
            candidate = data.decode(name)
        except UnicodeDecodeError:
            continue
        score = _cyrillic_score(candidate)
        if score is not None and (best is None or score > best[0]):
            best = (score, candidate, name)
    if best is None or best[0] < _MIN_CYRILLIC_SCORE:
        raise InputError(f"{where}, and not cp1251 or koi8-u text either")
    return best[1], best[2]


def _usable_codec(declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    # A page that is valid UTF-8 was already decoded as such; "utf-16" in a meta tag of
    # an 8-bit file is a lie browsers ignore too.
    if name.startswith(("utf-8", "utf-16", "utf-32")):
        return None
    # Ukrainian sites long declared koi8-r for koi8-u text; the two differ only where
    # koi8-r has box-drawing signs and koi8-u has і ї є ґ.
    return "koi8-u" if name == "koi8-r" else name


# Letter frequencies per mille, the larger of Ukrainian and Russian, so that both
# languages look natural and mis-decoded text (a permutation of the alphabet, mostly
# in the wrong case) does not.
_LETTER_FREQ: Mapping[str, float] = {
    "о": 110, "а": 80, "е": 85, "и": 74, "н": 67, "т": 63, "і": 59, "с": 55, "в": 54,
    "р": 47, "л": 44, "к": 36, "у": 33, "д": 32, "м": 32, "п": 28, "з": 21, "я": 20,
    "ы": 19, "ь": 17, "г": 17, "б": 16, "ч": 14, "й": 12, "х": 11, "ж": 9, "ш": 8,
    "ю": 8, "є": 8, "ї": 8, "ц": 6, "щ": 4, "ф": 3, "э": 3, "ё": 2, "ґ": 0.5, "ъ": 0.4,
}  # fmt: skip
_LOG_FREQ = {c: math.log(f / 1000) for c, f in _LETTER_FREQ.items()}
_LOG_RARE = math.log(0.01 / 1000)
_MIN_CYRILLIC_SCORE = -5.0
_MIN_CYRILLIC_LETTERS = 4
# Typographic signs that cp1251 and koi8-u articles really contain.
_TYPOGRAPHY = set("«»„“”‘’‚—–…№•·°\xa0€©®™±×")


def _cyrillic_score(text: str) -> float | None:
    """Mean log-likelihood per Cyrillic letter, or None if this is not Cyrillic text.

    Letters score by frequency and by case *within a word*: "Київ", "київ" and "КИЇВ"
    are natural, "кИЇВ" is not; this is what tells a right decoding from a wrong one.
    """
    letters = 0
    total = 0.0
    odd = 0
    glued = 0
    prev_case = ""
    pos = 0
    prev_ch = ""
    for ch in text:
        o = ord(ch)
        if 0x400 <= o <= 0x4FF and ch.isalpha():
            lower = ch.lower()
            upper = ch != lower
            total += _LOG_FREQ.get(lower, _LOG_RARE)
            if not prev_case:
                p = 0.2 if upper else 0.8
                if prev_ch.isascii() and prev_ch.isalpha():
                    glued += 1
            elif prev_case == "L":
                p = 0.01 if upper else 0.99
            elif pos == 1:
                p = 0.2 if upper else 0.8
            else:
                p = 0.95 if upper else 0.05
            total += math.log(p)
            prev_case = "U" if upper else "L"
            pos += 1
            letters += 1
        else:
            if prev_case and ch.isascii() and ch.isalpha():
                glued += 1
            prev_case = ""
            pos = 0
            # Control bytes are judged later, by _clean, for every encoding alike.
            if o >= 0x80 and ch not in _TYPOGRAPHY:
                odd += 1
        prev_ch = ch
    if letters < _MIN_CYRILLIC_LETTERS:
        return None
    # Box-drawing signs, stray symbols or Cyrillic glued to Latin mean a wrong guess.
    if odd > 0.05 * letters or glued > 0.05 * letters + 1:
        return None
    return total / letters


_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    text = _without_lone_surrogates(text.removeprefix("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InputError(f"binary data: NUL character at text offset {text.index(chr(0))}")
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 100):
        raise InputError(f"binary data: {controls} control characters, not text")
    if controls:
        # A few stray control bytes (a DOS Ctrl-Z at the end, scraping debris) are not
        # content; many mean this is not text at all.
        text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text)


_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii") if m else None


# ---------------------------------------------------------------------------------------
# layout


def _layout(text: str, *, lines_are_paragraphs: bool | None = None) -> str:
    """Blank-line separated paragraphs, no trailing spaces, no outer blank lines.

    With ``lines_are_paragraphs`` None, a text without any blank line is taken to have
    one paragraph per line: that is how scraped text usually arrives.
    """
    lines = [line.rstrip() for line in text.split("\n")]
    if lines_are_paragraphs is None:
        body = "\n".join(lines).strip("\n")
        lines_are_paragraphs = "\n\n" not in body
    if lines_are_paragraphs:
        return "\n\n".join(line for line in lines if line.strip())
    joined = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def _meta(fmt: str, encoding: str, **extra: str | None) -> Mapping[str, str]:
    meta = {"format": fmt, "encoding": encoding}
    meta.update({k: v for k, v in extra.items() if v})
    return MappingProxyType(meta)


def _no_text(what: str) -> InputError:
    return InputError(f"{what} with no text")


def _text_document(source: Source, raw: str, encoding: str) -> Document:
    text = _layout(raw)
    title = None
    lines = raw.lstrip("\n\t ").split("\n", 2)
    first = lines[0].strip()
    if len(lines) > 1 and not lines[1].strip() and looks_like_title(first):
        title = first
    return Document(source, source.relpath, text, title, _meta("txt", encoding))


# Markdown ---------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACES_AROUND_BREAK = re.compile(r"[ \t]*\n[ \t]*")


@functools.cache
def _markdown_parser() -> MarkdownIt:
    # Imported here: runs without Markdown input need not load it. CommonMark plus the
    # GFM tables and ~~strikethrough~~ that scraped articles use; no typographer and no
    # linkify, so the words stay as written.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _inline_text(children: list[Token] | None) -> str:
    """The visible text of an inline token: markup, link targets and inline HTML go."""
    parts: list[str] = []
    after_tag = False
    for child in children or ():
        kind = child.type
        if kind in ("text", "code_inline", "image"):  # an image gives its alt text
            content = child.content
            if after_tag and parts and parts[-1].endswith(" ") and content.startswith(" "):
                # "a <!-- note --> b" reads "a b", not "a  b".
                content = content[1:]
            parts.append(content)
        elif kind in ("softbreak", "hardbreak") or (
            kind == "html_inline" and _BR_TAG.fullmatch(child.content)
        ):
            parts.append("\n")
        after_tag = kind == "html_inline"
    return _SPACES_AROUND_BREAK.sub("\n", "".join(parts)).strip()


def _html_block_text(html: str) -> str:
    """What a browser shows of a raw HTML block: no tags, comments or scripts."""
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing but a doctype, say
        return ""
    return _lxml_text(fragment)


def _markdown_blocks(body: str) -> tuple[list[str], str | None]:
    """Paragraphs (headings, list items and table rows are units of their own) and the
    text of the first heading."""
    paragraphs: list[str] = []
    first_heading: str | None = None
    in_heading = False
    row: list[str] | None = None
    for token in _markdown_parser().parse(body):
        kind = token.type
        if kind == "inline":
            text = _inline_text(token.children)
            if row is not None:
                row.append(" ".join(text.split()))
            elif in_heading:
                # A setext heading may span lines; a heading is one unit all the same.
                text = " ".join(text.split())
                if text:
                    paragraphs.append(text)
                    first_heading = first_heading or text
            elif text:
                paragraphs.append(text)
        elif kind == "heading_open":
            in_heading = True
        elif kind == "heading_close":
            in_heading = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            # A table row is a unit, its cells in one line; the |---| row is markup.
            if any(row):
                paragraphs.append(" | ".join(cell for cell in row if cell))
            row = None
        elif kind in ("fence", "code_block"):
            paragraphs.append(token.content)
        elif kind == "html_block":
            paragraphs.append(_html_block_text(token.content))
    return paragraphs, first_heading


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields, text[m.end() :]


def _markdown_document(source: Source, raw: str, encoding: str) -> Document:
    fields, body = _front_matter(raw)
    paragraphs, heading = _markdown_blocks(body)
    # Entities (&#769;) may decode to combining marks.
    joined = unicodedata.normalize("NFC", "\n\n".join(paragraphs))
    text = _layout(joined, lines_are_paragraphs=False)
    if not text.strip():
        raise _no_text("Markdown")
    title = heading or fields.get("title") or None
    meta = _meta("md", encoding, url=fields.get("url"), date=fields.get("date"))
    return Document(source, source.relpath, text, title, meta)


# HTML -------------------------------------------------------------------------------

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "svg", "math", "iframe",
    "object", "embed", "canvas", "select", "button", "head",
)  # fmt: skip
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_LIBXML_MAX_DEPTH = 255


# A site logo is often an <h1> in the page header; the article's own is not.
_ARTICLE_H1 = (
    "//h1[not(ancestor::nav)][not(ancestor::header) or ancestor::article or ancestor::main]"
)


def _html_document(source: Source, raw: str, encoding: str) -> Document:
    markup = _XML_DECLARATION.sub("", raw)
    try:
        tree = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"HTML cannot be parsed: {exc}") from exc
    h1 = _first_text(tree, _ARTICLE_H1) or _first_text(tree, "//h1")
    title = h1 or _first_text(tree, "//title")
    url = _first_attr(tree, "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
    date = _first_attr(
        tree,
        "//meta[@property='article:published_time']/@content | //meta[@name='date']/@content",
    )
    text = _trafilatura_text(markup) or _lxml_text(tree)
    if not text:
        if _max_depth(tree) >= _LIBXML_MAX_DEPTH:
            raise InputError(
                f"HTML with no text within the first {_LIBXML_MAX_DEPTH} levels of nesting"
                " (the page is nested too deeply to read)"
            )
        raise _no_text("HTML")
    if h1 and h1 not in text.split("\n\n"):
        # The <h1> is part of the visible page, so the title leads the text.
        text = h1 + "\n\n" + text
    meta = _meta("html", encoding, url=url, date=date)
    return Document(source, source.relpath, text, title, meta)


def _trafilatura_text(markup: str) -> str:
    try:
        # Imported here: it takes most of a second, and runs that skip every unchanged
        # file, or have no HTML, should not pay for it.
        import trafilatura

        extracted = trafilatura.extract(
            markup,
            include_comments=False,
            favor_recall=True,
            include_tables=True,
            include_images=False,
            with_metadata=False,
            # favor_recall brings menus back; a <nav> is never the article.
            prune_xpath=["//nav"],
        )
    except (RecursionError, MemoryError):
        return ""
    except Exception as exc:  # trafilatura's failure modes are not documented
        log.debug("trafilatura failed, using the lxml fallback: %s", exc)
        return ""
    if not extracted:
        return ""
    # trafilatura puts one paragraph per line.
    return _layout(_collapse_spaces_per_line(extracted), lines_are_paragraphs=True)


def _collapse_spaces_per_line(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _lxml_text(tree: Any) -> str:
    for el in tree.xpath("//comment() | //processing-instruction()"):
        if el.getparent() is not None:
            el.drop_tree()
    for el in tree.xpath(" | ".join(f"//{t}" for t in _DROP_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    parts: list[str] = []
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail:
                parts.append(el.tail)
    paragraphs = (" ".join(p.split()) for p in "".join(parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _max_depth(tree: Any) -> int:
    depth = deepest = 0
    for event, _el in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _first_text(tree: Any, xpath: str) -> str | None:
    for el in tree.xpath(xpath):
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _first_attr(tree: Any, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        text = str(value).strip()
        if text:
            return text
    return None


# JSON and JSONL ---------------------------------------------------------------------

_SHAPE = "expected an object with a non-empty string 'text' field"


def _record(source: Source, n: int, obj: Any, encoding: str, fmt: str) -> Document | FileError:
    key = f"{source.relpath}#{n}"
    where = f"line {n}" if fmt == "jsonl" else f"record {n}"
    if not isinstance(obj, dict):
        return FileError(key, f"{where}: {_SHAPE}, got {_json_type(obj)}")
    raw = obj.get("text")
    if not isinstance(raw, str):
        keys = ", ".join(sorted(map(str, obj))[:10]) or "none"
        return FileError(key, f"{where}: {_SHAPE} (keys present: {keys})")
    try:
        text = _layout(_clean(raw))
    except InputError as exc:
        return FileError(key, f"{where}: 'text' {exc}")
    if not text:
        return FileError(key, f"{where}: 'text' is empty")
    title = _scalar(obj.get("title"))
    meta = _meta(
        fmt,
        encoding,
        url=_scalar(obj.get("url")),
        date=_scalar(obj.get("date")),
        id=_scalar(obj.get("id")),
    )
    return Document(source, key, text, title or None, meta)


_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _scalar(value: Any) -> str | None:
    """A one-line metadata value: NULs, newlines and other controls become spaces."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        text = _without_lone_surrogates(str(value))
        return " ".join(_ANY_CONTROL.sub(" ", text).split()) or None
    return None


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _without_lone_surrogates(text: str) -> str:
    """JSON may escape half a character ("\\ud83d"); Python keeps it, UTF-8 cannot
    write it, so it becomes U+FFFD here instead of failing the run at its first write."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _json_type(obj: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    if obj is None:
        return "null"
    return names.get(type(obj), "a number")


def _json_error(exc: json.JSONDecodeError, *, with_line: bool) -> str:
    """One reason for JSON files and JSONL lines alike, e.g.
    ``not valid JSON: expecting ',' delimiter at line 4 column 7`` (a JSONL line is one
    line: ``... at column 7``). Some of json's messages end in "at" already
    ("Unterminated string starting at", "Invalid control character at"), which would
    otherwise read "... starting at at column 29".
    """
    msg = exc.msg.removesuffix(" at")
    msg = msg[:1].lower() + msg[1:]
    where = f"line {exc.lineno} column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"not valid JSON: {msg} at {where}"


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(_json_error(exc, with_line=True)) from exc
    except RecursionError as exc:
        raise InputError("not usable JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer with too many digits
        raise InputError(f"not usable JSON: {exc}") from exc


def _split(
    results: list[Document | FileError], what: str
) -> tuple[list[Document], list[FileError]]:
    docs = [r for r in results if isinstance(r, Document)]
    errors = [r for r in results if isinstance(r, FileError)]
    if not docs:
        first = errors[0].reason if errors else "nothing in it"
        raise InputError(f"{what} with no usable article ({first})")
    return docs, errors


def _json_documents(
    source: Source, text: str, encoding: str
) -> tuple[list[Document], list[FileError]]:
    data = _loads(text)
    if isinstance(data, dict):
        result = _record(source, 1, data, encoding, "json")
        if isinstance(result, FileError):
            raise InputError(result.reason.removeprefix("record 1: "))
        return [result], []
    if isinstance(data, list):
        if not data:
            raise InputError("JSON list is empty")
        results = [_record(source, n, obj, encoding, "json") for n, obj in enumerate(data, 1)]
        return _split(results, "JSON list")
    raise InputError(f"JSON must be an object or a list of objects, got {_json_type(data)}")


def _jsonl_documents(
    source: Source, text: str, encoding: str
) -> tuple[list[Document], list[FileError]]:
    results: list[Document | FileError] = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"line {n}: {_json_error(exc, with_line=False)}"
            results.append(FileError(f"{source.relpath}#{n}", reason))
            continue
        except (RecursionError, ValueError) as exc:
            results.append(FileError(f"{source.relpath}#{n}", f"line {n}: not usable JSON: {exc}"))
            continue
        results.append(_record(source, n, obj, encoding, "jsonl"))
    return _split(results, "JSONL file")
