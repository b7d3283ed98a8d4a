"""`briefing serve` through Starlette's test client: pages, files, errors, security."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from briefing.cli import cli
from briefing.config import Settings
from briefing.web import create_app
from briefing.web.security import SECURITY_HEADERS
from tests.conftest import EARLIER, build_output


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, TestClient]]:
    with pytest.MonkeyPatch.context() as patch:
        from briefing import text

        patch.setattr(text, "pretrained_parameters", lambda: None)
        settings = build_output(tmp_path_factory.mktemp("web"))
        with TestClient(create_app(settings)) as client:
            yield settings, client


def test_latest_is_the_newest_day(served: tuple[Settings, TestClient]) -> None:
    _, client = served
    page = client.get("/")
    assert page.status_code == 200
    assert "Tuesday 28 October 2025" in page.text
    assert page.text == client.get("/brief/2025-10-28").text


def test_a_day_as_html_pdf_and_json(served: tuple[Settings, TestClient]) -> None:
    settings, client = served
    html = client.get("/brief/2025-10-27")
    assert html.status_code == 200 and "Monday 27 October 2025" in html.text
    assert 'href="/brief/2025-10-27.pdf"' in html.text
    pdf = client.get("/brief/2025-10-27.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == (settings.output_dir / "2025-10-27" / "brief.pdf").read_bytes()
    data = client.get("/brief/2025-10-27.json").json()
    assert [a["id"] for a in data["articles"]] == EARLIER


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/brief/2025-13-45", 400, "Not a date"),
        ("/brief/yesterday", 400, "Use YYYY-MM-DD"),
        ("/brief/2025-1-1", 400, "Not a date"),
        ("/brief/2025-10-29", 404, "no brief for 2025-10-29"),
        ("/brief/2025-10-29.pdf", 404, "no PDF for 2025-10-29"),
        ("/brief/2025-10-28.exe", 404, "No such file"),
        ("/brief/2025-10-28?theme=sports", 400, "Unknown theme"),
        ("/report?from=2025-10-28&to=2025-10-20", 400, "after its end"),
        ("/report?from=2025-01-01&to=2025-10-28", 400, "at most 31 days"),
        ("/report?from=2024-01-01&to=2024-01-05", 404, "no brief between"),
        ("/report?from=soon&to=2025-10-28", 400, "Not a start date"),
        ("/nowhere", 404, "no such page"),
    ],
)
def test_bad_requests_get_a_clear_page_and_status(served: tuple[Settings, TestClient],
                                                  path: str, status: int, words: str) -> None:
    _, client = served
    response = client.get(path)
    assert response.status_code == status
    assert words.lower() in response.text.lower()
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", [
    "/brief/..%2F..%2F..%2Fetc%2Fpasswd", "/brief/%2e%2e", "/brief/%2e%2e.pdf", "/brief/.json",
    "/brief/2025-10-28%2F..%2F..%2Fstate.json", "/brief/2025-10-28%00.json",
    "/brief/....%2F%2Fetc%2Fpasswd.pdf", "/brief/2025-10-28.json%2F..%2F..%2Fx",
])
def test_no_request_reaches_outside_the_output_folder(served: tuple[Settings, TestClient],
                                                      path: str) -> None:
    _, client = served
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "root:" not in response.text


def test_every_response_carries_the_security_headers(served: tuple[Settings, TestClient]
                                                     ) -> None:
    _, client = served
    for path in ("/", "/briefs", "/brief/2025-10-28.pdf", "/brief/2025-13-45", "/nowhere"):
        headers = client.get(path).headers
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value, (path, name)
    assert "default-src 'none'" in SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


def test_themes_narrow_a_report(served: tuple[Settings, TestClient]) -> None:
    _, client = served
    both = client.get("/brief/2025-10-28?theme=clashes&theme=talks").text
    assert client.get("/brief/2025-10-28?theme=clashes,talks").text == both
    assert 'id="theme-clashes"' in both and 'id="theme-talks"' in both
    assert 'id="theme-trade"' not in both and 'id="theme-recognition"' not in both
    assert "Showing only: Border clashes and security, Talks and mediation" in both
    data = client.get("/brief/2025-10-28.json").json()
    first = data["key_points"][0]["theme"]
    label = next(s["label"] for s in data["sections"] if s["theme"] == first)
    one = client.get(f"/brief/2025-10-28?theme={first}").text
    key_points = one.split('id="key-points"')[1].split("</section>")[0]
    assert key_points.count("<li>") == sum(k["theme"] == first for k in data["key_points"])
    assert label in key_points


def test_the_archive_lists_days_newest_first_with_counts(served: tuple[Settings, TestClient]
                                                          ) -> None:
    settings, client = served
    page = client.get("/briefs").text
    assert page.index("2025-10-28") < page.index("2025-10-27")
    row = page.split('href="/brief/2025-10-27"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells[0] == "2"  # articles
    assert len(cells) == 1 + len(settings.themes)


def test_a_report_over_several_days_is_ranked_afresh(served: tuple[Settings, TestClient]
                                                      ) -> None:
    _, client = served
    page = client.get("/report?from=2025-10-27&to=2025-10-28")
    assert page.status_code == 200
    assert "2025-10-27 to 2025-10-28" in page.text
    assert "2 daily brief(s) merged and ranked afresh" in page.text
    assert "the articles of the briefs from 2025-10-27 to 2025-10-28" in page.text
    # the five distinct articles of both days, each once
    assert page.text.count('id="source-') == 5
    assert client.get("/report?from=2025-10-27&to=2025-10-28").text == page.text  # cached


def regenerate_form(client: TestClient, day: str) -> tuple[str, str]:
    page = client.get(f"/brief/{day}").text
    action = re.search(r'<form class="web-regenerate" method="post" action="([^"]+)"', page)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert action and token
    return action[1], token[1]


def test_regenerate_needs_the_pages_csrf_token(served: tuple[Settings, TestClient]) -> None:
    _, client = served
    action, _ = regenerate_form(client, "2025-10-27")
    assert client.post(action).status_code == 403
    assert client.post(action, data={"csrf": "0" * 64}).status_code == 403
    _, other_day = regenerate_form(client, "2025-10-28")
    assert client.post(action, data={"csrf": other_day}).status_code == 403
    assert client.get(action).status_code == 405


def test_regenerate_reruns_the_day_and_shows_progress(tmp_path: Path) -> None:
    settings = build_output(tmp_path)
    before = (settings.output_dir / "2025-10-28" / "brief.json").stat().st_mtime_ns
    with TestClient(create_app(settings)) as client:
        action, token = regenerate_form(client, "2025-10-28")
        response = client.post(action, data={"csrf": token}, follow_redirects=False)
        assert response.status_code == 303
        job = response.headers["location"]
        first = client.get(job)
        assert first.status_code == 200 and "Regenerating the brief of 2025-10-28" in first.text
        assert '<meta http-equiv="refresh" content="1">' in first.text
        deadline = time.monotonic() + 60
        while "Done:" not in (page := client.get(job).text) and time.monotonic() < deadline:
            assert "could not be regenerated" not in page
            time.sleep(0.3)
        assert "Done:" in page and 'href="/brief/2025-10-28"' in page
    after = (settings.output_dir / "2025-10-28" / "brief.json").stat().st_mtime_ns
    assert after > before


def test_no_brief_yet(tmp_path: Path, settings: Settings) -> None:
    empty = replace(settings, output_dir=tmp_path / "nothing")
    with TestClient(create_app(empty)) as client:
        page = client.get("/")
        assert page.status_code == 404 and "no brief yet" in page.text.lower()
        assert "No brief yet" in client.get("/briefs").text


def test_a_token_guards_every_request(served: tuple[Settings, TestClient]) -> None:
    settings, _ = served
    with TestClient(create_app(settings, token="s3cret-token")) as client:
        denied = client.get("/briefs")
        assert denied.status_code == 401 and denied.headers["x-frame-options"] == "DENY"
        assert client.get("/brief/2025-10-28.pdf").status_code == 401
        assert client.get("/briefs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/briefs", headers={"Authorization": "Bearer s3cret-token"}
                          ).status_code == 200
        first = client.get("/briefs?token=s3cret-token")
        assert first.status_code == 200 and "briefing_token" in first.headers["set-cookie"]
        assert "HttpOnly" in first.headers["set-cookie"]
        assert client.get("/briefs").status_code == 200  # the cookie now carries it


def test_serving_beyond_loopback_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_WEB_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8999"])
    assert result.exit_code == 2
    assert "needs an access token" in result.stderr and "BRIEFING_WEB_TOKEN" in result.stderr


def test_a_report_whose_source_is_gone_says_so_instead_of_failing(tmp_path: Path) -> None:
    import shutil
    from datetime import date, datetime

    from briefing import daily
    from briefing.source import FolderSource
    from tests.conftest import PKT, SEEDS

    settings = build_output(tmp_path)
    gone = tmp_path / "in-29"
    gone.mkdir()
    shutil.copy(SEEDS / EARLIER[0], gone / "only-here.txt")
    daily.produce(settings, date(2025, 10, 29), datetime(2025, 10, 29, 7, tzinfo=PKT),
                  ["json"], FolderSource(gone))
    shutil.rmtree(gone)  # the folder 29 October's brief was read from
    with TestClient(create_app(settings)) as client:
        page = client.get("/report?from=2025-10-27&to=2025-10-29")
    assert page.status_code == 200
    assert "Report · " in page.text
    assert "1 of their articles could no longer be read from their source" in page.text
