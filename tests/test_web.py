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

LOCAL = "http://localhost"  # the server answers only the host names it is configured for


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, TestClient]]:
    with pytest.MonkeyPatch.context() as patch:
        from briefing import text

        patch.setattr(text, "pretrained_parameters", lambda: None)
        settings = build_output(tmp_path_factory.mktemp("web"))
        with TestClient(create_app(settings), base_url=LOCAL) as client:
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
        ("/brief/0001-01-01", 400, "from 1900-01-01 to 9999-12-31"),
        ("/report?from=0001-01-01&to=0001-01-05", 400, "Not a start date"),
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
    with TestClient(create_app(settings), base_url=LOCAL) as client:
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
    with TestClient(create_app(empty), base_url=LOCAL) as client:
        page = client.get("/")
        assert page.status_code == 404 and "no brief yet" in page.text.lower()
        assert "No brief yet" in client.get("/briefs").text


def test_a_token_guards_every_request(served: tuple[Settings, TestClient]) -> None:
    settings, _ = served
    with TestClient(create_app(settings, token="s3cret-token"),
                    base_url=LOCAL) as client:
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
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        page = client.get("/report?from=2025-10-27&to=2025-10-29")
    assert page.status_code == 200
    assert "Report · " in page.text
    assert "1 of their articles could no longer be read from their source" in page.text


# --- faults: errors, damaged briefs, hosts, origins, tokens, slow clients, floods ----------

def fresh(settings: Settings, **web: object) -> TestClient:
    """A new app (empty caches) over the same briefs, with [web] keys changed."""
    return TestClient(create_app(replace(settings, web=replace(settings.web, **web))),
                      base_url=LOCAL)


def test_a_500_carries_the_security_headers_and_our_page(served: tuple[Settings, TestClient],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    from briefing.web import views

    settings, _ = served

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the template engine fell over\nbriefing: forged line")

    monkeypatch.setattr(views, "render_html", broken)
    with fresh(settings) as client:
        response = client.get("/brief/2025-10-28%0Abriefing:%20forged")
        assert response.status_code == 400  # not a date: a clear page, not a crash
        response = client.get("/brief/2025-10-28")
    assert response.status_code == 500
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "Something went wrong" in response.text and "fell over" not in response.text
    assert all("\n" not in r.getMessage() for r in caplog.records)  # no forged log line


def test_a_damaged_latest_brief_is_skipped_and_logged_once(served: tuple[Settings, TestClient],
                                                            tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    import shutil
    from datetime import date

    from briefing.briefs import BriefStore

    settings, _ = served
    output = tmp_path / "output"
    shutil.copytree(settings.output_dir, output, symlinks=True)
    store = BriefStore(output)
    store.write(date(2025, 10, 30), {"json": "[" * 100_000 + "]" * 100_000})  # too deep
    store.write(date(2025, 10, 29), {"json": '{"title": "no date, nothing else"}'})
    with TestClient(create_app(replace(settings, output_dir=output)), base_url=LOCAL) as client:
        for _ in range(3):
            page = client.get("/")
            assert page.status_code == 200 and "Tuesday 28 October 2025" in page.text
        listed = client.get("/briefs").text
    assert "2025-10-28" in listed and "2025-10-30" not in listed
    skipped = [r.getMessage() for r in caplog.records if "skipping the brief" in r.getMessage()]
    assert len(skipped) == 2  # once per damaged day, however often it is asked for
    assert any("2025-10-30" in m and "RecursionError" in m for m in skipped)


@pytest.fixture(scope="module")
def named(served: tuple[Settings, TestClient]) -> Iterator[TestClient]:
    """The briefs served with one more host name: briefs.example.org."""
    with fresh(served[0], allowed_hosts=("briefs.example.org",)) as client:
        yield client


@pytest.mark.parametrize(("host", "status"), [
    ("localhost", 200), ("localhost:8000", 200), ("127.0.0.1:8000", 200), ("[::1]:8000", 200),
    ("LOCALHOST.", 200), ("briefs.example.org", 200), ("Briefs.Example.Org:443", 200),
    ("evil.example", 421), ("evil.example:8000", 421), ("127.0.0.1.evil.example", 421),
    ("localhost@evil.example", 421), ("", 421),
])
def test_only_the_configured_host_names_are_answered(named: TestClient, host: str,
                                                     status: int) -> None:
    """A DNS-rebinding page names its own host; it gets nothing, token or no token."""
    response = named.get("/brief/2025-10-28", headers={"Host": host})
    assert response.status_code == status
    assert response.headers["x-frame-options"] == "DENY"
    if status == 421:
        assert "Pakistan" not in response.text


def test_the_serve_address_is_a_host_name_too(served: tuple[Settings, TestClient]) -> None:
    settings, _ = served
    with TestClient(create_app(settings, host="192.0.2.7"), base_url=LOCAL) as client:
        assert client.get("/", headers={"Host": "192.0.2.7:8000"}).status_code == 200
        assert client.get("/", headers={"Host": "0.0.0.0:8000"}).status_code == 421


def test_a_form_from_a_foreign_origin_is_refused_even_with_its_token(
        served: tuple[Settings, TestClient]) -> None:
    from briefing.web.jobs import Job

    settings, _ = served
    with fresh(settings) as client:
        started: list[object] = []
        state = client.app.state.briefing  # type: ignore[attr-defined]
        state.jobs.start = lambda day: started.append(day) or Job("j1", day, "07:00")
        action, token = regenerate_form(client, "2025-10-28")
        foreign = [{"Origin": "http://evil.example"}, {"Origin": "null"},
                   {"Referer": "http://evil.example/page"},
                   {"Origin": "http://localhost:9999"},
                   {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}]
        for headers in foreign:
            response = client.post(action, data={"csrf": token}, headers=headers,
                                   follow_redirects=False)
            assert response.status_code == 403, headers
            assert "own page" in response.text
        assert started == []
        own = [{"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
               {"Origin": "http://localhost"}, {"Referer": "http://localhost/brief/2025-10-28"},
               {"Origin": "null", "Sec-Fetch-Site": "same-origin"}]  # the browser vouches
        for headers in own:
            response = client.post(action, data={"csrf": token}, headers=headers,
                                   follow_redirects=False)
            assert response.status_code == 303, headers
        assert len(started) == len(own)
        big = client.post(action, content=b"csrf=" + b"0" * 100_000,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413

        def chunks() -> Iterator[bytes]:
            yield f"csrf={token}".encode()

        assert client.post(action, content=chunks()).status_code == 411
    assert len(started) == len(own)


def test_a_non_ascii_token_works_as_bearer_query_and_cookie(served: tuple[Settings, TestClient]
                                                           ) -> None:
    settings, _ = served
    token = "pässwörd-€-ключ"
    with TestClient(create_app(settings, token=token), base_url=LOCAL) as client:
        bearer = ("Bearer " + token).encode("utf-8")
        assert client.get("/briefs", headers={"Authorization": bearer}).status_code == 200
        lower = ("bearer " + token).encode("utf-8")
        assert client.get("/briefs", headers={"Authorization": lower}).status_code == 200
        wrong = ("Bearer " + token[:-1]).encode("utf-8")
        assert client.get("/briefs", headers={"Authorization": wrong}).status_code == 401
        first = client.get("/briefs", params={"token": token})
        assert first.status_code == 200
        cookie = first.headers["set-cookie"]
        assert "briefing_token=" in cookie and "HttpOnly" in cookie
        assert cookie.isascii() and "p%C3%A4" not in cookie  # a derived value, not the token
        assert client.get("/briefs").status_code == 200  # the cookie now carries it
        client.cookies.clear()
        assert client.get("/briefs").status_code == 401


def start_uvicorn(app: object, header_seconds: float) -> tuple[object, int]:
    import socket
    import threading

    import uvicorn

    from briefing.web.server import options

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           **options(header_seconds)))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    return server, port


def closed_within(sock: object, seconds: float) -> float | None:
    """Seconds until the server closed the connection (reading what it sent), or None."""
    import socket

    assert isinstance(sock, socket.socket)
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    return time.monotonic() - started


def test_a_client_that_trickles_its_headers_is_cut_off(served: tuple[Settings, TestClient]
                                                        ) -> None:
    import socket

    settings, _ = served
    server, port = start_uvicorn(create_app(settings), header_seconds=0.6)
    try:
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            started = time.monotonic()
            for _ in range(4):  # a byte now and then keeps uvicorn's own idle timer away
                time.sleep(0.1)
                slow.sendall(b"X")
            waited = closed_within(slow, 3)
            assert waited is not None and time.monotonic() - started < 2.0
        with socket.create_connection(("127.0.0.1", port)) as quick:
            quick.sendall(b"GET /briefs HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert quick.recv(12) == b"HTTP/1.1 200"
            time.sleep(0.1)
            quick.sendall(b"GET /briefs HTTP/1.1\r\nHost: local")  # the next request stalls
            assert closed_within(quick, 3) is not None
    finally:
        server.should_exit = True  # type: ignore[attr-defined]


def test_a_flood_of_different_reports_is_bounded_and_day_pages_stay_fast(
        served: tuple[Settings, TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading
    from datetime import date

    import httpx

    from briefing import reports

    settings, client = served
    brief = client.app.state.briefing.store.read(date(2025, 10, 28))  # type: ignore[attr-defined]
    running = {"now": 0, "most": 0, "calls": 0}
    guard = threading.Lock()

    def slow_report(*args: object, **kwargs: object) -> tuple[object, int]:
        with guard:
            running["now"] += 1
            running["calls"] += 1
            running["most"] = max(running["most"], running["now"])
        time.sleep(0.2)
        with guard:
            running["now"] -= 1
        return brief, 0

    monkeypatch.setattr(reports, "multi_day", slow_report)
    app = create_app(replace(settings, web=replace(settings.web, report_workers=2,
                                                   report_queue=3)))
    paths = [f"/report?from=2025-10-{start:02d}&to=2025-10-{end}"
             for start in range(1, 21) for end in (28, 29)]

    async def flood() -> tuple[list[httpx.Response], float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=LOCAL, timeout=30) as http:
            await http.get("/brief/2025-10-28")  # the day page, cached

            async def day_page() -> float:
                await asyncio.sleep(0.1)  # while the reports run
                started = time.monotonic()
                assert (await http.get("/brief/2025-10-28")).status_code == 200
                return time.monotonic() - started

            *responses, day = await asyncio.gather(*(http.get(p) for p in paths), day_page())
            return responses, day  # type: ignore[return-value]

    responses, day_seconds = asyncio.run(flood())
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 5 and statuses.count(503) == len(paths) - 5
    assert running["most"] <= 2 and running["calls"] == 5
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"].isdigit() and int(busy.headers["retry-after"]) >= 1
    assert busy.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert "try again" in busy.text
    assert day_seconds < 0.3, f"a day page took {day_seconds:.2f} s during the flood"


def test_identical_reports_at_once_are_computed_once(served: tuple[Settings, TestClient],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    from datetime import date

    import httpx

    from briefing import reports

    settings, client = served
    brief = client.app.state.briefing.store.read(date(2025, 10, 28))  # type: ignore[attr-defined]
    calls: list[int] = []

    def slow_report(*args: object, **kwargs: object) -> tuple[object, int]:
        calls.append(1)
        time.sleep(0.3)
        return brief, 0

    monkeypatch.setattr(reports, "multi_day", slow_report)
    app = create_app(replace(settings, web=replace(settings.web, report_workers=1,
                                                   report_queue=0)))
    path = "/report?from=2025-10-20&to=2025-10-28&theme=talks"

    async def same() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=LOCAL, timeout=30) as http:
            first = await asyncio.gather(*(http.get(path) for _ in range(20)))
            return [*first, await http.get(path)]  # and once more, from the cache

    responses = asyncio.run(same())
    assert {r.status_code for r in responses} == {200} and len(calls) == 1
    assert len({r.text for r in responses}) == 1
