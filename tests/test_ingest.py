"""Reading files: decoding, binary detection, size limits, readers by suffix, folders."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from briefing.ingest import (
    IngestError,
    article_files,
    decode,
    looks_binary,
    read_file,
    read_folder,
)
from briefing.models import RawDocument, Skipped

LIMIT = 1_000_000

PARAGRAPHS = [
    "Negotiators from Pakistan and Afghanistan met again in Istanbul on Monday to discuss a "
    "lasting ceasefire along the frontier, after weeks of clashes that killed dozens of "
    "soldiers and civilians on both sides of the border.",
    "Officials said the talks focused on a joint monitoring mechanism that would verify "
    "reports of militant activity, with Turkish and Qatari mediators expected to oversee the "
    "first phase of the arrangement over the coming months.",
    "Analysts in the region cautioned that previous agreements had collapsed within weeks, "
    "and that a durable settlement would require both governments to address long-standing "
    "grievances about trade, refugees and the disputed border line.",
]

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Border Talks Resume in Istanbul | Frontier Herald</title>
<meta property="og:title" content="Border Talks Resume in Istanbul">
<meta property="og:site_name" content="Frontier Herald">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-10-27T09:30:00+05:00">
<style>.banner {{ color: red; }} body {{ font-family: StyleSheetMarker; }}</style>
<script>var tracker = "HeadScriptMarker"; console.log(tracker);</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Border Talks Resume in Istanbul</h1>
<p>{}</p>
<script>document.write("InlineScriptMarker");</script>
<p>{}</p>
<style>p.hidden {{ display: none; }} /* InlineStyleMarker */</style>
<p>{}</p>
</article>
</body></html>
""".format(*PARAGRAPHS)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- decode ------------------------------------------------------------------

def test_decode_plain_utf8() -> None:
    decoded = decode("Peshawar café – “talks”".encode())
    assert decoded.text == "Peshawar café – “talks”"
    assert decoded.encoding == "utf-8"


def test_decode_utf8_with_bom_drops_the_bom() -> None:
    decoded = decode(codecs.BOM_UTF8 + "Kabul café".encode())
    assert decoded.text == "Kabul café"
    assert decoded.encoding == "utf-8-sig"
    assert not decoded.text.startswith("\ufeff")


def test_decode_cp1252_smart_quotes() -> None:
    decoded = decode(b"caf\xe9 \x93quoted\x94 \x96 dash")
    assert decoded.text == "café “quoted” – dash"
    assert decoded.encoding == "cp1252"


def test_decode_latin1_fallback_for_bytes_cp1252_leaves_undefined() -> None:
    # 0x81 and 0x8d have no cp1252 character, so only latin-1 can take them.
    decoded = decode(b"\x81\x8d abc \xe9")
    assert decoded.encoding == "latin-1"
    assert decoded.text == "\x81\x8d abc é"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decode_utf16_with_bom(codec: str) -> None:
    text = "Islamabad said “no” to the plan — café"
    data = text.encode(codec)
    if codec != "utf-16":  # the explicit-endian codecs write no BOM; add it
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    decoded = decode(data)
    assert decoded.text == text
    assert decoded.encoding == "utf-16"


# --- looks_binary --------------------------------------------------------------

def test_looks_binary_empty_is_not_binary() -> None:
    assert looks_binary(b"") is False


def test_looks_binary_ordinary_text_with_tabs_newlines_formfeed() -> None:
    text = b"Line one\tcolumn\r\nLine two\n\x0cPage two\n" * 20
    assert looks_binary(text) is False


def test_looks_binary_nul_byte_means_binary() -> None:
    assert looks_binary(b"plain words then a nul \x00 and more words") is True


def test_looks_binary_png_header() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"IHDR") is True


def test_looks_binary_dense_control_characters_without_nul() -> None:
    assert looks_binary(b"text\x01\x02\x03\x04\x05\x06 more" * 10) is True


def test_looks_binary_a_rare_stray_control_character_is_tolerated() -> None:
    # one control byte in 200: below the 2% threshold
    assert looks_binary(b"a" * 199 + b"\x07") is False


# --- read_file -------------------------------------------------------------------

def test_read_file_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", "Headline\n\n" + PARAGRAPHS[0])
    result = read_file(path, LIMIT)
    assert isinstance(result, RawDocument)
    assert result.id == "story.txt"
    assert result.path == str(path)
    assert result.text == "Headline\n\n" + PARAGRAPHS[0]
    assert result.encoding == "utf-8"
    assert result.modified is not None and result.modified.tzinfo is not None


def test_read_file_cp1252_file(tmp_path: Path) -> None:
    path = write(tmp_path, "old.txt", b"The minister\x92s caf\xe9 remark drew \x93anger\x94.")
    result = read_file(path, LIMIT)
    assert isinstance(result, RawDocument)
    assert result.text == "The minister’s café remark drew “anger”."
    assert result.encoding == "cp1252"


def test_read_file_empty(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "empty.txt", b""), LIMIT)
    assert result == Skipped("empty.txt", "empty file")


def test_read_file_whitespace_only(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "blank.txt", b"  \n\t\r\n   \n"), LIMIT)
    assert result == Skipped("blank.txt", "empty file")


def test_read_file_binary_content_with_text_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 128 + b"IEND")
    result = read_file(path, LIMIT)
    assert result == Skipped("photo.txt", "binary file, not text")


def test_read_file_over_the_size_limit_is_skipped_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "huge.txt", "word " * 100)  # 500 bytes

    def must_not_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read although it is over the limit")

    monkeypatch.setattr(Path, "read_bytes", must_not_read)
    result = read_file(path, max_bytes=100)
    assert isinstance(result, Skipped)
    assert result.file == "huge.txt"
    assert result.reason.startswith("too large")
    assert "0.5 kB" in result.reason and "ingest.max_file_mb" in result.reason
    assert "ingest.max_file_mb" in result.reason


def test_read_file_exactly_at_the_size_limit_is_read(tmp_path: Path) -> None:
    text = "Officials met in Kabul on Monday."
    path = write(tmp_path, "edge.txt", text)
    result = read_file(path, max_bytes=len(text.encode()))
    assert isinstance(result, RawDocument)
    assert result.text == text


@pytest.mark.parametrize(("name", "shown"), [("report.pdf", ".pdf"), ("README", "no suffix"),
                                              ("data.json", ".json")])
def test_read_file_unsupported_suffix(tmp_path: Path, name: str, shown: str) -> None:
    result = read_file(write(tmp_path, name, "Some text that would be readable."), LIMIT)
    assert isinstance(result, Skipped)
    assert result.file == name
    assert result.reason.startswith(f"not an article file ({shown})")
    assert ".txt" in result.reason and ".html" in result.reason and ".md" in result.reason


def test_read_file_suffix_is_case_insensitive(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "SHOUT.TXT", "Officials met on Monday."), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.text == "Officials met on Monday."


def test_read_file_utf16_text_file_with_bom(tmp_path: Path) -> None:
    text = "Pakistan and Afghanistan agreed to resume talks on Monday."
    result = read_file(write(tmp_path, "wide.txt", text.encode("utf-16")), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.text == text
    assert result.encoding == "utf-16"


# --- markdown --------------------------------------------------------------------

MARKDOWN = """# Border Talks Resume

Negotiators met in **Istanbul** on _Monday_ to discuss a [ceasefire](https://example.com/c).

## Background

- the first `item` here
- the second item

> A quoted line from the minister.
"""


def test_read_markdown_heading_is_title_and_markup_removed(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "talks.md", MARKDOWN), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.meta_title == "Border Talks Resume"
    assert result.text.split("\n\n") == [
        "Border Talks Resume",
        "Negotiators met in Istanbul on Monday to discuss a ceasefire.",
        "Background",
        "the first item here",
        "the second item",
        "A quoted line from the minister.",
    ]
    for markup in ("#", "**", "_Monday_", "](", "https://", "`", ">"):
        assert markup not in result.text


def test_read_markdown_title_from_second_level_heading_when_no_h1(tmp_path: Path) -> None:
    text = "Intro sentence without a heading.\n\n## The Real Heading\n\nMore text here."
    result = read_file(write(tmp_path, "h2.markdown", text), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.meta_title == "The Real Heading"
    assert result.text == "Intro sentence without a heading.\n\nThe Real Heading\n\nMore text here."


def test_read_markdown_without_heading_has_no_title(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "plain.md", "Just a *short* paragraph."), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.meta_title is None
    assert result.text == "Just a short paragraph."


def test_read_markdown_nested_list_text_is_not_duplicated(tmp_path: Path) -> None:
    text = "- Outer point about the talks\n  - Inner point about the border\n"
    result = read_file(write(tmp_path, "nested.md", text), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.text.count("Inner point about the border") == 1


# --- HTML --------------------------------------------------------------------------

def test_read_html_extracts_paragraphs_without_script_or_style(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "page.html", HTML_PAGE), LIMIT)
    assert isinstance(result, RawDocument)
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    # paragraphs are separated by blank lines for the cleaner
    assert f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}\n\n{PARAGRAPHS[2]}" in result.text
    for marker in ("HeadScriptMarker", "InlineScriptMarker", "StyleSheetMarker",
                   "InlineStyleMarker", "console.log", "display: none", "document.write"):
        assert marker not in result.text


def test_read_html_metadata_from_meta_and_title_tags(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "page.htm", HTML_PAGE), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.meta_title == "Border Talks Resume in Istanbul"
    assert result.meta_date == "2025-10-27"
    assert result.meta_outlet == "Frontier Herald"
    assert result.meta_author == "Jane Doe"


def test_read_html_title_from_title_tag_only(tmp_path: Path) -> None:
    page = ("<html><head><title>Ceasefire Holds Along The Frontier</title></head><body>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</body></html>")
    result = read_file(write(tmp_path, "bare.html", page), LIMIT)
    assert isinstance(result, RawDocument)
    assert result.meta_title == "Ceasefire Holds Along The Frontier"
    assert PARAGRAPHS[2] in result.text


def test_read_html_without_article_text_is_skipped(tmp_path: Path) -> None:
    page = ("<html><head><title>Menu</title></head>"
            "<body><script>var onlyCode = 1;</script><img src='x.png'></body></html>")
    result = read_file(write(tmp_path, "nav.html", page), LIMIT)
    assert result == Skipped("nav.html", "no article text found in the HTML")


# --- folders -----------------------------------------------------------------------

def test_read_folder_order_hidden_subfolders_and_skips(tmp_path: Path) -> None:
    write(tmp_path, "b_second.txt", "Second article text, a full sentence.")
    write(tmp_path, "a_first.txt", "First article text, a full sentence.")
    write(tmp_path, "c_third.md", "# Third\n\nThird article text.")
    write(tmp_path, ".hidden.txt", "Hidden text must never be read.")
    write(tmp_path, ".DS_Store", b"\x00\x01binary")
    sub = tmp_path / "archive"
    sub.mkdir()
    write(sub, "old.txt", "An older article in a subfolder.")
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "picture.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path, "noise.txt", b"\x00\x01\x02\x03" * 10)

    documents, skipped = read_folder(tmp_path, LIMIT)

    assert [d.id for d in documents] == ["a_first.txt", "b_second.txt", "c_third.md"]
    assert documents[0].text == "First article text, a full sentence."
    assert [s.file for s in skipped] == ["empty.txt", "noise.txt", "picture.png"]
    reasons = {s.file: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["noise.txt"] == "binary file, not text"
    assert reasons["picture.png"].startswith("not an article file (.png)")
    everything = [d.id for d in documents] + [s.file for s in skipped]
    assert ".hidden.txt" not in everything and ".DS_Store" not in everything
    assert "old.txt" not in everything and "archive" not in everything


def test_read_folder_empty_folder(tmp_path: Path) -> None:
    assert read_folder(tmp_path, LIMIT) == ([], [])


def test_article_files_lists_in_name_order(tmp_path: Path) -> None:
    for name in ("zeta.txt", "Alpha.txt", "10.txt", "2.txt", ".git"):
        write(tmp_path, name, "x")
    (tmp_path / "folder.txt").mkdir()
    assert [p.name for p in article_files(tmp_path)] == ["10.txt", "2.txt", "Alpha.txt",
                                                         "zeta.txt"]


def test_article_files_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="input folder not found"):
        list(article_files(tmp_path / "nowhere"))


def test_article_files_on_a_file_raises(tmp_path: Path) -> None:
    path = write(tmp_path, "one.txt", "text")
    with pytest.raises(IngestError, match="input is not a folder"):
        list(article_files(path))


def test_read_folder_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        read_folder(tmp_path / "nowhere", LIMIT)


# --- what is not a regular file inside the folder ------------------------------------

ARTICLE = " ".join(PARAGRAPHS)
SECRET = "TOP-SECRET-LINE-THAT-MUST-NEVER-BE-QUOTED"


def read_soon(folder: Path, seconds: float = 10.0) -> tuple[list[RawDocument], list[Skipped]]:
    """read_folder in a thread: a read that blocks fails the test instead of hanging it."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        return pool.submit(read_folder, folder, LIMIT).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)


def special_files(folder: Path) -> None:
    """A FIFO (named like an article, and without a suffix), a socket, a link to a device."""
    import os
    import socket

    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(folder / "0042")  # no suffix: the reader would look inside
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "socket.txt"))
    (folder / "zero.txt").symlink_to("/dev/zero")


def test_a_fifo_a_socket_and_a_device_are_skipped_and_nothing_blocks(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", ARTICLE)
    special_files(tmp_path)

    documents, skipped = read_soon(tmp_path)

    assert [d.id for d in documents] == ["a.txt"]
    reasons = {s.file: s.reason for s in skipped}
    assert reasons == {
        "0042": "not a regular file: a named pipe (FIFO)",
        "pipe.txt": "not a regular file: a named pipe (FIFO)",
        "socket.txt": "not a regular file: a socket",
        "zero.txt": "a link that leads out of its folder; only files inside it are read",
    }


def test_a_device_inside_the_folder_is_skipped_unopened(tmp_path: Path) -> None:
    import os
    import stat

    try:
        os.mknod(tmp_path / "tty.txt", stat.S_IFCHR | 0o600, os.makedev(5, 0))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    assert read_file(tmp_path / "tty.txt", LIMIT) == Skipped("tty.txt",
                                                             "not a regular file: a device")


def test_links_out_of_the_folder_are_refused_and_links_inside_are_read(tmp_path: Path) -> None:
    outside = write(tmp_path, "secret.txt", f"{SECRET}. {ARTICLE}")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write(folder, "a.txt", ARTICLE)
    write(folder / "sub", "b.txt", ARTICLE.replace("Monday", "Tuesday"))
    (folder / "leak.txt").symlink_to(outside)  # absolute
    (folder / "relative.txt").symlink_to(Path("..") / "secret.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "alias.txt").symlink_to("a.txt")  # stays inside: read
    (folder / "deeper.txt").symlink_to(Path("sub") / "b.txt")  # inside, in a subfolder
    (folder / "nowhere.txt").symlink_to("missing.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "up").symlink_to("..")  # a folder link: not an article file at all

    documents, skipped = read_soon(folder)

    assert [d.id for d in documents] == ["a.txt", "alias.txt", "deeper.txt"]
    reasons = {s.file: s.reason for s in skipped}
    out = "a link that leads out of its folder; only files inside it are read"
    assert reasons["leak.txt"] == reasons["relative.txt"] == reasons["passwd.txt"] == out
    assert reasons["nowhere.txt"] == "a link that leads nowhere"
    assert "loop" in reasons["loop.txt"]
    assert all(SECRET not in d.text and "root:" not in d.text for d in documents)


def test_the_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    write(folder, "a.txt", ARTICLE)
    (folder / "alias.txt").symlink_to(folder / "a.txt")  # absolute, through the real path
    linked = tmp_path / "linked"
    linked.symlink_to(folder)
    documents, skipped = read_soon(linked)
    assert [d.id for d in documents] == ["a.txt", "alias.txt"] and skipped == []


def test_a_folder_swapped_for_a_link_after_the_check_is_caught(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """The open itself is checked: a subfolder swapped for a link between check and open."""
    from briefing import files

    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside, "b.txt", SECRET)
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write(folder / "sub", "b.txt", ARTICLE)
    (folder / "b.txt").symlink_to(Path("sub") / "b.txt")
    import os

    class SwapAfterLstat:
        """os, except that the first lstat swaps the subfolder for a link out."""

        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        @staticmethod
        def lstat(path: object) -> os.stat_result:
            result = os.lstat(path)  # type: ignore[arg-type]
            (folder / "sub").rename(folder / "old-sub")
            (folder / "sub").symlink_to(outside)
            return result

    monkeypatch.setattr(files, "os", SwapAfterLstat())
    result = read_file(folder / "b.txt", LIMIT)
    assert isinstance(result, Skipped) and "leads out of its folder" in result.reason


def test_a_file_name_cannot_forge_a_log_line(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    forged = "x.bin\nbriefing: all articles read, nothing skipped"
    write(tmp_path, forged, b"\x00\x01")
    write(tmp_path, "y.txt\r\nbriefing: forged too.txt", b"")
    with caplog.at_level("WARNING"):
        read_folder(tmp_path, LIMIT)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert any(repr(forged) in line for line in lines)


def test_a_file_that_grows_past_the_limit_while_read_is_still_capped(tmp_path: Path,
                                                                      monkeypatch:
                                                                      pytest.MonkeyPatch
                                                                      ) -> None:
    import os

    from briefing import ingest

    path = write(tmp_path, "growing.txt", "short")
    real_fstat = os.fstat

    def grow_after_stat(fd: int) -> os.stat_result:
        result = real_fstat(fd)
        with path.open("a") as handle:
            handle.write("x" * 200)
        return result

    monkeypatch.setattr(ingest.os, "fstat", grow_after_stat)
    result = read_file(path, 100)
    assert isinstance(result, Skipped) and result.reason.startswith("too large")


@pytest.mark.parametrize("data", [
    '{"id":13572,"date":"2026-04-04T10:16:43","content":{"rendered":"<p>China said',
    '[\n  {"title": "Torkham reopens", "body": "The crossing reopened on Saturday."}\n]',
    '  {"status":"ok","articles":[]}',
])
def test_json_saved_as_text_is_skipped_with_its_reason(tmp_path: Path, data: str) -> None:
    result = read_file(write(tmp_path, "api.txt", data), LIMIT)
    assert isinstance(result, Skipped) and result.reason.startswith("JSON data, not article text")


@pytest.mark.parametrize("data", [
    "{Editor's note: updated with the ministry's reply.} The crossing reopened on Saturday.",
    "[Photo] Trucks queued at Torkham on Friday.\n\nThe crossing reopened on Saturday.",
])
def test_text_that_opens_with_a_bracket_is_still_an_article(tmp_path: Path, data: str) -> None:
    assert isinstance(read_file(write(tmp_path, "story.txt", data), LIMIT), RawDocument)


@given(st.binary(max_size=300))
def test_control_bytes_are_counted_as_byte_by_byte(data: bytes) -> None:
    from briefing.ingest import _CONTROL

    # Judged otherwise: nothing, UTF-16, NUL bytes.
    assume(data and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data)
    assert looks_binary(data) == (sum(1 for b in data if b in _CONTROL) / len(data) > 0.02)
