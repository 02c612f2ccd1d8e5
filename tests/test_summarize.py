"""The summarize stage on articles the tests build by hand from records.

Articles are built directly from records (one span per sentence unless a test needs more),
so these tests do not depend on the segment stage; they pass a small word tokenizer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.config import SummarySettings
from jobs.records import Article, Block, BlockKind, Document, Sentence, Source, Span
from jobs.summarize import (
    NewsSummarizer,
    NewsWeights,
    build_document,
    is_fragment,
    summarize,
    summarize_source_language,
)

ROOT = Path(__file__).resolve().parent.parent


class WordsTokenizer:
    """Just enough of sumy's tokenizer interface: the summarizer only calls to_words."""

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"\w+(?:['’]\w+)*|[^\w\s]", sentence)


TOKENIZER = WordsTokenizer()

# A piece is (text, lang) or (text, lang, english); a sentence is a list of pieces or one
# string (English); a block is (kind, [sentences]).
Piece = tuple[str, str] | tuple[str, str, str]


def build(
    blocks: list[tuple[BlockKind, list[str | list[Piece]]]],
    title: str | None = None,
    *,
    inline: tuple[int, ...] = (),
) -> Article:
    """Blocks end with a line break, except those listed in ``inline`` (a caption carved out
    of the middle of a sentence sits inline with the text around it)."""
    text = ""
    built = []
    for index, (kind, sentences) in enumerate(blocks):
        block_start = len(text)
        records = []
        for sentence in sentences:
            pieces: list[Piece] = [(sentence, "en")] if isinstance(sentence, str) else sentence
            pieces = [*pieces[:-1], (pieces[-1][0] + " ", *pieces[-1][1:])]  # type: ignore[list-item]
            start = len(text)
            spans = []
            for piece in pieces:
                at = len(text)
                text += piece[0]
                english = piece[2] if len(piece) == 3 else None  # type: ignore[misc]
                spans.append(Span(at, len(text), piece[0], lang=piece[1], english=english))
            records.append(Sentence(start, len(text), tuple(spans)))
        if index in inline:
            built.append(Block(kind, block_start, len(text), tuple(records)))
            continue
        text += "\n"
        # The newline belongs to the last sentence so that blocks partition the text.
        if records:
            last = records[-1]
            tail = Span(last.end, len(text), "\n")
            records[-1] = Sentence(last.start, len(text), (*last.spans, tail))
        built.append(Block(kind, block_start, len(text), tuple(records)))
    source = Source(Path("t.txt"), "t.txt", "0" * 64, len(text))
    return Article(Document(source, "t.txt", text, title), tuple(built))


BODY = [
    "The city council approved a new budget for public transport on Monday evening.",
    "The budget adds forty electric buses and extends two tram lines into the suburbs.",
    "Council members said the public transport budget was the largest in a decade.",
    "Critics argued that the budget ignores repairs to old bridges across the river.",
    "The mayor promised that bridge repairs would follow in the next budget year.",
    "Residents will be able to comment on the tram routes until the end of March.",
]


def test_fragment_rule() -> None:
    assert not is_fragment("The mayor spoke.")
    assert not is_fragment('He said: "We will build it."')
    assert not is_fragment("Will they build it?)")
    assert is_fragment("The report, ")
    assert is_fragment("said the budget was late.")
    assert is_fragment("Home / News / Transport")


def test_never_picks_title_caption_or_boilerplate() -> None:
    # Those blocks repeat the article's key words, so a centrality score alone would love them.
    article = build(
        [
            (
                BlockKind.BOILERPLATE,
                ["Share this budget story on social media about public transport budget."],
            ),
            (BlockKind.TITLE, ["Council approves record public transport budget."]),
            (BlockKind.BODY, BODY[:3]),
            (
                BlockKind.CAPTION,
                ["FILE - A new electric bus of the public transport budget, in March."],
            ),
            (BlockKind.BODY, BODY[3:]),
            (
                BlockKind.BOILERPLATE,
                ["Subscribe to our budget newsletter for public transport news."],
            ),
        ]
    )
    summary = summarize(article, SummarySettings(sentences=4), tokenizer=TOKENIZER)
    assert len(summary.sentences) == 4
    for picked in summary.sentences:
        assert article.blocks[picked.block_index].kind is BlockKind.BODY
        assert picked.english in BODY


def test_never_picks_fragments_or_text_around_a_carved_caption() -> None:
    article = build(
        [
            (
                BlockKind.BODY,
                [BODY[0], "The transport budget report by the council finance committee, "],
            ),
            (BlockKind.CAPTION, ["FILE - Electric buses wait at the depot."]),
            (
                BlockKind.BODY,
                [
                    "Published on Monday the report covers buses, trams and public transport.",
                    *BODY[1:],
                    "Read more about the public transport budget",
                ],
            ),
        ],
        inline=(0, 1),
    )
    summary = summarize(article, SummarySettings(ratio=1.0), tokenizer=TOKENIZER)
    picked = [s.english for s in summary.sentences]
    assert picked == BODY


def test_short_sentences_are_not_candidates() -> None:
    article = build([(BlockKind.BODY, ["Budget approved.", BODY[0], "Why now?", BODY[1]])])
    summary = summarize(article, SummarySettings(ratio=1.0), tokenizer=TOKENIZER)
    assert [s.english for s in summary.sentences] == BODY[:2]


def test_no_near_duplicates() -> None:
    repeated = BODY[0].replace(" evening", "")
    article = build([(BlockKind.BODY, [BODY[0], repeated, BODY[0], *BODY[1:]])])
    summary = summarize(article, SummarySettings(sentences=3), tokenizer=TOKENIZER)
    texts = [s.english for s in summary.sentences]
    assert len(texts) == 3
    assert sum(t in (BODY[0], repeated) for t in texts) == 1


def test_article_order_and_provenance() -> None:
    # The most central sentence comes last, so a rank-ordered result would not be in order.
    body = [
        *BODY,
        "The council transport budget adds electric buses, tram lines and bridge repairs.",
    ]
    article = build([(BlockKind.TITLE, ["Budget"]), (BlockKind.BODY, body)])
    summary = summarize(article, SummarySettings(sentences=3), tokenizer=TOKENIZER)
    starts = [s.start for s in summary.sentences]
    assert starts == sorted(starts)
    for s in summary.sentences:
        assert article.document.text[s.start : s.end].strip() == s.original
        assert s.block_index == 1
        assert s.languages == ("en",)
    assert summary.language == "en"
    assert summary.method


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (SummarySettings(sentences=2), 2),
        (SummarySettings(sentences=50), len(BODY)),
        (SummarySettings(ratio=0.5), 3),
        (SummarySettings(ratio=0.01), 1),
    ],
)
def test_count_and_ratio(settings: SummarySettings, expected: int) -> None:
    article = build([(BlockKind.BODY, BODY)])
    assert len(summarize(article, settings, tokenizer=TOKENIZER).sentences) == expected


def test_empty_article_gives_empty_summary() -> None:
    article = build([(BlockKind.BOILERPLATE, ["Home / News"])])
    assert summarize(article, SummarySettings(), tokenizer=TOKENIZER).sentences == ()


def test_mixed_sentence_uses_translation_and_keeps_original() -> None:
    mixed: list[Piece] = [
        ("Мер заявив, ", "uk", "The mayor said,"),
        ("the bridge repairs will start in the next budget year.", "en"),
    ]
    article = build([(BlockKind.BODY, [*BODY[:2], mixed])])
    summary = summarize(article, SummarySettings(ratio=1.0), tokenizer=TOKENIZER)
    last = summary.sentences[-1]
    assert last.english == "The mayor said, the bridge repairs will start in the next budget year."
    assert last.original == "Мер заявив, the bridge repairs will start in the next budget year."
    assert last.languages == ("uk", "en")


UK_BODY = [
    "Міська рада в понеділок ухвалила новий бюджет громадського транспорту.",
    "Бюджет передбачає сорок електричних автобусів і нові трамвайні лінії.",
    "Депутати сказали, що бюджет громадського транспорту найбільший за десять років.",
    "Критики заявили, що бюджет не враховує ремонт старих мостів через річку.",
    "Мер пообіцяв, що ремонт мостів буде в наступному бюджетному році.",
]


def test_ukrainian_source_language_summary() -> None:
    sentences: list[str | list[Piece]] = [
        [(s, "uk", f"English {i}.")] for i, s in enumerate(UK_BODY)
    ]
    article = build(
        [
            (BlockKind.TITLE, [[("Рада ухвалила бюджет транспорту", "uk", "Council budget")]]),
            (BlockKind.BODY, sentences),
        ]
    )
    summary = summarize_source_language(
        article, SummarySettings(sentences=2), "uk", tokenizer=TOKENIZER
    )
    assert summary.language == "uk"
    assert len(summary.sentences) == 2
    for s in summary.sentences:
        assert s.original in UK_BODY
        assert s.english.startswith("English ")
        assert s.languages == ("uk",)
    assert [s.start for s in summary.sentences] == sorted(s.start for s in summary.sentences)


def test_russian_source_language_summary_without_stop_words() -> None:
    ru = [
        "Городской совет в понедельник утвердил новый бюджет общественного транспорта.",
        "Бюджет предусматривает сорок электрических автобусов и новые трамвайные линии.",
        "Критики заявили, что бюджет не учитывает ремонт старых мостов.",
    ]
    article = build([(BlockKind.BODY, [[(s, "ru")] for s in ru])])
    summary = summarize_source_language(
        article, SummarySettings(sentences=2), "ru", tokenizer=TOKENIZER
    )
    assert len(summary.sentences) == 2


def test_is_a_sumy_summarizer() -> None:
    # The bench runs it like any sumy algorithm: document in, sentences out, document order.
    from sumy.nlp.stemmers import Stemmer

    document = build_document([BODY[:3], BODY[3:]], TOKENIZER, "Transport budget")
    picked = NewsSummarizer(Stemmer("english"))(document, 2)
    assert len(picked) == 2
    order = [BODY.index(str(s)) for s in picked]
    assert order == sorted(order)


@pytest.mark.parametrize(
    "weights", [None, NewsWeights(centrality=0.6, centroid=0.6)], ids=["default", "centrality"]
)
def test_long_article_finishes(weights: NewsWeights | None) -> None:
    # 2,000 sentences: all-pairs LexRank would be 2 million comparisons; this must stay cheap.
    words = ["budget", "tram", "bus", "bridge", "council", "mayor"]
    words += ["river", "route", "repair", "fare", "depot", "line"]
    body = [
        f"The {words[i % 12]} report number {i} mentions the {words[(i * 7) % 12]} and "
        f"the {words[(i * 5) % 12]} again."
        for i in range(2000)
    ]
    article = build([(BlockKind.BODY, body[i : i + 20]) for i in range(0, 2000, 20)])
    summary = summarize(article, SummarySettings(ratio=0.01), tokenizer=TOKENIZER, weights=weights)
    assert len(summary.sentences) == 20


def test_works_without_nltk_data(tmp_path: Path) -> None:
    # NLTK_DATA at an empty folder: any stemmer or stop-word list that needs downloaded data
    # would fail here (sumy's own English tokenizer would, for punkt).
    code = (
        "from jobs.config import SummarySettings\n"
        "from jobs.summarize import summarize, summarize_source_language\n"
        "import tests.test_summarize as t\n"
        "a = t.build([(t.BlockKind.BODY, t.BODY)])\n"
        "assert len(summarize(a, SummarySettings(), tokenizer=t.TOKENIZER).sentences) == 3\n"
        "u = t.build([(t.BlockKind.BODY, [[(s, 'uk')] for s in t.UK_BODY])])\n"
        "s = summarize_source_language(u, SummarySettings(), 'uk', tokenizer=t.TOKENIZER)\n"
        "assert len(s.sentences) == 3\n"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_default_tokenizer_is_the_segment_stage() -> None:
    pytest.importorskip("jobs.segment", reason="jobs.segment has not landed yet")
    article = build([(BlockKind.BODY, BODY)])
    assert len(summarize(article, SummarySettings()).sentences) == 3
