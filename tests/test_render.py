import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.records import (
    Article,
    ArticleResult,
    Block,
    BlockKind,
    Document,
    Sentence,
    Source,
    Span,
    Summary,
    SummarySentence,
)
from jobs.render import render_index, render_json, render_markdown
from jobs.view import IndexRow, article_view, language_shares, output_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "key",
    [
        "a.txt",
        "news/a.txt",
        "news__a.txt",
        "../../etc/passwd",
        "x\x00y",
        "/abs/olute",
        "я" * 300,
        "feed.jsonl#12",
    ],
)
def test_output_names_are_safe_file_names(key: str) -> None:
    name = output_name(key)
    assert "/" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name.encode()) < 255
    assert Path("out", name).resolve().parent == Path("out").resolve()


def test_output_names_are_the_same_in_another_process(tmp_path: Path) -> None:
    # Names must survive a restart: the next night's run finds its outputs by them. A
    # fresh interpreter with another hash seed writes them to a file; they must match.
    keys = ["a.txt", "news/a.txt", "я" * 300, "feed.jsonl#12", "x\x00y", "emoji 🙂.md"]
    written = tmp_path / "names.json"
    code = (
        "import json, sys\n"
        "from jobs.view import output_name\n"
        "keys = json.loads(sys.argv[1])\n"
        "open(sys.argv[2], 'w').write(json.dumps([output_name(k) for k in keys]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(keys), str(written)],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"},
        check=True,
        timeout=60,
    )
    assert json.loads(written.read_text()) == [output_name(k) for k in keys]


def test_output_names_never_collide_where_the_readable_part_does() -> None:
    keys = ["news/a.txt", "news__a.txt", "news?a.txt", "news*a.txt", "a" * 100, "a" * 101]
    assert len({output_name(k) for k in keys}) == len(keys)


def _result() -> ArticleResult:
    text = "Home / Бізнес\n\nThe firm won a deal. FILE – A man speaks, 2021."
    source = Source(Path("/in/a.txt"), "a.txt", "abc", len(text))
    doc = Document(source, "a.txt", text, title="A story")
    crumb = Block(
        BlockKind.BOILERPLATE,
        0,
        15,
        (
            Sentence(
                0,
                15,
                (
                    Span(0, 5, "Home ", "en", 0.9),
                    Span(5, 7, "/ ", "und", 1.0),
                    Span(7, 15, "Бізнес\n\n", "uk", 0.99, english="Business"),
                ),
            ),
        ),
        rule="breadcrumb",
    )
    body = Block(BlockKind.BODY, 15, 36, (Sentence(15, 36, (Span(15, 36, text[15:36], "en", 1),)),))
    caption = Block(
        BlockKind.CAPTION,
        36,
        len(text),
        (Sentence(36, len(text), (Span(36, len(text), text[36:], "en", 1),)),),
        rule="file photo",
    )
    article = Article(doc, (crumb, body, caption))
    summary = Summary(
        (SummarySentence(15, 36, 1, "The firm won a deal.", "The firm won a deal.", ("en",)),),
        method="test",
    )
    return ArticleResult(article, summary, flags=("error: no ru→en model",))


def test_review_file_shows_summary_translations_set_aside_and_flags() -> None:
    md = render_markdown(article_view(_result(), "a.abc"))
    assert md.startswith("# A story\n")
    summary = md.split("## Summary")[1].split("##")[0]
    assert "- The firm won a deal." in summary and "FILE" not in summary
    assert "| 7–15 | uk | Бізнес | Business |" in md
    set_aside = md.split("## Set aside")[1]
    assert "boilerplate (breadcrumb): Home / Бізнес → Home / Business" in set_aside
    assert "caption (file photo): FILE – A man speaks, 2021." in set_aside
    assert "- error: no ru→en model" in md.split("## Flags")[1]
    assert "Status: failed" in md


def test_json_keeps_offsets_into_the_original() -> None:
    result = _result()
    data = json.loads(render_json(article_view(result, "a.abc")))
    text = result.article.document.text
    for block in data["blocks"]:
        for sentence in block["sentences"]:
            for span in sentence["spans"]:
                assert text[span["start"] : span["end"]] == span["text"]
    assert data["summary"]["sentences"][0]["start"] == 15
    assert data["status"] == "failed"
    assert data["languages"] == language_shares(result)
    assert set(data["languages"]) == {"en", "uk"}


def test_index_links_articles_and_names_errors() -> None:
    index = render_index(
        [IndexRow("a.abc", "a.txt", "ok", ""), IndexRow("b.def", "b.png", "error", "binary")],
        "mixdigest: 1 done",
    )
    assert "[a.abc](a.abc.md)" in index
    assert "| b.def | `b.png` | error | binary |" in index


@pytest.mark.parametrize("repeats", [20, 2000])  # a share of 0.002, and one stored as 0.0
def test_a_tiny_share_of_a_language_reads_less_than_one_percent_not_zero(repeats: int) -> None:
    text = "Б " + "The firm won a big deal today. " * repeats
    source = Source(Path("/in/a.txt"), "a.txt", "abc", len(text))
    spans = (Span(0, 2, "Б ", "uk", 0.5), Span(2, len(text), text[2:], "en", 1.0))
    block = Block(BlockKind.BODY, 0, len(text), (Sentence(0, len(text), spans),))
    article = Article(Document(source, "a.txt", text), (block,))
    md = render_markdown(article_view(ArticleResult(article, Summary(())), "a.abc"))
    assert "- Languages: English (en) 100%, Ukrainian (uk) <1%" in md
