"""The summarize stage on articles the tests build by hand from records.

Articles are built directly from records (one span per sentence unless a test needs more),
so these tests do not depend on the segment stage; they pass a small word tokenizer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.config import SummarySettings
from jobs.records import Article, Block, BlockKind, Document, Sentence, Source, Span
from jobs.summarize.news import (
    NewsSummarizer,
    NewsWeights,
    build_document,
    glued_caption_end,
    is_fragment,
    stop_words_for,
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


def test_long_article_finishes() -> None:
    # 2,000 sentences: every sentence is scored once and the heap re-checks only the top.
    words = ["budget", "tram", "bus", "bridge", "council", "mayor"]
    words += ["river", "route", "repair", "fare", "depot", "line"]
    body = [
        f"The {words[i % 12]} report number {i} mentions the {words[(i * 7) % 12]} and "
        f"the {words[(i * 5) % 12]} again."
        for i in range(2000)
    ]
    article = build([(BlockKind.BODY, body[i : i + 20]) for i in range(0, 2000, 20)])
    summary = summarize(article, SummarySettings(ratio=0.01), tokenizer=TOKENIZER)
    assert len(summary.sentences) == 20


def test_works_without_nltk_data(tmp_path: Path) -> None:
    # NLTK_DATA at an empty folder: any stemmer or stop-word list that needs downloaded data
    # would fail here (sumy's own English tokenizer would, for punkt).
    code = (
        "from jobs.config import SummarySettings\n"
        "from jobs.summarize.news import summarize, summarize_source_language\n"
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


# --- news structure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "real_start"),
    [
        (
            "Crowds outside the court in Leeds yesterday where he was sentenced "
            "The former teacher was jailed for six years on Monday.",
            "The former teacher",
        ),
        (
            "Pictured: the new depot on the edge of the city in 2019 It cost the "
            "council more than it planned to spend.",
            "It cost",
        ),
        ("Fares rose by 12% The mayor blamed the price of energy this winter.", "The mayor"),
        (
            "Buses wait at the depot in spring However, the council says the fleet is ready.",
            "However, the council",
        ),
    ],
)
def test_glued_caption_seam(text: str, real_start: str) -> None:
    cut = glued_caption_end(text)
    assert cut is not None and text[cut:].startswith(real_start)


@pytest.mark.parametrize(
    "text",
    [
        "The story ran in The Times on Monday and was quoted by The Guardian later.",
        "Nurse A said he later asked her a question about the rota.",
        "Infants can be seen in the images A and B while a juvenile is labelled C.",
        "The council approved the plan on Monday. The mayor was pleased.",
        "Prices rose sharply The end.",  # too short a remainder to be a sentence
        "Her horse Don't Push It won the race in 2010, the trainer said.",
    ],
)
def test_not_a_glued_caption(text: str) -> None:
    assert glued_caption_end(text) is None


def test_glued_caption_is_cut_off_a_picked_sentence() -> None:
    caption = "Council members in the chamber on Monday evening after the vote "
    article = build([(BlockKind.BODY, [caption + BODY[1], BODY[0], *BODY[2:]])])
    summary = summarize(article, SummarySettings(sentences=2), tokenizer=TOKENIZER)
    [first, _] = summary.sentences
    assert first.english == first.original == BODY[1]
    # Provenance points at the sentence without its caption.
    assert article.document.text[first.start : first.end].strip() == BODY[1]


def test_glued_caption_in_a_translated_span_is_left_alone() -> None:
    # The seam is in the English of a translated span: offsets into the original cannot
    # follow it, so the sentence is kept whole rather than cut at a wrong place.
    uk = "Депутати у залі після голосування Бюджет ухвалили в понеділок ввечері."
    english = "Deputies in the hall after the vote The budget was adopted on Monday evening."
    article = build([(BlockKind.BODY, [[(uk, "uk", english)], BODY[3]])])
    summary = summarize(article, SummarySettings(sentences=2), tokenizer=TOKENIZER)
    assert [s.english for s in summary.sentences] == [english, BODY[3]]


def test_a_lead_sentence_that_restates_a_pick_gives_way() -> None:
    # Position and length alone rank the restatement second; its overlap with the first
    # pick (Jaccard ~0.56, below the near-duplicate cut) costs it the place.
    sentences = [
        "The city council approved a new budget for electric buses and tram lines on Monday.",
        "The council approved the budget for buses on Monday.",
        "Critics said the plan ignores repairs to old bridges across the river, which "
        "engineers have warned for years could close to traffic before the next winter "
        "arrives in the region.",
    ]
    from sumy.nlp.stemmers import Stemmer

    def picks(weights: NewsWeights) -> list[int]:
        summarizer = NewsSummarizer(Stemmer("english"), weights)
        summarizer.stop_words = stop_words_for("en")
        return summarizer.select(build_document([sentences], TOKENIZER), 2)

    assert picks(NewsWeights(redundancy=0.0)) == [0, 1]
    assert picks(NewsWeights()) == [0, 2]


def test_an_inline_caption_does_not_start_a_paragraph() -> None:
    only_paragraphs = NewsWeights(
        lead=0.0, title=0.0, quote=0.0, length=0.0, redundancy=0.0, paragraph_start=1.0
    )
    tail = "Published on Monday the report covers buses, trams and public transport."

    def picked(inline: tuple[int, ...]) -> list[str]:
        article = build(
            [
                (BlockKind.BODY, BODY[:2]),
                (BlockKind.CAPTION, ["FILE - Electric buses wait at the depot, 2021."]),
                (BlockKind.BODY, [tail, *BODY[2:4]]),
            ],
            inline=inline,
        )
        summary = summarize(
            article, SummarySettings(sentences=2), tokenizer=TOKENIZER, weights=only_paragraphs
        )
        return [s.english for s in summary.sentences]

    # On its own line the caption ends a paragraph and the text after it starts one.
    assert picked(()) == [BODY[0], tail]
    # Carved out of running text, it leaves one paragraph (and the tail after it out).
    assert picked((0, 1)) == BODY[:2]


# --- what a summary never contains, through the segment stage and the config's rules --------

PAGE = """Council approves record transport budget

Home / News / Transport

By Jane Doe

KYIV, Ukraine (AP) — The city council approved a new budget for public transport on \
Monday evening. The budget adds forty electric buses and extends two tram lines into the \
suburbs. Scroll down for video Council members in the chamber after the vote on Monday The \
members said the public transport budget was the largest in a decade.

Advertisement

Critics argued that the budget ignores repairs to old bridges, FILE – A tram crosses the \
old bridge in Kyiv, Ukraine, May 3, 2021.The mayor promised that bridge repairs would \
follow in the next budget year. Residents will be able to comment on the tram routes until \
the end of March. On Monday evening the city council approved a new budget for public \
transport.

Share Tweet Print
Subscribe to our newsletter for more transport news
© 2026 Example Media. All rights reserved.
"""

FURNITURE = [
    "Home",
    "Jane Doe",
    "(AP)",
    "KYIV",
    "Scroll down",
    "in the chamber",
    "FILE",
    "Advertisement",
    "Share",
    "Subscribe",
    "©",
]


def _segmented(text: str) -> Article:
    from jobs.config import load
    from jobs.segment import segment

    rules = load(ROOT / "config" / "job.yaml").segment
    source = Source(Path("page.txt"), "page.txt", "0" * 64, len(text))
    return segment(Document(source, "page.txt", text, None), rules)


def _jaccard_words(a: str, b: str) -> float:
    x, y = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(x & y) / len(x | y)


def test_page_furniture_never_reaches_the_summary() -> None:
    article = _segmented(PAGE)
    summary = summarize(article, SummarySettings(ratio=1.0))
    picked = [s.english for s in summary.sentences]
    # Every candidate, so anything the filters let through would show here.
    assert picked == [
        "The city council approved a new budget for public transport on Monday evening.",
        "The budget adds forty electric buses and extends two tram lines into the suburbs.",
        "Residents will be able to comment on the tram routes until the end of March.",
    ]
    for sentence in summary.sentences:
        assert not any(f in sentence.english for f in FURNITURE), sentence.english
        assert article.document.text[sentence.start : sentence.end].strip() == sentence.original


VOA = ROOT.parent / "shared" / "data" / "mixed" / "voa_huawei_cloud_on_ukrainian_site.txt"


@pytest.mark.shared
@pytest.mark.skipif(not VOA.is_file(), reason=f"real example not found at {VOA}")
@pytest.mark.parametrize("settings", [SummarySettings(), SummarySettings(ratio=1.0)])
def test_real_voa_page_summary_is_clean(settings: SummarySettings) -> None:
    # English throughout except the crumb and the ad, so the text is its own translation.
    article = _segmented(VOA.read_text(encoding="utf-8"))
    summary = summarize(article, settings)
    picked = [s.english for s in summary.sentences]
    assert len(picked) >= 3
    for text in picked:
        for furniture in ("FILE", "Home", "Бізнес", "реклами", "ads here", "Xu speaks"):
            assert furniture not in text, text
        first_letter = next(ch for ch in text if ch.isalpha())
        assert not is_fragment(text) and first_letter.isupper(), text
        # The tails left by the glued captions ("The CSIS report warned ...", "Huawei
        # landed on ...") and the sentence start they cut ("The report,") are never picks.
        assert not text.startswith(("The CSIS report", "Huawei landed", "The report,")), text
    for i, a in enumerate(picked):
        assert all(_jaccard_words(a, b) < 0.8 for b in picked[i + 1 :])
    if settings.sentences == 3 and settings.ratio is None:
        assert picked[0].startswith("A new report suggests that Chinese telecommunication firm")


# --- the source-language summary through the whole pipeline ------------------------------

UK_PAGE = (
    "Рада ухвалила бюджет транспорту\n\n"
    "Головна / Новини / Транспорт\n\n" + " ".join(UK_BODY) + "\n\nмісце для вашої реклами!\n"
)


def test_pipeline_writes_the_ukrainian_summary(tmp_path: Path) -> None:
    from dataclasses import replace

    from jobs import pipeline
    from jobs.config import load
    from tests.fakes import FakeEngine

    base = load(ROOT / "config" / "job.yaml")
    config = base.with_paths(
        input=tmp_path / "input",
        output=tmp_path / "output",
        state=tmp_path / "state",
        models=tmp_path / "models",
    )
    config = replace(config, summary=replace(config.summary, also_in_source_language=True))
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "budget.txt").write_text(UK_PAGE, encoding="utf-8")
    report = pipeline.run(config, engine_factory=lambda lang: FakeEngine())
    assert report.done == 1 and report.failed == 0

    [json_file] = [p for p in (tmp_path / "output").glob("*.json") if p.name != "run.json"]
    data = json.loads(json_file.read_text(encoding="utf-8"))
    source = data["source_language_summary"]
    assert source["language"] == "uk"
    originals = [s["original"] for s in source["sentences"]]
    assert len(originals) == 3 and all(o in UK_BODY for o in originals)
    # The English summary is of the translation: the fake engine's EN(...) wrapping.
    assert all(s["text"].startswith("EN(") for s in data["summary"]["sentences"])

    review = json_file.with_suffix(".md").read_text(encoding="utf-8")
    section = review.split("## Summary in ", 1)[1].split("\n## ", 1)[0]
    assert [line[2:] for line in section.splitlines() if line.startswith("- ")] == originals
