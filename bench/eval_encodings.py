"""How often the single-byte guess decodes Cyrillic text back exactly: ours vs charset-normalizer.

Usage: .venv/bin/python bench/eval_encodings.py [--data ../shared/data] [--per-length N]
       .venv/bin/python bench/eval_encodings.py --run-tests

Real Ukrainian and Russian text from ``monolingual/{uk,ru}/*.txt`` and
``langid/lingua_*_dev.jsonl`` is cut into samples (snippets of about 20, 50, 200 and
1000 characters ending at a word boundary, whole paragraphs, the lingua sentences, word
pairs and single words, and mostly-English sentences from ``monolingual/en`` with one to
three Cyrillic words put in) and encoded in cp1251, koi8-u and UTF-8 (the control). Signs
an encoding cannot hold (koi8-u has no « » „ “ ” – — …) become their ASCII stand-ins
first, as a real koi8-u file would have them. A sample counts as right when the decoder
gives back exactly the original text; a refusal counts as wrong.

Three decoders:

* ``ours``: ``jobs.ingest.decode``;
* ``cn_cyr``: ``decode`` with its non-UTF-8 step (``_decode_not_utf8``: damaged-UTF-8
  refusal, cp1251/koi8-u choice) replaced by
  ``charset_normalizer.from_bytes(data, cp_isolation=["cp1251", "koi8_u"]).best()``
  (no match: refused). This is the drop-in replacement;
* ``cn_any``: ``str(charset_normalizer.from_bytes(data).best())``, unrestricted, for
  comparison (it may pick any code page it knows).

Texts that must be refused are measured too: UTF-8 Cyrillic with one byte dropped inside
a character (damaged UTF-8) and random non-NUL bytes (binary); a decoder that returns
any text for them is wrong there. The data stays in ``../shared/data``; nothing is
written.

Prints one table per kind of text (rows: decoder; columns: encoding and language; last
column: mean time per decode), the total time of each decoder, and, as the LAST line,
one JSON object
{"<kind>": {"<encoding>/<lang>": {"n": N, "<decoder>": accuracy, ...}}, "seconds": {...}}.

``--run-tests`` instead runs the existing tests of ``tests/test_ingest.py`` with the
``cn_cyr`` guess in place of ours: the gate a replacement must pass.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs import ingest  # noqa: E402
from jobs.errors import InputError  # noqa: E402

ENCODINGS = ("cp1251", "koi8-u", "utf-8")
LANGS = ("uk", "ru")
LENGTHS = (20, 50, 200, 1000)
METHODS = ("ours", "cn_cyr", "cn_any")
# What a file written in that code page has instead of the sign it cannot hold.
_ASCII_STAND_INS = str.maketrans(
    {"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-",
     "—": "-", "…": "...", "№": "N", "\xa0": " ", "´": "'", "ʼ": "'"}
)  # fmt: skip
_WORD_START = re.compile(r"(?:^|\s)(?=\S)")


def _articles(folder: Path) -> list[str]:
    return [_normal(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()


def _rows(path: Path, lang: str) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [_normal(r["text"]) for r in rows if r["lang"] == lang and r["text"].strip()]


def _snippet(rng: random.Random, text: str, length: int) -> str:
    """About ``length`` characters of ``text``, starting and ending at a word boundary."""
    starts = [m.end() for m in _WORD_START.finditer(text) if m.end() + length <= len(text)]
    start = rng.choice(starts) if starts else 0
    piece = text[start : start + length + 1]
    if len(piece) > length:
        cut = piece.rfind(" ", 0, length + 1)
        piece = piece[:cut] if cut > length // 2 else piece[:length]
    return " ".join(piece.split())


def _mixed(rng: random.Random, english: list[str], words: list[str]) -> str:
    sentence = rng.choice(english)
    tokens = sentence.split()
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(tokens) + 1)
        word = rng.choice(words)
        tokens.insert(at, f"({word})" if rng.random() < 0.5 else word)
    return " ".join(tokens)


def samples(data: Path, per_length: int, seed: int) -> dict[str, dict[str, list[str]]]:
    """{kind: {lang: [text, ...]}} of real text, deterministic for a seed."""
    rng = random.Random(seed)
    langid = data / "langid"
    english_sentences = [
        s
        for text in _articles(data / "monolingual" / "en")
        for s in re.split(r"(?<=[.!?])\s+", text)
        if 60 <= len(s) <= 250
    ]
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for lang in LANGS:
        articles = _articles(data / "monolingual" / lang)
        paragraphs = [p.strip() for a in articles for p in a.split("\n") if len(p.strip()) >= 20]
        for length in LENGTHS:
            long_enough = [p for p in paragraphs if len(p) > length] or articles
            out[f"snippet {length}"][lang] = [
                _snippet(rng, rng.choice(long_enough), length) for _ in range(per_length)
            ]
        out["paragraph"][lang] = paragraphs
        out["lingua sentence"][lang] = _rows(langid / "lingua_sentences_dev.jsonl", lang)
        out["lingua word pair"][lang] = _rows(langid / "lingua_word_pairs_dev.jsonl", lang)
        out["lingua single word"][lang] = _rows(langid / "lingua_single_words_dev.jsonl", lang)
        words = [w for w in out["lingua single word"][lang] if len(w) >= 3]
        out["mostly English"][lang] = [
            _mixed(rng, english_sentences, words) for _ in range(per_length)
        ]
    return out


def encoded(text: str, encoding: str) -> tuple[str, bytes] | None:
    """(expected text, bytes) or None when the text cannot be written in ``encoding``."""
    try:
        return text, text.encode(encoding)
    except UnicodeEncodeError:
        text = text.translate(_ASCII_STAND_INS)
    try:
        return text, text.encode(encoding)
    except UnicodeEncodeError:
        return None


def damaged_utf8(rng: random.Random, text: str) -> bytes | None:
    """``text`` in UTF-8 with one continuation byte of a Cyrillic letter dropped."""
    data = text.encode()
    spots = [i for i, b in enumerate(data) if 0x80 <= b <= 0xBF]
    if not spots:
        return None
    at = rng.choice(spots)
    return data[:at] + data[at + 1 :]


def binary(rng: random.Random, n: int) -> bytes:
    # No NUL, no C0 controls: what the earlier checks catch is not the guess's job.
    return bytes(rng.choice(range(0x20, 0x100)) for _ in range(n))


# ------------------------------------------------------------------------------------
# decoders


def _cn_not_utf8(data: bytes, exc: UnicodeDecodeError, declared: str | None) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    codec = ingest._usable_codec(declared)
    if codec is not None:
        return data.decode(codec), codec
    best = from_bytes(data, cp_isolation=["cp1251", "koi8_u"]).best()
    if best is None:
        raise InputError(f"not valid UTF-8 at byte offset {exc.start} ({exc.reason})")
    return str(best), codecs.lookup(best.encoding).name


def ours(data: bytes) -> str | None:
    try:
        return ingest.decode(data)[0]
    except InputError:
        return None


def cn_cyr(data: bytes) -> str | None:
    original = ingest._decode_not_utf8
    ingest._decode_not_utf8 = _cn_not_utf8  # type: ignore[assignment]
    try:
        return ingest.decode(data)[0]
    except InputError:
        return None
    finally:
        ingest._decode_not_utf8 = original


def cn_any(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else _normal_like_decode(str(best))


def _normal_like_decode(text: str) -> str:
    # What decode() does after decoding, so that only the guess is compared.
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff").replace("\r\n", "\n"))


DECODERS: dict[str, Callable[[bytes], str | None]] = {
    "ours": ours,
    "cn_cyr": cn_cyr,
    "cn_any": cn_any,
}


# ------------------------------------------------------------------------------------


def cases(data: Path, per_length: int, seed: int) -> Iterator[tuple[str, str, bytes, str | None]]:
    """(kind, column, bytes, expected text or None when the bytes must be refused)."""
    rng = random.Random(seed + 1)
    by_kind = samples(data, per_length, seed)
    for kind, per_lang in by_kind.items():
        for lang, texts in per_lang.items():
            for encoding in ENCODINGS:
                for text in texts:
                    pair = encoded(text, encoding)
                    if pair is not None:
                        yield kind, f"{encoding}/{lang}", pair[1], pair[0]
    for lang in LANGS:
        for length in LENGTHS:
            for text in by_kind[f"snippet {length}"][lang]:
                broken = damaged_utf8(rng, text)
                if broken is not None:
                    yield "must refuse", f"damaged utf-8 {length}/{lang}", broken, None
    for length in LENGTHS:
        for _ in range(per_length):
            yield "must refuse", f"binary {length}", binary(rng, length), None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--per-length", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--run-tests",
        action="store_true",
        help="instead: run tests/test_ingest.py with the cn_cyr guess in place of ours",
    )
    args = parser.parse_args()
    if args.run_tests:
        import pytest

        ingest._decode_not_utf8 = _cn_not_utf8  # type: ignore[assignment]
        return int(
            pytest.main(["-q", "-p", "no:cacheprovider", str(ROOT / "tests/test_ingest.py")])
        )
    if not (args.data / "monolingual" / "uk").is_dir():
        print(f"skipped: no real data in {args.data}")
        return 0
    all_cases = list(cases(args.data, args.per_length, args.seed))
    right: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[str, float] = {}
    kind_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for name, decoder in DECODERS.items():
        decoder(b"warm \xcf\xf0\xe8\xe2\xb3\xf2 up")  # imports are not what we time
        start = time.perf_counter()
        for kind, column, blob, expected in all_cases:
            t0 = time.perf_counter()
            got = decoder(blob)
            kind_seconds[kind][name] += time.perf_counter() - t0
            ok = got is None if expected is None else got == expected
            cell = right[kind][column]
            cell[name] = cell.get(name, 0) + ok
        seconds[name] = time.perf_counter() - start
    for kind, column, _blob, _expected in all_cases:
        counts[kind][column] += 1

    result: dict[str, object] = {}
    for kind, columns in right.items():
        print(f"\n{kind}")
        names = list(columns)
        print(f"{'':8}" + "".join(f"{c:>22}" for c in names))
        print(f"{'n':8}" + "".join(f"{counts[kind][c]:>22}" for c in names))
        total = sum(counts[kind].values())
        for method in METHODS:
            row = "".join(f"{100 * columns[c][method] / counts[kind][c]:>21.1f}%" for c in names)
            per_decode = 1e6 * kind_seconds[kind][method] / total
            print(f"{method:8}{row}   {per_decode:7.0f} µs/decode")
        result[kind] = {
            c: {"n": counts[kind][c]}
            | {m: round(columns[c][m] / counts[kind][c], 4) for m in METHODS}
            for c in names
        }
    n = len(all_cases)
    print(f"\n{n} decodes per decoder; seconds (mean µs per decode):")
    for name, s in seconds.items():
        print(f"  {name:8} {s:7.2f} s ({1e6 * s / n:8.0f} µs)")
    result["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    result["n"] = n
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
