"""Read a folder of article files into RawDocuments; readers are keyed by suffix.

Reading never crashes on a bad file: each file is either read or skipped with a
reason the brief lists. Size is checked before a file is read, so a huge file
costs nothing but a stat.
"""

from __future__ import annotations

import codecs
import copy
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from briefing.errors import IngestError, Refused
from briefing.files import open_inside, shown
from briefing.models import RawDocument, Skipped

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


# A file that is not text: too many control characters (tab, newline, carriage
# return and form feed are fine). Real text has almost none; binaries have many.
_CONTROL = {i for i in range(32) if i not in (9, 10, 12, 13)} | {127}
_CONTROL_BYTES = bytes(sorted(_CONTROL))


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 text is half NUL bytes: judge its characters, not its bytes.
        chars = [ord(c) for c in sample.decode("utf-16", errors="ignore")]
        return not chars or sum(1 for c in chars if c in _CONTROL) / len(chars) > 0.02
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C
    return controls / len(sample) > 0.02


def decode(data: bytes) -> Decoded:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, cp1252, or latin-1.

    latin-1 maps every byte, so decoding always succeeds; the encoding used is
    reported so that a surprising one can be noticed.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "cp1252"):
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    return Decoded(data.decode("latin-1"), "latin-1")


# --- readers -----------------------------------------------------------------

Reader = Callable[[str, Path, Decoded], "RawDocument | list[RawDocument] | str"]
"""A reader turns a decoded file into RawDocument(s), or returns a skip reason."""


# A text file that opens as a JSON object or array of objects, with a key: an API's or a
# feed's data saved under a text name (a WordPress post: {"id":13572,"date":…,"content":…}),
# whole or cut short. Its "sentences" would be keys, escaped markup and \u escapes.
JSON_DATA = re.compile(r'\A\s*(?:\[\s*)?\{\s*"[^"\n]{1,60}"\s*:')


def read_text(name: str, path: Path, decoded: Decoded) -> RawDocument | str:
    if JSON_DATA.match(decoded.text):
        return ("JSON data, not article text (save the article's page or its text, "
                "not an API's or a feed's response)")
    return RawDocument(id=name, path=str(path), text=decoded.text, encoding=decoded.encoding)


def read_markdown(name: str, path: Path, decoded: Decoded) -> RawDocument | str:
    """Markdown: render with markdown-it, then keep the text of each block."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(decoded.text)
    blocks, title = _html_blocks(html)
    return RawDocument(id=name, path=str(path), text="\n\n".join(blocks),
                       encoding=decoded.encoding, meta_title=title)


def _html_blocks(html: str) -> tuple[list[str], str | None]:
    """Text of the block elements of a small, trusted HTML fragment, and its first heading."""
    import lxml.html

    if not html.strip():
        return [], None
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks: list[str] = []
    title: str | None = None
    for element in root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"):
        if element.tag in ("li", "blockquote") and element.find(".//p") is not None:
            continue  # its paragraphs are visited on their own
        if element.tag == "li" and element.find(".//li") is not None:
            element = copy.deepcopy(element)  # nested items are visited on their own
            for nested in element.xpath(".//ul|.//ol"):
                nested.drop_tree()
        text = " ".join(element.text_content().split())
        if not text:
            continue
        if title is None and element.tag in ("h1", "h2"):
            title = text
        blocks.append(text)
    return blocks, title


def read_html(name: str, path: Path, decoded: Decoded) -> RawDocument | str:
    """HTML: trafilatura finds the main text and the page's metadata."""
    import trafilatura
    from trafilatura.settings import use_config

    config = use_config()
    # Short articles are still articles; the default minimum drops them.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "40")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    try:
        result: Any = trafilatura.bare_extraction(
            decoded.text, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, config=config,
        )
        if result is not None and hasattr(result, "as_dict"):
            result = result.as_dict()
    except Exception as exc:  # a broken page must not stop the day's brief
        log.debug("trafilatura failed on %s", path, exc_info=True)
        return f"HTML could not be parsed ({type(exc).__name__})"
    if not result or not (result.get("text") or "").strip():
        return "no article text found in the HTML"
    # trafilatura separates paragraphs with single newlines; blank lines make
    # paragraph breaks explicit for the cleaner.
    body = "\n\n".join(line for line in result["text"].splitlines() if line.strip())
    return RawDocument(
        id=name, path=str(path), text=body, encoding=decoded.encoding,
        meta_title=result.get("title") or None, meta_date=result.get("date") or None,
        meta_outlet=result.get("sitename") or None, meta_author=result.get("author") or None,
    )


def read_sgml(name: str, path: Path, decoded: Decoded) -> list[RawDocument] | str:
    """TREC/DUC SGML news (<DOC><DOCNO>…<TEXT><P>…): one article per <DOC>.

    Paragraph tags are explicit, so each <P> is one paragraph with its hard line
    wraps joined; a file of several documents yields one article each.
    """
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{decoded.text}</div>")
    except Exception as exc:  # lxml raises several types on hopeless input
        return f"SGML could not be parsed ({type(exc).__name__})"
    documents: list[RawDocument] = []
    docs = root.findall(".//doc")
    for number, doc in enumerate(docs):
        docno = " ".join((doc.findtext(".//docno") or "").split())
        body = doc.find(".//text")
        if body is None:
            continue
        paragraphs = [" ".join(p.text_content().split()) for p in body.iter("p")]
        if not paragraphs:
            paragraphs = [" ".join(b.split()) for b in body.text_content().split("\n\n")]
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            continue
        headline = " ".join((doc.findtext(".//headline") or "").split()) or None
        stamp = doc.findtext(".//date_time") or doc.findtext(".//date") or None
        suffix = docno or str(number + 1)
        documents.append(RawDocument(
            id=name if len(docs) == 1 else f"{name}#{suffix}", path=str(path),
            text="\n\n".join(paragraphs), encoding=decoded.encoding, meta_title=headline,
            meta_date=" ".join(stamp.split()) if stamp else None,
        ))
    return documents or "no <DOC> with text found in the SGML"


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".sgml": read_sgml,
    ".sgm": read_sgml,
}


def _reader_for(path: Path, handle: BinaryIO) -> Reader | None:
    """The reader for a file's suffix; TREC/DUC files often have none, so look inside."""
    reader = READERS.get(path.suffix.lower())
    if reader is None and _sniffed(path):
        head = handle.read(512).lstrip().lower()
        handle.seek(0)
        if head.startswith(b"<doc>"):
            return read_sgml
    return reader


def _sniffed(path: Path) -> bool:
    """Files whose suffix does not say what they are: no suffix, or a number."""
    return not path.suffix or path.suffix[1:].isdigit()


# --- the folder ----------------------------------------------------------------

def read_file(path: Path, max_bytes: int) -> RawDocument | list[RawDocument] | Skipped:
    """Read one file with the reader for its suffix, or say why it is skipped.

    Only a regular file inside its folder is opened (see `files.open_inside`): a
    FIFO, a socket, a device or a link that leads out of the folder is skipped
    with its reason, and no read can block the run.
    """
    name = path.name
    if path.suffix.lower() not in READERS and not _sniffed(path):
        return _unknown(path)
    try:
        with open_inside(path) as handle:
            reader = _reader_for(path, handle)
            if reader is None:
                return _unknown(path)
            stat = os.fstat(handle.fileno())
            if stat.st_size > max_bytes:
                return _too_large(name, stat.st_size, max_bytes)
            data = handle.read(max_bytes + 1)  # a file that grows meanwhile is still capped
    except Refused as exc:
        return Skipped(name, str(exc))
    except OSError as exc:
        return Skipped(name, f"cannot be read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return _too_large(name, len(data), max_bytes)
    if not data.strip():
        return Skipped(name, "empty file")
    if looks_binary(data):
        return Skipped(name, "binary file, not text")
    decoded = decode(data)
    if not decoded.text.strip():
        return Skipped(name, "empty file")
    result = reader(name, path, decoded)
    if isinstance(result, str):
        return Skipped(name, result)
    modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    if isinstance(result, list):
        return [replace(r, modified=modified) for r in result]
    return replace(result, modified=modified)


def _unknown(path: Path) -> Skipped:
    known = " ".join(sorted(READERS))
    suffix = shown(path.suffix) if path.suffix else "no suffix"
    return Skipped(path.name, f"not an article file ({suffix}); read: {known}")


def _too_large(name: str, size: int, max_bytes: int) -> Skipped:
    return Skipped(name, f"too large: {_size(size)} (limit {_size(max_bytes)}, ingest.max_file_mb)")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def article_files(folder: Path) -> list[Path]:
    """Files in the folder, in name order; hidden files and subfolders are not articles."""
    if not folder.exists():
        raise IngestError(f"input folder not found: {folder}")
    if not folder.is_dir():
        raise IngestError(f"input is not a folder: {folder}")
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise IngestError(f"cannot list input folder {folder}: {exc.strerror or exc}") from None
    return [p for p in entries if not p.name.startswith(".") and not p.is_dir()]


def read_folder(folder: Path, max_bytes: int) -> tuple[list[RawDocument], list[Skipped]]:
    return read_paths(article_files(folder), max_bytes)


def read_paths(paths: Sequence[Path], max_bytes: int) -> tuple[list[RawDocument], list[Skipped]]:
    documents: list[RawDocument] = []
    skipped: list[Skipped] = []
    for path in paths:
        result = read_file(path, max_bytes)
        if isinstance(result, Skipped):
            log.warning("skipped %s: %s", shown(result.file), result.reason)
            skipped.append(result)
        elif isinstance(result, list):
            documents.extend(result)
        else:
            documents.append(result)
    return documents, skipped
