"""Tests for jobs.ingest: every input is written here, in tmp_path."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from jobs import ingest
from jobs.config import InputSettings
from jobs.errors import ConfigError, InputError
from jobs.ingest import decode, discover, read
from jobs.records import Document, FileError, Source

EXTS = InputSettings().extensions
SETTINGS = InputSettings()

UK = (
    "Міська рада погодила проєкт нової трамвайної лінії.\n"
    "Їхній звіт згадує ґанок старої ратуші, і це всіх здивувало.\n"
    "Роботи розпочнуться навесні."
)
RU = "Правительство приняло новый бюджет. Расходы на оборону вырастут, а налоги останутся."
SHORT_UK = [
    "Привіт, світе!",
    "Львів",
    "НБУ ЗБЕРІГ ОБЛІКОВУ СТАВКУ",
    "Її чоловік працює в Ґданську",
    # Names: letter frequency alone picks the wrong codec here, in-word case decides.
    "Олена Петренко",
    "Богдан Хмельницький",
    "Верховна Рада",
]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def source_for(tmp_path: Path, name: str, data: bytes | str) -> Source:
    path = write(tmp_path / name, data)
    raw = path.read_bytes()
    return Source(path, name, hashlib.sha256(raw).hexdigest(), len(raw))


def read_one(tmp_path: Path, name: str, data: bytes | str) -> Document:
    docs, errors = read(source_for(tmp_path, name, data), SETTINGS)
    assert errors == []
    assert len(docs) == 1
    return docs[0]


def read_error(tmp_path: Path, name: str, data: bytes | str, **settings: int) -> str:
    with pytest.raises(InputError) as info:
        read(source_for(tmp_path, name, data), InputSettings(**settings))  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


# discover ----------------------------------------------------------------------------


def test_discover_is_recursive_sorted_and_skips_hidden_temp_and_other_extensions(
    tmp_path: Path,
) -> None:
    for name in [
        "b.txt",
        "a/z.md",
        "a/b/c.html",
        "A.TXT",
        "a.json",
        "n.jsonl",
        "x.htm",
        ".hidden.txt",
        ".git/config.txt",
        "a/.cache/d.txt",
        "~lock.txt",
        "backup.txt~",
        "#autosave.md",
        "notes.docx",
        "image.png",
        "b.txt.tmp",
    ]:
        write(tmp_path / name, "text")
    found = discover(tmp_path, EXTS)
    sources, errors = found.sources, found.errors
    assert errors == []
    assert [s.relpath for s in sources] == [
        "A.TXT",
        "a.json",  # plain string order of relpaths: "." sorts before "/"
        "a/b/c.html",
        "a/z.md",
        "b.txt",
        "n.jsonl",
        "x.htm",
    ]
    assert all(s.path == tmp_path / s.relpath for s in sources)
    # Files of another type are ignored but named; hidden and editor files are not.
    assert found.ignored == ["b.txt.tmp", "image.png", "notes.docx"]


def test_discover_only_one_file_keeps_its_key_and_refuses_other_types(tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.txt", "text")
    write(tmp_path / "b.txt", "text")
    write(tmp_path / "c.docx", "text")
    found = discover(tmp_path, EXTS, only=tmp_path / "news" / "a.txt")
    assert [s.relpath for s in found.sources] == ["news/a.txt"]
    with pytest.raises(ConfigError, match=r"c\.docx is not a type the job reads \(\.docx\)"):
        discover(tmp_path, EXTS, only=tmp_path / "c.docx")


def test_discover_order_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    names = [f"d{i % 3}/f{i:02}.txt" for i in range(30)]
    for name in reversed(names):
        write(tmp_path / "one" / name, "x")
    for name in names:
        write(tmp_path / "two" / name, "x")
    one = [s.relpath for s in discover(tmp_path / "one", EXTS).sources]
    two = [s.relpath for s in discover(tmp_path / "two", EXTS).sources]
    assert one == two == sorted(names)


def test_discover_hashes_and_sizes_the_content(tmp_path: Path) -> None:
    small = write(tmp_path / "small.txt", "Привіт")
    big_data = os.urandom(3 * (1 << 20) + 17)  # several read chunks
    write(tmp_path / "big.txt", big_data)
    sources = {s.relpath: s for s in discover(tmp_path, EXTS).sources}
    assert sources["small.txt"].sha256 == hashlib.sha256(small.read_bytes()).hexdigest()
    assert sources["small.txt"].size == len("Привіт".encode())
    assert sources["big.txt"].sha256 == hashlib.sha256(big_data).hexdigest()
    assert sources["big.txt"].size == len(big_data)


def test_symlink_outside_the_input_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "input"
    outside = write(tmp_path / "secret" / "passwords.txt", "secret")
    write(root / "inside.txt", "text")
    (root / "leak.txt").symlink_to(outside)
    (root / "leakdir").symlink_to(outside.parent, target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "inside.txt")
    with caplog.at_level(logging.WARNING, logger="jobs.ingest"):
        found = discover(root, EXTS)
    sources, errors = found.sources, found.errors
    assert [s.relpath for s in sources] == ["alias.txt", "inside.txt"]
    assert errors == []
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "leak.txt" in warned and "leakdir" in warned and "outside" in warned


def test_symlinked_folder_inside_the_input_is_not_listed_twice(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", "text")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = discover(tmp_path, EXTS)
    sources, _ = found.sources, found.errors
    assert [s.relpath for s in sources] == ["real/a.txt"]


def test_broken_symlink_and_unreadable_file_are_file_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "ok.txt", "text")
    write(tmp_path / "locked.txt", "text")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    real_hash = ingest._hash_file

    def failing(path: str) -> tuple[str, int]:
        if path.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return real_hash(path)

    # Tests may run as root, for whom chmod 000 does not make a file unreadable.
    monkeypatch.setattr(ingest, "_hash_file", failing)
    found = discover(tmp_path, EXTS)
    sources, errors = found.sources, found.errors
    assert [s.relpath for s in sources] == ["ok.txt"]
    assert errors == [
        FileError("gone.txt", "broken symbolic link"),
        FileError("locked.txt", "cannot read: Permission denied"),
    ]


def test_named_pipe_with_an_article_name_is_reported_not_opened(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "text")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would block forever
    found = discover(tmp_path, EXTS)
    sources, errors = found.sources, found.errors
    assert [s.relpath for s in sources] == ["ok.txt"]
    assert errors == [FileError("pipe.txt", "not a regular file (a named pipe); not read")]


def test_missing_input_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        discover(tmp_path / "nope", EXTS)


def test_discover_lists_all_of_2000_files_in_20_folders_sorted(tmp_path: Path) -> None:
    # How fast this is belongs to `make bench` (2,000 unchanged inputs skipped).
    names = [f"d{i % 20}/article-{i:04}.txt" for i in range(2000)]
    for name in names:
        write(tmp_path / name, f"Article {name}\n")
    found = discover(tmp_path, EXTS)
    sources, errors = found.sources, found.errors
    assert errors == []
    assert [s.relpath for s in sources] == sorted(names)
    assert len({s.sha256 for s in sources}) == 2000


# decode ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-u"])
@pytest.mark.parametrize("text", [UK, RU, *SHORT_UK])
def test_undeclared_cyrillic_single_byte_encodings(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding)) == (text, encoding)


def test_mostly_english_text_with_a_few_cp1251_words() -> None:
    text = "Kyiv (Київ) is the capital; Lviv (Львів) is in the west."
    assert decode(text.encode("cp1251")) == (text, "cp1251")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (UK.encode("utf-16-le"), "utf-16-le"),
        (UK.encode("utf-16-be"), "utf-16-be"),
        (b"\xff\xfe" + UK.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + UK.encode("utf-16-be"), "utf-16-be"),
        ("Plain English text.".encode("utf-16-le"), "utf-16-le"),
        ("Plain English text.".encode("utf-16-be"), "utf-16-be"),
        (b"\xef\xbb\xbf" + UK.encode(), "utf-8-sig"),
        (UK.encode(), "utf-8"),
    ],
)
def test_unicode_encodings_with_and_without_bom(data: bytes, encoding: str) -> None:
    text, found = decode(data)
    assert found == encoding
    expected = "Plain English text." if b"P\x00" in data or b"\x00P" in data else UK
    assert text == expected
    assert not text.startswith("\ufeff")


def test_line_endings_and_nfc_are_normalised() -> None:
    decomposed = "и\u0306"  # й as и + combining breve
    text, _ = decode(f"one\r\ntwo\rthree\nчотири {decomposed}\r\n".encode())
    assert text == "one\ntwo\nthree\nчотири й\n"
    assert unicodedata.is_normalized("NFC", text)


def test_stray_control_bytes_are_dropped_but_many_mean_binary() -> None:
    old_dos_file = "Привіт, світе!\x07\r\n".encode("cp1251") + b"\x1a"
    assert decode(old_dos_file) == ("Привіт, світе!\n", "cp1251")
    with pytest.raises(InputError, match="control characters"):
        decode(bytes(range(1, 32)) * 4 + b"some text")


def test_declared_charset_wins_over_guessing() -> None:
    data = "Привіт".encode("cp1251")
    assert decode(data, declared="windows-1251") == ("Привіт", "cp1251")
    # koi8-r declared on Ukrainian text: і must not become a box-drawing sign.
    assert decode("Київ і Львів".encode("koi8-u"), declared="koi8-r") == ("Київ і Львів", "koi8-u")


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"The cafe opens at 9 \xe2\x82 every day, and closes at 5 in the evening.", 20),
        ("Привіт, це досить довгий український текст.".encode()[:-2], 76),
        (b"Plain text \xff with a stray byte", 11),
        ("Café crème brûlée".encode("latin-1"), 3),
    ],
    ids=["cut-euro-sign", "truncated-end", "stray-byte", "latin-1"],
)
def test_broken_utf8_not_explained_by_cyrillic_codecs_names_the_offset(
    data: bytes, offset: int
) -> None:
    with pytest.raises(InputError, match=rf"UTF-8 at byte offset {offset}\b"):
        decode(data)


# read: whole-file failures -------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert "empty" in read_error(tmp_path, "a.txt", b"")


@pytest.mark.parametrize("data", [b"  \n\t\r\n  ", "\ufeff \n".encode(), " \n".encode("utf-16")])
def test_whitespace_only(tmp_path: Path, data: bytes) -> None:
    assert "whitespace" in read_error(tmp_path, "a.txt", data)


def test_png_is_binary(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert "PNG" in read_error(tmp_path, "photo.txt", png)


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    message = read_error(tmp_path, "a.txt", b"Some text\x00\x00\x01\x02 and more")
    assert "NUL byte at offset 9" in message


def test_over_max_bytes(tmp_path: Path) -> None:
    message = read_error(tmp_path, "big.txt", "x" * 101, max_bytes=100)
    assert "101 bytes" in message and "max_bytes (100)" in message


def test_undecodable_bytes(tmp_path: Path) -> None:
    message = read_error(tmp_path, "a.txt", b"Hello \xc3 world and more text here")
    assert "not valid UTF-8 at byte offset 6" in message


def test_file_changed_after_discovery(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "first version")
    (source,) = discover(tmp_path, EXTS).sources
    write(tmp_path / "a.txt", "other version")
    with pytest.raises(InputError, match="changed while being read"):
        read(source, SETTINGS)


def test_file_deleted_after_discovery(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "text")
    (source,) = discover(tmp_path, EXTS).sources
    (tmp_path / "a.txt").unlink()
    with pytest.raises(InputError, match="cannot read"):
        read(source, SETTINGS)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<html><body><script>var a = 'not text';</script><nav>Home</nav></body></html>",
    ],
)
def test_html_without_text(tmp_path: Path, html: str) -> None:
    assert "HTML with no text" in read_error(tmp_path, "a.html", html)


def test_html_nested_10000_deep_does_not_crash(tmp_path: Path) -> None:
    html = "<html><body>" + "<div>" * 10_000 + "deep" + "</div>" * 10_000 + "</body></html>"
    assert "nested too deeply" in read_error(tmp_path, "deep.html", html)


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        ('{"text": "a", ', "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('"just a string"', "object or a list"),
        ("[]", "empty"),
        ('{"title": "no text"}', "'text' field"),
        ('[{"text": 5}, 7]', "no usable article"),
    ],
)
def test_malformed_json(tmp_path: Path, data: str, cause: str) -> None:
    assert cause in read_error(tmp_path, "a.json", data)


def test_jsonl_with_only_bad_lines(tmp_path: Path) -> None:
    assert "no usable article" in read_error(tmp_path, "a.jsonl", "{oops\n[1]\n")


# read: formats ---------------------------------------------------------------------


def test_txt_title_is_first_short_line_before_a_blank_line(tmp_path: Path) -> None:
    doc = read_one(
        tmp_path,
        "a.txt",
        "Ціни на пальне знову зросли\r\n\r\nПерший абзац.\r\nДалі.\r\n\r\n\r\nДругий.  \n",
    )
    assert doc.title == "Ціни на пальне знову зросли"
    assert doc.text == "Ціни на пальне знову зросли\n\nПерший абзац.\nДалі.\n\nДругий."
    assert doc.key == "a.txt"
    assert dict(doc.meta) == {"format": "txt", "encoding": "utf-8"}


@pytest.mark.parametrize(
    "text",
    [
        "This first line is a sentence.\n\nBody.",
        "No blank line follows\nBody.",
        "Головна / Економіка / Світ\n\nBody.",
        "x" * 200 + "\n\nBody.",
    ],
)
def test_txt_without_title(tmp_path: Path, text: str) -> None:
    assert read_one(tmp_path, "a.txt", text).title is None


def test_txt_without_blank_lines_has_one_paragraph_per_line(tmp_path: Path) -> None:
    doc = read_one(tmp_path, "a.txt", "Home / Бізнес / Tech\nFirst line.\nSecond line.\n")
    assert doc.text == "Home / Бізнес / Tech\n\nFirst line.\n\nSecond line."
    assert doc.title is None


def test_txt_whitespace_only_line_counts_as_blank(tmp_path: Path) -> None:
    doc = read_one(tmp_path, "a.txt", "Title here\n \t \nFirst line,\ncontinued.\n")
    assert doc.title == "Title here"
    assert doc.text == "Title here\n\nFirst line,\ncontinued."


def test_txt_in_cp1251_is_read(tmp_path: Path) -> None:
    doc = read_one(tmp_path, "old.txt", ("Заголовок статті\r\n\r\n" + UK).encode("cp1251"))
    assert doc.title == "Заголовок статті"
    assert doc.meta["encoding"] == "cp1251"
    assert "ґанок" in doc.text


def test_markdown_markup_is_stripped_and_first_heading_is_title(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Front title\ndate: 2024-01-02\n---\n"
        "Home / Бізнес / Tech\n\n"
        "# Huawei’s *new* chip #\n"
        "Text with **bold**, _italic_, `code` and a [link](https://example.org).\n"
        "A second line, snake_case kept.\n\n"
        "![FILE – a photo, 2023.](photo.jpg)\n\n"
        "## Subheading\n\n"
        "- first point\n- second point\n\n"
        "> quoted words\n\n"
        "---\n\n"
        "Last \\*literal\\* paragraph.\n"
    )
    doc = read_one(tmp_path, "a.md", md)
    assert doc.title == "Huawei’s new chip"
    assert doc.text == (
        "Home / Бізнес / Tech\n\n"
        "Huawei’s new chip\n\n"
        "Text with bold, italic, code and a link.\nA second line, snake_case kept.\n\n"
        "FILE – a photo, 2023.\n\n"
        "Subheading\n\n"
        "first point\n\nsecond point\n\n"
        "quoted words\n\n"
        "Last *literal* paragraph."
    )
    assert doc.meta["date"] == "2024-01-02"


def test_markdown_setext_heading_and_front_matter_title(tmp_path: Path) -> None:
    assert read_one(tmp_path, "a.md", "Big News\n========\n\nBody.").title == "Big News"
    doc = read_one(tmp_path, "b.md", "---\ntitle: 'From front matter'\n---\nBody only.")
    assert doc.title == "From front matter"
    assert doc.text == "Body only."


@pytest.mark.parametrize(
    ("md", "text"),
    [
        (
            "***Both*** and **bold with *italic* inside** and *it **bo** it*.",
            "Both and bold with italic inside and it bo it.",
        ),
        (
            "See [Kyiv](https://en.wikipedia.org/wiki/Kyiv_(city)) for more.",
            "See Kyiv for more.",
        ),
        (
            "Read [the report][csis], [Huawei][] and [VOA].\n\n"
            '[csis]: https://csis.org/r "CSIS"\n[huawei]: https://huawei.com\n'
            "[VOA]: https://voanews.com",
            "Read the report, Huawei and VOA.",
        ),
        (
            "Run `rm *.tmp`, not `**bold**`; set max_batch_tokens or `_x_`.",
            "Run rm *.tmp, not **bold**; set max_batch_tokens or _x_.",
        ),
        (
            '<div class="ad">\nyour ads here\n</div>\n\n<!-- editor: check the figures -->\n\n'
            "<figure><img src='a.jpg'><figcaption>FILE – Kyiv, 2023.</figcaption></figure>\n\n"
            "Body.",
            "your ads here\n\nFILE – Kyiv, 2023.\n\nBody.",
        ),
        (
            "Prices:\n\n| City | Price |\n|------|------:|\n| Kyiv | 52.10 |\n| Lviv | *51.90* |\n",
            "Prices:\n\nCity | Price\n\nKyiv | 52.10\n\nLviv | 51.90",
        ),
        (
            'Costs \\$5 \\& 10\\% for \\@user, \\<b\\> and \\"quotes\\".\nNext\\\nline',
            'Costs $5 & 10% for @user, <b> and "quotes".\nNext\nline',
        ),
        ("Tom &amp; Jerry &mdash; &#8470;5", "Tom & Jerry — №5"),
        (
            "Write to <news@example.org>, <!-- not shown --> please.",
            "Write to news@example.org, please.",
        ),
        ("> > inner quote\n> outer quote", "inner quote\nouter quote"),
        # Only a list starting at 1 may interrupt a paragraph: this is a hard-wrapped line.
        ("The plan runs until\n2024. Then it ends.", "The plan runs until\n2024. Then it ends."),
    ],
    ids=[
        "nested-emphasis",
        "parentheses-in-url",
        "reference-links",
        "code-and-underscores",
        "html-blocks",
        "table",
        "escapes-and-hard-break",
        "entities",
        "email-and-html-comment",
        "nested-quote",
        "number-in-paragraph",
    ],
)
def test_markdown_constructs_regexes_got_wrong(tmp_path: Path, md: str, text: str) -> None:
    assert read_one(tmp_path, "a.md", md).text == text


def test_markdown_setext_heading_over_two_lines_is_one_title_paragraph(tmp_path: Path) -> None:
    doc = read_one(tmp_path, "a.md", "Volunteers clear\nthe Dnipro banks\n===\n\nBody.")
    assert doc.title == "Volunteers clear the Dnipro banks"
    assert doc.text == "Volunteers clear the Dnipro banks\n\nBody."


def test_markdown_keeps_the_layout_contract(tmp_path: Path) -> None:
    md = (
        "---\ntitle: Front\nurl: https://example.org/a\ndate: 2024-01-02\n---\n\n\n"
        "Home / Новини\n\n"
        "Setext title\n---\n\n"
        "A hard-wrapped  \nparagraph with trailing spaces   \nand a third line.\n\n\n\n"
        "* loose item\n\n* second loose item\n  continued\n\n"
        "1. one\n   - nested\n2. two\n\n"
        "    indented code\n\n"
        "```\nfenced\n\n\ncode\n```\n\n"
        "## Sub ##\n\nЙ is e\u0301 &#x438;&#x306;\n"
    )
    doc = read_one(tmp_path, "a.md", md)
    assert doc.title == "Setext title"
    assert doc.meta["url"] == "https://example.org/a" and doc.meta["date"] == "2024-01-02"
    assert doc.text.split("\n\n") == [
        "Home / Новини",
        "Setext title",
        "A hard-wrapped\nparagraph with trailing spaces\nand a third line.",
        "loose item",
        "second loose item\ncontinued",
        "one",
        "nested",
        "two",
        "indented code",
        "fenced",
        "code",
        "Sub",
        "Й is é й",
    ]
    assert unicodedata.is_normalized("NFC", doc.text)


def test_markdown_parser_is_imported_only_for_markdown(tmp_path: Path) -> None:
    txt = write(tmp_path / "a.txt", "Plain text.")
    md = write(tmp_path / "b.md", "# Title\n\nBody.")
    code = (
        "import hashlib, sys\nfrom pathlib import Path\nfrom jobs.config import InputSettings\n"
        "from jobs.ingest import read\nfrom jobs.records import Source\n"
        "for p in map(Path, sys.argv[1:]):\n"
        "    data = p.read_bytes()\n"
        "    source = Source(p, p.name, hashlib.sha256(data).hexdigest(), len(data))\n"
        "    read(source, InputSettings())\n"
        "    print('markdown_it' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code, str(txt), str(md)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["False", "True"]


HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>Site title — Новини</title>
<script>var tracking = "SCRIPT TEXT";</script>
<style>.x {{ color: red }} STYLE TEXT</style>
<link rel="canonical" href="https://example.org/a">
</head><body>
<nav><a href="/">NAV HOME</a> <a href="/b">NAV BUSINESS</a></nav>
<article>
<h1>Huawei’s new  chip</h1>
<p>Перший абзац статті про нову мікросхему, досить довгий, щоб його не викинули.
Він продовжується на другому рядку.</p>
<p>Second paragraph in English with enough words to be kept by the extractor.</p>
</article>
<script>console.log("SCRIPT TEXT 2")</script>
</body></html>
"""


@pytest.mark.parametrize("fallback", [False, True], ids=["trafilatura", "lxml"])
def test_html_title_paragraphs_and_dropped_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallback: bool
) -> None:
    if fallback:
        monkeypatch.setattr(ingest, "_trafilatura_text", lambda markup: "")
    doc = read_one(tmp_path, "a.html", HTML_PAGE.format(charset="utf-8"))
    assert doc.title == "Huawei’s new chip"
    paragraphs = doc.text.split("\n\n")
    assert paragraphs[0] == "Huawei’s new chip"
    assert paragraphs[1].startswith("Перший абзац статті")
    assert paragraphs[1].endswith("Він продовжується на другому рядку.")
    assert paragraphs[2].startswith("Second paragraph")
    for dropped in ("SCRIPT TEXT", "STYLE TEXT", "NAV HOME", "NAV BUSINESS", "tracking"):
        assert dropped not in doc.text
    assert doc.meta["url"] == "https://example.org/a"
    assert doc.meta["format"] == "html"


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    page = HTML_PAGE.format(charset="windows-1251").replace("’", "'")
    doc = read_one(tmp_path, "a.htm", page.encode("cp1251"))
    assert doc.meta["encoding"] == "cp1251"
    assert "Перший абзац" in doc.text


def test_html_h1_outside_the_extracted_text_still_leads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "Body text of the article, long enough for the extractor to keep it."
    html = f"<html><body><h1>Headline kept out by the extractor</h1><p>{body}</p></body></html>"
    # trafilatura sometimes leaves the headline out of the text it extracts.
    monkeypatch.setattr(ingest, "_trafilatura_text", lambda markup: body)
    doc = read_one(tmp_path, "a.html", html)
    assert doc.title == "Headline kept out by the extractor"
    assert doc.text.split("\n\n") == [
        "Headline kept out by the extractor",
        "Body text of the article, long enough for the extractor to keep it.",
    ]


def test_html_title_from_title_tag_is_not_added_to_text(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Page title</title></head><body>"
        "<p>Only body text, long enough to be kept as the main content here.</p>"
        "</body></html>"
    )
    doc = read_one(tmp_path, "a.html", html)
    assert doc.title == "Page title"
    assert doc.text == "Only body text, long enough to be kept as the main content here."


def test_json_object(tmp_path: Path) -> None:
    record = {"id": 7, "title": " Заголовок\n ", "text": "Один.\r\nДва.", "url": "u", "date": 2024}
    doc = read_one(tmp_path, "a.json", json.dumps(record, ensure_ascii=False))
    assert doc.key == "a.json#1"
    assert doc.title == "Заголовок"
    assert doc.text == "Один.\n\nДва."
    assert dict(doc.meta) == {
        "format": "json",
        "encoding": "utf-8",
        "url": "u",
        "date": "2024",
        "id": "7",
    }


def test_json_title_and_id_lose_nul_and_newlines(tmp_path: Path) -> None:
    record = {"id": "../a\u0000b", "title": "x\u0000y\nz\u0085", "text": "Один."}
    doc = read_one(tmp_path, "a.json", json.dumps(record))
    assert doc.title == "x y z"
    assert doc.meta["id"] == "../a b"
    assert doc.key == "a.json#1"  # outputs are named by the key, never by the id


def test_json_half_a_character_becomes_a_replacement_character(tmp_path: Path) -> None:
    # json.dumps escapes the lone surrogate as "\\ud83d", as a broken scraper would.
    record = {"title": "Emoji \ud83d", "text": "Текст \ud83d кінець."}
    doc = read_one(tmp_path, "a.json", json.dumps(record))
    assert doc.text == "Текст \ufffd кінець." and doc.title == "Emoji \ufffd"
    doc.text.encode("utf-8")  # writable, unlike the input


def test_json_list_keeps_good_records(tmp_path: Path) -> None:
    data = json.dumps([{"text": "First."}, {"title": "no text"}, "oops", {"text": "Fourth."}])
    docs, errors = read(source_for(tmp_path, "d/a.json", data), SETTINGS)
    assert [(d.key, d.text) for d in docs] == [("d/a.json#1", "First."), ("d/a.json#4", "Fourth.")]
    assert [e.relpath for e in errors] == ["d/a.json#2", "d/a.json#3"]
    assert "record 2" in errors[0].reason and "'text'" in errors[0].reason
    assert "record 3" in errors[1].reason and "a string" in errors[1].reason


def test_jsonl_with_a_bad_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "x1", "text": "Перший."}, ensure_ascii=False),
        "",
        '{"text": "broken',
        json.dumps({"text": "Third.", "title": "T"}),
    ]
    docs, errors = read(source_for(tmp_path, "a.jsonl", "\n".join(lines) + "\n"), SETTINGS)
    assert [(d.key, d.text, d.title) for d in docs] == [
        ("a.jsonl#1", "Перший.", None),
        ("a.jsonl#4", "Third.", "T"),
    ]
    assert docs[0].meta["id"] == "x1" and docs[0].meta["format"] == "jsonl"
    assert len(errors) == 1
    assert errors[0].relpath == "a.jsonl#3"
    assert "line 3" in errors[0].reason and "not valid JSON" in errors[0].reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": "broken', "unterminated string starting at column 10"),
        ('{"text": "tab\there"}', "invalid control character at column 14"),
        ('{"text": "a" "b"}', "expecting ',' delimiter at column 14"),
        ('{"text": "x"} extra', "extra data at column 15"),
        ("{oops", "expecting property name enclosed in double quotes at column 2"),
    ],
)
def test_jsonl_bad_line_reason_reads_as_one_sentence(
    tmp_path: Path, line: str, reason: str
) -> None:
    data = json.dumps({"text": "Good."}) + "\n\n" + line + "\n"
    _, errors = read(source_for(tmp_path, "a.jsonl", data), SETTINGS)
    assert errors == [FileError("a.jsonl#3", f"line 3: not valid JSON: {reason}")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"title": "T", "text": "broken', "unterminated string starting at line 1 column 24"),
        (
            '{\n  "title": "T",\n  "text": "a"\n  "url": "u"\n}',
            "expecting ',' delimiter at line 4 column 3",
        ),
        ('{\n "text": "line\nbreak"}', "invalid control character at line 2 column 15"),
        ('{"text": }', "expecting value at line 1 column 10"),
    ],
)
def test_json_file_syntax_error_reads_as_one_sentence(
    tmp_path: Path, data: str, reason: str
) -> None:
    message = read_error(tmp_path, "a.json", data)
    assert message == f"not valid JSON: {reason}"


def test_jsonl_in_utf16_is_read(tmp_path: Path) -> None:
    data = (json.dumps({"text": "Текст."}, ensure_ascii=False) + "\r\n").encode("utf-16")
    docs, errors = read(source_for(tmp_path, "a.jsonl", data), SETTINGS)
    assert [d.text for d in docs] == ["Текст."] and errors == []
    assert docs[0].meta["encoding"] == "utf-16-le"


def test_example_inputs_all_read() -> None:
    root = Path(__file__).resolve().parent.parent / "input"
    found = discover(root, EXTS)
    sources, errors = found.sources, found.errors
    assert errors == []
    formats = set()
    for source in sources:
        docs, record_errors = read(source, SETTINGS)
        assert record_errors == []
        assert all(d.text and "\n\n\n" not in d.text for d in docs)
        formats.update(d.meta["format"] for d in docs)
    assert {"txt", "md", "html"} <= formats and formats & {"json", "jsonl"}
