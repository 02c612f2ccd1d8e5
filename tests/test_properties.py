"""Properties that must hold for any text a scraper can bring, checked with hypothesis.

Offsets are the contract that lets every summary sentence and translation be traced
back to the original: they must cover the document exactly, whatever it holds. The
stages after reading must never raise on text that reading let through.
"""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs import langid, render, segment
from jobs.config import load
from jobs.errors import InputError
from jobs.ingest import decode
from jobs.records import Article, ArticleResult, Document, Source, Span
from jobs.summarize import news as summarize
from jobs.view import article_view, output_name

ROOT = Path(__file__).resolve().parents[1]
CONFIG = load(ROOT / "config" / "job.yaml")

# Pieces real articles are made of, mixed with arbitrary text so that hypothesis finds
# both the exotic (combining marks, separators, astral planes) and the realistic.
FRAGMENTS = [
    "Уряд ухвалив нові правила. ", "The ministry said on Monday. ", "Home / Бізнес / ",
    "U.S. ", "вул. Хрещатик, 5. ", "2021.The ", "\n", "\n\n", " ", "\xa0", "“", "”",
    "Фото: Reuters", "місце для вашої реклами", "https://a.com/b.c ", "3.5", "й\u0306",
    "Правительство объявило. ", "\u2028", "😀", "ґїєі", "!", "?", "… ",
]  # fmt: skip
any_text = st.text() | st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40).map(
    "".join
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def document(text: str, title: str | None = None) -> Document:
    source = Source(Path("a.txt"), "a.txt", "0" * 64, len(text.encode("utf-8", "surrogatepass")))
    return Document(source, "a.txt", text, title)


@functools.cache
def detector() -> langid.LanguageDetector:
    return langid.LanguageDetector(langid.candidate_languages(CONFIG.languages, ["uk"]))


def assert_partition(article: Article) -> None:
    text = article.document.text
    assert "".join(span.text for span in article.spans()) == text
    position = 0
    for block in article.blocks:
        assert block.start == position
        assert text[block.start : block.end] == block.text
        for sentence in block.sentences:
            assert sentence.start == position
            for span in sentence.spans:
                assert span.start == position < span.end
                assert text[span.start : span.end] == span.text
                position = span.end
            assert sentence.end == position
        assert block.end == position
    assert position == len(text)


def fake_translate(article: Article) -> Article:
    """Give every span that needs it an English text, as the translate stage would."""

    def english(span: Span) -> Span:
        return replace(span, english=f"EN {span.text.strip()}") if span.needs_translation else span

    return article.map_spans(lambda span, _sentence: english(span))


@given(any_text, st.sampled_from([None, "Уряд ухвалив", "Home / "]))
@PROPERTY
def test_segmentation_covers_any_text_exactly_with_offsets_that_round_trip(
    text: str, title: str | None
) -> None:
    assert_partition(segment.segment(document(text, title), CONFIG.segment))


@given(any_text)
@PROPERTY
def test_detection_never_raises_and_keeps_the_offsets(text: str) -> None:
    article = segment.segment(document(text), CONFIG.segment)
    labelled = langid.label(article, detector())
    assert_partition(labelled)
    for span in labelled.spans():
        # A candidate or "und"; or, as jobs.langid documents, a Cyrillic language outside
        # the candidates at confidence 0.3, so that the pipeline asks for its model.
        outside = span.lang in ("be", "bg", "mk", "sr") and span.confidence == 0.3
        assert span.lang in (*detector().candidates, "und") or outside, span
        assert 0.0 <= span.confidence <= 1.0


@given(any_text, st.sampled_from([1, 3]), st.sampled_from([None, 0.3]))
@PROPERTY
def test_summarising_and_rendering_never_raise_and_stay_traceable(
    text: str, sentences: int, ratio: float | None
) -> None:
    article = fake_translate(
        langid.label(segment.segment(document(text), CONFIG.segment), detector())
    )
    options = replace(CONFIG.summary, sentences=sentences, ratio=ratio)
    summary = summarize.summarize(article, options)
    in_source = summarize.summarize_source_language(article, options, "uk")
    for picked in (*summary.sentences, *in_source.sentences):
        assert 0 <= picked.start <= picked.end <= len(text)
        assert picked.original.strip() in text[picked.start : picked.end]
    result = ArticleResult(article, summary, in_source, ("check: a flag",))
    view = article_view(result, output_name(article.document.key))
    data = json.loads(render.render_json(view))
    assert data["key"] == "a.txt"
    assert render.render_markdown(view).startswith("# ")


@given(st.binary(max_size=400))
@PROPERTY
def test_decoding_any_bytes_gives_text_or_an_input_error(data: bytes) -> None:
    try:
        text, encoding = decode(data)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)  # one line for the per-file error
    else:
        assert "\r" not in text and "\x00" not in text and encoding


@given(st.text(min_size=1, max_size=400))
@PROPERTY
def test_output_name_of_any_key_stays_inside_the_output_folder(key: str) -> None:
    out = Path("/srv/output")
    name = output_name(key)
    assert "/" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name.encode("utf-8")) < 255 - len(".json")
    assert (out / f"{name}.md").resolve().parent == out
