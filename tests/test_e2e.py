"""End to end: files on disk in, PDF/HTML/JSON out, read back as a reader would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from briefing.cli import cli
from tests.conftest import SEEDS

RUN = ["--now", "2025-10-28T07:00:00+05:00", "--date", "2025-10-28"]


def test_seeds_pdf_has_every_theme_heading_and_cited_sentences(seeds_pdf: Path) -> None:
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(seeds_pdf).pages)
    for heading in ("Key points", "Recognition and diplomacy", "Border clashes and security",
                    "Talks and mediation", "Trade and crossings", "Sources", "Coverage"):
        assert heading in text
    # a cited sentence, as quoted, with its citation mark
    assert "Pakistan urged the Taliban in Istanbul talks to curb militant groups" in text
    assert "Khaama Press" in text
    for boilerplate in ("Facebook", "Related Articles", "Back to top", "Legal Disclaimer",
                        "MENAFN provides", "author-image", "Key Takeaways"):
        assert boilerplate not in text


def test_seeds_brief_reads_as_a_brief(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--output", str(tmp_path),
                                      "--format", "json", *RUN])
    assert result.exit_code == 0, result.stderr
    brief = json.loads((tmp_path / "2025-10-28" / "brief.json").read_text())
    items = [*brief["key_points"], *(i for s in brief["sections"] for i in s["items"])]
    texts = [i["text"] for i in items]
    assert len(texts) == len(set(texts)), "no sentence twice"
    assert all(i["sources"] for i in items), "every item cited"
    shown = {k["theme"] for k in brief["key_points"]} | {s["theme"] for s in brief["sections"]
                                                          if s["items"]}
    covered = {s["theme"] for s in brief["sections"] if s["sentences"]}
    assert covered <= shown, "every theme the seeds cover is in the key points or its section"
    # "However, none of these countries…" comes with the sentence it leans on, as one item
    spans = [i for i in items if "until" in i["sources"][0]]
    assert any(i["text"].startswith("During the Taliban’s first rule") and
               "However, none of these countries" in i["text"] for i in spans)
    assert 3 <= len(brief["key_points"]) <= 5
    words = sum(len(t.split()) for t in texts)
    assert words <= 750 + 60
    # the seeds are all about Pakistan–Afghanistan: every one is relevant
    assert all(a["relevant"] for a in brief["articles"])
    dated = {a["id"]: a for a in brief["articles"]}
    conflicted = dated["002_80c53c837bdb71b6.txt"]
    assert conflicted["published"] is None and "2025-10-27" in conflicted["date_note"]


def test_bad_input_is_used_or_skipped_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "002_80c53c837bdb71b6.txt", folder)
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 500)
    with open(folder / "huge.txt", "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50_000_000)
    (folder / "menu.html").write_text("<html><body><nav>Home | News | Sport</nav>"
                                      "<script>var x = 1;</script></body></html>")
    (folder / "nosentence.txt").write_text("Share\nFacebook Twitter\nRelated Articles\n")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "cp1252.txt").write_bytes(
        "Trucks queued at the Torkham border crossing as trade stalled on Monday, "
        "traders said the closure cost them “millions” of rupees.\n".encode("cp1252"))
    (folder / "page.html").write_text(
        "<html><head><title>Talks resume in Doha</title><style>p{color:red}</style>"
        "<script>alert('x')</script></head><body><article><h1>Talks resume in Doha</h1>"
        + "".join(f"<p>Delegations from Pakistan and Afghanistan met in Doha for a {n} round "
                  "of talks on a ceasefire, mediated by Qatar and Turkey, officials said on "
                  "Sunday after the meeting ended.</p>" for n in ("first", "second", "third"))
        + "</article></body></html>")
    result = CliRunner().invoke(cli, ["run", "--input", str(folder), "--output",
                                      str(tmp_path / "out"), *RUN])
    assert result.exit_code == 0, result.stderr
    day = tmp_path / "out" / "2025-10-28"
    brief = json.loads((day / "brief.json").read_text())
    skipped = {s["file"]: s["reason"] for s in brief["skipped"]}
    assert skipped["empty.txt"] == "empty file"
    assert skipped["binary.txt"] == "binary file, not text"
    assert skipped["huge.txt"].startswith("too large: 50.0 MB")
    assert "no article" in skipped["menu.html"] or "no article" in skipped.get("menu.html", "")
    assert "no article sentences" in skipped["nosentence.txt"]
    assert skipped["notes.docx"].startswith("not an article file")
    used = {a["id"] for a in brief["articles"]}
    assert {"002_80c53c837bdb71b6.txt", "cp1252.txt", "page.html"} <= used
    texts = " ".join(i["text"] for s in brief["sections"] for i in s["items"])
    texts += " ".join(i["text"] for i in brief["key_points"])
    assert "“millions”" in texts  # cp1252 quotes decoded, not mangled
    assert "alert(" not in texts and "color:red" not in texts
    html = (day / "brief.html").read_text()
    for name, reason in skipped.items():
        assert name in html and reason.split(" (")[0] in html
    assert PdfReader(day / "brief.pdf").pages


def test_a_fifo_and_links_out_of_the_folder_neither_hang_nor_leak(tmp_path: Path) -> None:
    """`briefing run` beside a FIFO no one writes to and links to secrets; a hang fails it."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    secret = tmp_path / "secret.txt"
    secret.write_text("Pakistan and Afghanistan: THE-SECRET-WORDS of the service account, "
                      "which no brief may ever quote, were read by the brief. " * 3)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "002_80c53c837bdb71b6.txt", folder)
    os.mkfifo(folder / "drop.txt")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "etc.txt").symlink_to("/etc/passwd")
    linked = tmp_path / "linked-in"  # the folder itself may be a link
    linked.symlink_to(folder)
    out = tmp_path / "out"

    pool = ThreadPoolExecutor(1)
    done = pool.submit(CliRunner().invoke, cli, [
        "run", "--input", str(linked), "--output", str(out), "--format", "html,json", *RUN])
    result = done.result(timeout=120)
    pool.shutdown(wait=False)

    assert result.exit_code == 0, result.stderr
    day = out / "2025-10-28"
    brief = json.loads((day / "brief.json").read_text())
    skipped = {s["file"]: s["reason"] for s in brief["skipped"]}
    assert skipped["drop.txt"] == "not a regular file: a named pipe (FIFO)"
    assert skipped["leak.txt"].startswith("a link that leads out of its folder")
    assert skipped["etc.txt"].startswith("a link that leads out of its folder")
    assert [a["id"] for a in brief["articles"]] == ["002_80c53c837bdb71b6.txt"]
    for text in ((day / "brief.html").read_text(), (day / "brief.json").read_text(),
                 result.stderr):
        assert "THE-SECRET-WORDS" not in text and "root:" not in text
