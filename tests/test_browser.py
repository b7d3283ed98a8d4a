"""`briefing serve` used as a person would: a real server on loopback, a real browser.

Headless Chromium from Debian's `chromium` package, driven by Playwright for Python
(`executable_path`, since Playwright's own browser download cannot work here); the
Nu HTML Checker (npm `vnu-jar`, on the machine's Java) on every page; axe-core
injected into every page. Screenshots go to test-artifacts/ for a person to look at.

Outside CI these tests skip, loudly, when a tool is missing; on CI they must run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from briefing.config import Settings
from briefing.web import create_app
from tests.conftest import ROOT, build_output

ARTIFACTS = Path(os.environ.get("BRIEFING_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"]


def require(ready: bool, what: str) -> None:
    """Skip loudly where a tool is missing; on CI a missing tool is a failure."""
    if ready:
        return
    message = f"browser tests need {what}; run `make test`, which installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """The real app under uvicorn on a free loopback port, in a thread."""
    import uvicorn

    with pytest.MonkeyPatch.context() as patch:
        from briefing import text

        patch.setattr(text, "pretrained_parameters", lambda: None)
        settings = build_output(tmp_path_factory.mktemp("served"))
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start"
    try:
        yield settings, f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM is not None, "Debian's chromium package (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield instance
        instance.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reader_reads_filters_browses_and_regenerates(server: tuple[Settings, str],
                                                         browser: Any) -> None:
    _, base = server
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/")
    assert page.title().startswith("Pakistan–Afghanistan daily brief — Tuesday 28 October 2025")
    assert page.locator("#key-points li").count() >= 3
    shot(page, "01-latest")

    # follow a citation to its source entry
    citation = page.locator("#key-points sup.cite a").first
    number = citation.inner_text()
    citation.click()
    assert page.url.endswith(f"#source-{number}")
    source = page.locator(f"#source-{number}")
    assert source.is_visible() and source.evaluate("e => e.matches(':target')")
    assert source.locator(".source-title").inner_text()
    shot(page, "02-citation-followed")

    # filter by theme
    page.get_by_role("link", name="Border clashes and security", exact=True).click()
    assert "theme=clashes" in page.url
    assert page.locator("section.theme").count() == 1
    assert page.locator("#theme-clashes li").count() >= 1
    assert page.get_by_text("Showing only: Border clashes and security").is_visible()
    shot(page, "03-filtered-clashes")

    # the archive, and an older day from it
    page.get_by_role("link", name="Past briefs").click()
    rows = page.locator("table.briefs tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("th").inner_text() == "2025-10-28"
    shot(page, "04-archive")
    page.get_by_role("link", name="2025-10-27").click()
    assert "Monday 27 October 2025" in page.locator("h1 + p, .kicker").first.inner_text() \
        or "Monday 27 October 2025" in page.content()

    # regenerate that day and watch the progress page until it is done
    page.get_by_role("button", name="Regenerate").click()
    assert "/jobs/" in page.url
    shot(page, "05-regenerating")
    page.get_by_text("Done:").wait_for(timeout=60_000)  # the page refreshes by itself
    shot(page, "06-regenerated")
    page.get_by_role("link", name="Open it").click()
    assert page.url.endswith("/brief/2025-10-27")
    page.close()


def test_the_multi_day_report_form(server: tuple[Settings, str], browser: Any) -> None:
    _, base = server
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/brief/2025-10-28")
    page.fill("input[name=from]", "2025-10-27")
    page.fill("input[name=to]", "2025-10-28")
    page.get_by_role("button", name="Report").click()
    assert "/report?from=2025-10-27&to=2025-10-28" in page.url
    assert "2025-10-27 to 2025-10-28" in page.locator("h1").inner_text()
    shot(page, "07-report")
    page.close()


PAGES = ["/", "/brief/2025-10-27", "/brief/2025-10-28?theme=clashes&theme=trade", "/briefs",
         "/report?from=2025-10-27&to=2025-10-28", "/brief/2025-13-45", "/brief/2025-10-01"]


def test_every_page_is_valid_html(server: tuple[Settings, str], tmp_path: Path) -> None:
    settings, base = server
    require(VNU.is_file(), "the npm package vnu-jar (npm ci)")
    require(shutil.which("java") is not None, "Java (Debian's default-jre-headless)")
    files = []
    with httpx.Client(base_url=base) as client:
        job = _start_regeneration(client, "2025-10-28")
        for n, path in enumerate([*PAGES, job]):
            target = tmp_path / f"page-{n}.html"
            target.write_text(client.get(path).text, encoding="utf-8")
            files.append(target)
    files.append(settings.output_dir / "2025-10-28" / "brief.html")  # the file, too
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--stdout",
                             *map(str, files)], capture_output=True, text=True, timeout=120,
                            check=False)
    messages = json.loads(result.stdout)["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error"]
    assert errors == []


def test_no_serious_accessibility_violations(server: tuple[Settings, str],
                                            browser: Any) -> None:
    _, base = server
    require(AXE.is_file(), "the npm package axe-core (npm ci)")
    context = browser.new_context(bypass_csp=True)  # our CSP forbids injected scripts
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(base + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        serious = [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    context.close()
    assert found == {}


def test_two_hundred_concurrent_readers(server: tuple[Settings, str]) -> None:
    _, base = server

    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            await client.get("/brief/2025-10-28")  # warm the cache
            paths = ["/brief/2025-10-28", "/", "/brief/2025-10-27",
                     "/brief/2025-10-28?theme=talks"] * 50
            responses = await asyncio.gather(*(client.get(p) for p in paths))
            return [r.status_code for r in responses]

    # Playwright's sync API keeps an event loop on this thread; the burst gets its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses = pool.submit(asyncio.run, burst()).result()
    assert len(statuses) == 200 and set(statuses) == {200}


def _start_regeneration(client: httpx.Client, day: str) -> str:
    page = client.get(f"/brief/{day}").text
    action = re.search(r'action="(/brief/[^"]+/regenerate)"', page)
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert action and token
    response = client.post(action[1], data={"csrf": token[1]})
    assert response.status_code == 303
    return str(response.headers["location"])


def test_a_regeneration_does_not_block_reading(server: tuple[Settings, str]) -> None:
    _, base = server
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/brief/2025-10-27")  # cached
        job = _start_regeneration(client, "2025-10-28")
        slowest = 0.0
        reads_while_running = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = "Regenerating the brief" in client.get(job).text
            started = time.monotonic()
            assert client.get("/brief/2025-10-27").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            if not running:
                break
            reads_while_running += 1
        assert reads_while_running >= 3, "the regeneration ended before reads could overlap it"
        # a read is never held up behind the regeneration (generous: CI machines are shared)
        assert slowest < 2.0, f"a read took {slowest:.2f} s during a regeneration"
        assert "Done:" in client.get(job).text


def test_a_brief_with_changes_and_a_chart_is_valid_html(tmp_path: Path) -> None:
    require(VNU.is_file(), "the npm package vnu-jar (npm ci)")
    require(shutil.which("java") is not None, "Java (Debian's default-jre-headless)")
    from tests.test_changes import run_days

    page = run_days(tmp_path) / "brief.html"
    assert '<svg role="img"' in page.read_text()
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--stdout",
                             str(page)], capture_output=True, text=True, timeout=120, check=False)
    errors = [m["message"] for m in json.loads(result.stdout)["messages"] if m["type"] == "error"]
    assert errors == []
