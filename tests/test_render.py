from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefing.briefs import brief_to_dict, to_json
from briefing.config import BUILTIN_TEMPLATES, Settings
from briefing.models import Brief
from briefing.pipeline import make_brief
from briefing.render import make_fetcher, render_html, render_pdf, source_numbers
from tests.conftest import DAY, NOW, write_brief


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil.txt").write_text(
        "Hostile article\n\n"
        'Pakistan said <img src="file:///etc/passwd"> the Torkham border crossing closed '
        'to trade and trucks <script>alert(1)</script> on Monday.\n\n'
        'Officials met for talks <link rel="stylesheet" href="https://example.com/x.css"> '
        "on a ceasefire <img src=\"http://example.com/p.png\"> after the clashes.\n",
        encoding="utf-8")
    return folder


def test_article_markup_is_escaped_never_rendered(settings: Settings, tmp_path: Path) -> None:
    brief = make_brief(hostile_folder(tmp_path), settings, DAY, NOW)
    html = render_html(brief, settings)
    assert "<img" not in html and "<script>" not in html and "<link" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


def test_pdf_of_a_hostile_article_fetches_nothing(settings: Settings, tmp_path: Path) -> None:
    brief = make_brief(hostile_folder(tmp_path), settings, DAY, NOW)
    fetcher = make_fetcher([BUILTIN_TEMPLATES])
    pdf = render_pdf(render_html(brief, settings), settings, fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.served == [] and fetcher.refused == []


def test_fetcher_refuses_everything_outside_the_templates(settings: Settings,
                                                          tmp_path: Path) -> None:
    """Even a template that asks for local files or the network gets nothing."""
    own = tmp_path / "templates"
    own.mkdir()
    (own / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" '
                                  'height="4"><rect width="4" height="4"/></svg>')
    (own / "brief.html.j2").write_text(
        '<html><head><link rel="stylesheet" href="https://example.com/x.css">'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        '<img src="data:image/png;base64,iVBORw0KGgo="><img src="../../etc/hosts">'
        '<img src="logo.svg"><p>{{ brief.title }}</p></body></html>')
    custom = replace(settings, templates_dir=own)
    brief = make_brief(hostile_folder(tmp_path), custom, DAY, NOW)
    fetcher = make_fetcher([own, BUILTIN_TEMPLATES])
    html = render_html(brief, custom)
    # base URL is the user's templates folder, so logo.svg resolves there
    from weasyprint import HTML

    HTML(string=html, base_url=own.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert fetcher.served == [(own / "logo.svg").resolve().as_uri()]
    refused = " ".join(fetcher.refused)
    for url in ("https://example.com/x.css", "file:///etc/passwd", "http://127.0.0.1:9/x.png",
                "data:image/png", "/etc/hosts"):
        assert url in refused


def test_user_templates_override_ours_file_by_file(settings: Settings, tmp_path: Path) -> None:
    own = tmp_path / "templates"
    own.mkdir()
    (own / "brief.css").write_text("body { color: rebeccapurple; }")
    brief = make_brief(hostile_folder(tmp_path), settings, DAY, NOW)
    html = render_html(brief, replace(settings, templates_dir=own))
    assert "rebeccapurple" in html
    assert "Key points" in html  # brief.html.j2 still comes from ours


def test_html_is_self_contained(seeds_brief: tuple[Settings, Brief]) -> None:
    settings, brief = seeds_brief
    html = render_html(brief, settings)
    assert "<style>" in html and "src=" not in html and "<link" not in html
    assert "http://" not in html and "https://" not in html
    assert "default-src 'none'" in html


def test_citations_are_numbered_by_first_appearance(seeds_brief: tuple[Settings, Brief]) -> None:
    settings, brief = seeds_brief
    numbers = source_numbers(brief)
    first = brief.key_points[0].sources[0].article
    assert numbers[first] == 1
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    html = render_html(brief, settings)
    cited = {c.article for item in brief.items for c in item.sources}
    for article, number in numbers.items():
        assert f'id="source-{number}"' in html  # every relevant article is listed
        # ... and linked from the text when an item cites it; the uncited ones come last
        assert (f'href="#source-{number}"' in html) == (article in cited)
        assert article in cited or number > len(cited)


def test_json_holds_the_whole_brief(seeds_brief: tuple[Settings, Brief]) -> None:
    _, brief = seeds_brief
    data = json.loads(to_json(brief))
    assert data["date"] == "2025-10-28"
    assert data["generated_at"] == "2025-10-28T07:00:00+05:00"
    assert {"key_points", "sections", "articles", "skipped", "coverage"} <= set(data)
    item = data["sections"][0]["items"][0]
    assert set(item) == {"text", "score", "theme", "status", "sources"}
    assert set(item["sources"][0]) == {"article", "sentence"}
    assert set(data["articles"][0]) >= {"id", "title", "outlet", "published", "relevant"}
    assert data == brief_to_dict(brief)


def test_pdf_has_metadata_page_numbers_and_bookmarks(seeds_pdf: Path) -> None:
    reader = PdfReader(seeds_pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title.startswith("Pakistan–Afghanistan daily brief")
    assert meta.author == "briefing"
    assert meta.creation_date is not None
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    pages = len(reader.pages)
    assert 2 <= pages <= 4
    text = " ".join(p.extract_text() for p in reader.pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    titles = [o.title for o in _flatten(reader.outline)]
    for label in ("Key points", "Border clashes and security", "Talks and mediation",
                  "Recognition and diplomacy", "Trade and crossings", "Sources"):
        assert label in titles


def _flatten(outline: list) -> list:
    out = []
    for entry in outline:
        out.extend(_flatten(entry) if isinstance(entry, list) else [entry])
    return out


def test_write_brief_leaves_no_temporary_files(seeds_brief: tuple[Settings, Brief],
                                               tmp_path: Path) -> None:
    settings, brief = seeds_brief
    written = write_brief(brief, settings, ["html", "json"], tmp_path)
    assert [p.name for p in written] == ["brief.html", "brief.json"]
    names = sorted(p.name for p in (tmp_path / "2025-10-28").iterdir())
    assert [n for n in names if not n.startswith(".")] == ["brief.html", "brief.json"]
    assert not [n for n in names if n.endswith(".tmp")]  # the rest is the set (.data, .gen-…)


def test_a_failed_render_writes_nothing(seeds_brief: tuple[Settings, Brief], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.render as render

    settings, brief = seeds_brief

    def broken(*_: object, **__: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(render, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        write_brief(brief, settings, ["html", "pdf", "json"], tmp_path)
    assert not (tmp_path / "2025-10-28").exists()


def test_a_brief_survives_its_json(seeds_brief: tuple[Settings, Brief]) -> None:
    from briefing.briefs import brief_from_dict

    settings, brief = seeds_brief
    again = brief_from_dict(json.loads(to_json(brief)))
    assert to_json(again) == to_json(brief)
    assert render_html(again, settings) == render_html(brief, settings)


def test_the_early_pdf_process_renders_the_same_pdf(seeds_brief: tuple[Settings, Brief],
                                                    seeds_pdf: Path) -> None:
    from io import BytesIO

    from briefing.earlypdf import EarlyPdf

    settings, brief = seeds_brief
    pdf = EarlyPdf().render(render_html(brief, settings), settings)
    assert pdf is not None and pdf.startswith(b"%PDF")
    early, here = PdfReader(BytesIO(pdf)), PdfReader(seeds_pdf)
    assert [p.extract_text() for p in early.pages] == [p.extract_text() for p in here.pages]


def test_the_early_pdf_process_is_stopped_unused_and_gives_none_when_it_fails(
        caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from briefing.earlypdf import EarlyPdf

    unused = EarlyPdf()
    unused.close()  # still loading WeasyPrint, or waiting: stopped, and reaped
    assert unused._process.returncode is not None
    failing = EarlyPdf()
    with caplog.at_level(logging.DEBUG, logger="briefing.earlypdf"):
        # A brief it cannot render (no settings): None, so the caller renders it itself.
        assert failing.render("<p>x</p>", None) is None  # type: ignore[arg-type]
    assert failing._process.returncode not in (0, None)
    assert "made no PDF" in caplog.text and "AttributeError" in caplog.text  # its traceback
    failing.close()


def test_the_early_pdf_process_runs_the_briefing_of_its_caller(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               seeds_brief: tuple[Settings, Brief]
                                                               ) -> None:
    # `python -c` would import from the working folder first: a weasyprint.py there
    # must not be what the process loads.
    from briefing.earlypdf import EarlyPdf

    (tmp_path / "weasyprint.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings, brief = seeds_brief
    pdf = EarlyPdf().render(render_html(brief, settings), settings)
    assert pdf is not None and pdf.startswith(b"%PDF")


def test_a_failed_early_pdf_is_rendered_here(seeds_brief: tuple[Settings, Brief],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import earlypdf, render
    from briefing.earlypdf import EarlyPdf

    settings, brief = seeds_brief
    monkeypatch.setattr(EarlyPdf, "render", lambda self, html, settings: self.close())
    earlypdf.start()
    try:
        files = render.render_files(brief, settings, ["pdf"])
        assert isinstance(files["pdf"], bytes) and files["pdf"].startswith(b"%PDF")
        assert earlypdf.take() is None  # used once
    finally:
        earlypdf.stop()
    assert not earlypdf._started  # and waited for


@pytest.mark.parametrize(("sentences", "above", "says"), [
    (2, 2, "Today's 2 sentences on this theme are already quoted above."),
    (1, 1, "Today's 1 sentence on this theme is already quoted above."),
    (3, 1, "Today's 3 sentences on this theme could not be quoted on their own; their "
           "articles are listed below."),
    (1, 0, "Today's 1 sentence on this theme could not be quoted on its own; its article is "
           "listed below."),
    (0, 0, "No reporting on this theme today."),
])
def test_an_empty_section_says_truly_why(seeds_brief: tuple[Settings, Brief], sentences: int,
                                         above: int, says: str) -> None:
    settings, brief = seeds_brief
    first = replace(brief.sections[0], items=(), sentences=sentences, quoted_above=above)
    html = render_html(replace(brief, sections=(first, *brief.sections[1:])), settings)
    assert says in " ".join(html.split())
