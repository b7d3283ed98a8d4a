"""E-mail delivery against a real SMTP server (aiosmtpd) on 127.0.0.1.

Every server is started by a test on an ephemeral loopback port and stopped when
the test ends. Messages are parsed back with the standard `email` package and the
attachment is compared byte for byte with the PDF on disk.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from briefing import deliver
from briefing.briefs import BriefStore
from briefing.cli import cli
from briefing.config import EmailSettings, Settings, load_settings
from briefing.daily import daily_run, send_day
from briefing.deliver import DeliveryError
from briefing.history import History
from tests.conftest import DAY, NOW, SEEDS, local_config

HOST = "127.0.0.1"
SENDER = "briefing@example.org"
TO = ["desk@example.org", "chief@example.org"]
CC = ["editor@example.org"]
BCC = ["archive@example.org"]
REPLY_TO = "replies@example.org"
USER = "briefing-bot"
PASSWORD = "s3cret-pass"
PASSWORD_ENV = "BRIEFING_TEST_SMTP_PASSWORD"
BACKOFF = 0.05
SEND = ["send", "--date", DAY.isoformat()]

pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(autouse=True)
def quiet_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server runs in this process: its log must not mix with the command's stderr."""
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)


# --- the SMTP server ------------------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: bytes | None

    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every envelope and counts connections.

    `rcpt_reply` / `data_reply` are lists of replies used in turn (the last one
    repeats); None accepts normally.
    """

    received: list[Received] = field(default_factory=list)
    protocols: list[Any] = field(default_factory=list)  # one SMTP instance per connection
    rcpt_reply: list[str | None] = field(default_factory=lambda: [None])
    data_reply: list[str | None] = field(default_factory=lambda: [None])
    rcpt_calls: int = 0
    data_calls: int = 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        if not any(p is server for p in self.protocols):  # STARTTLS says EHLO twice
            self.protocols.append(server)
        return responses

    @property
    def connections(self) -> int:
        """Connections that got as far as EHLO (the controller's own probe does not)."""
        return len(self.protocols)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.rcpt_reply[min(self.rcpt_calls, len(self.rcpt_reply) - 1)]
        self.rcpt_calls += 1
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.data_reply[min(self.data_calls, len(self.data_reply) - 1)]
        self.data_calls += 1
        if reply is not None:
            return reply
        self.received.append(Received(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            content=bytes(envelope.original_content or envelope.content),
            tls=server.transport.get_extra_info("ssl_object") is not None,
            login=session.login_data))
        return "250 Message accepted for delivery"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    if good:
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


@dataclass
class Server:
    controller: Controller
    handler: Recorder

    @property
    def port(self) -> int:
        return int(self.controller.port)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


StartServer = Callable[..., Server]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """start_server(handler=None, port=None, **SMTP options) -> a running Server."""
    running: list[Controller] = []

    def start(handler: Recorder | None = None, port: int | None = None,
              **options: Any) -> Server:
        handler = handler or Recorder()
        controller = Controller(handler, hostname=HOST, port=port or free_port(),
                                server_hostname="mail.test", ready_timeout=5, **options)
        controller.start()
        running.append(controller)
        return Server(controller, handler)

    try:
        yield start
    finally:
        for controller in running:
            controller.stop()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A server context whose certificate names 127.0.0.1 and localhost."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca: trustme.CA, workdir: Path) -> Path:
    path = workdir / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


# --- configuration ----------------------------------------------------------------------

def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _set(text: str, section: str, key: str, value: Any) -> str:
    """Replace `key = …` inside one table of the TOML text; exactly one line must match."""
    header = re.compile(r"^\[.*\]\s*$", re.M)
    start = text.index(f"[{section}]\n")
    body_start = start + len(section) + 3
    following = header.search(text, body_start)
    end = following.start() if following else len(text)
    line = f"{key} = {_toml(value)}"
    body, count = re.subn(rf"^{re.escape(key)} = .*$", lambda _: line, text[body_start:end],
                          flags=re.M)
    assert count == 1, f"[{section}] {key} not found exactly once in briefing.toml"
    return text[:body_start] + body + text[end:]


def write_config_file(folder: Path, port: int, email: dict[str, Any] | None = None,
                      smtp: dict[str, Any] | None = None) -> Path:
    """The repository's briefing.toml (output and state under `folder`) with e-mail on.

    Defaults: plain SMTP to 127.0.0.1:port, from/to/cc/bcc/reply_to set, short
    timeouts and back-off; `email` and `smtp` override keys of [email], [email.smtp].
    """
    email_keys: dict[str, Any] = {"enabled": True, "from": SENDER, "to": TO, "cc": CC,
                                  "bcc": BCC, "reply_to": REPLY_TO, **(email or {})}
    smtp_keys: dict[str, Any] = {"host": HOST, "port": port, "security": "none",
                                 "timeout_seconds": 5, "retries": 2,
                                 "backoff_seconds": BACKOFF, **(smtp or {})}
    text = local_config(folder).replace(f'input = "{SEEDS}"', f'input = "{day_input(folder)}"')
    for key, value in email_keys.items():
        text = _set(text, "email", key, value)
    for key, value in smtp_keys.items():
        text = _set(text, "email.smtp", key, value)
    path = folder / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def day_input(folder: Path) -> Path:
    """The seeds, as files added on the evening before DAY: inside DAY's 24-hour window."""
    target = folder / "in"
    if not target.is_dir():
        shutil.copytree(SEEDS, target)
        evening = datetime(2025, 10, 27, 20, 0, tzinfo=timezone(timedelta(hours=5))).timestamp()
        for path in target.iterdir():
            os.utime(path, (evening, evening))
    return target


def write_config(folder: Path, port: int, email: dict[str, Any] | None = None,
                 smtp: dict[str, Any] | None = None) -> Settings:
    """write_config_file, then the settings the command will read."""
    return load_settings(write_config_file(folder, port, email, smtp))


# --- helpers ----------------------------------------------------------------------------

@dataclass
class Sleeps:
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="session")
def rendered(seeds_brief: tuple[Settings, object],
             tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' brief of DAY rendered once (html, pdf, json): output/DAY to copy."""
    from tests.conftest import write_brief

    settings, brief = seeds_brief
    out = tmp_path_factory.mktemp("rendered")
    write_brief(brief, settings, ["html", "pdf", "json"], out)  # type: ignore[arg-type]
    return out / DAY.isoformat()


@pytest.fixture
def day_folder(rendered: Path, workdir: Path) -> Path:
    """output/DAY in the test's folder, holding an already rendered brief."""
    folder = workdir / "output" / DAY.isoformat()
    shutil.copytree(rendered, folder, symlinks=True)  # the store's links, as it made them
    return folder


def parts(message: EmailMessage) -> tuple[str, str, list[Message]]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    assert isinstance(plain, EmailMessage) and isinstance(rich, EmailMessage)
    return plain.get_content(), rich.get_content(), list(message.iter_attachments())


def assert_pdf_attached(message: EmailMessage, pdf: Path) -> None:
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    [attachment] = attachments
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"brief-{DAY.isoformat()}.pdf"
    assert attachment.get_content_disposition() == "attachment"
    data = attachment.get_payload(decode=True)
    assert isinstance(data, bytes)
    assert data.startswith(b"%PDF-")
    assert data == pdf.read_bytes()


def addresses(message: EmailMessage, header: str) -> list[str]:
    return [a.addr_spec for a in message[header].addresses]


# --- 1. plain SMTP, the whole message ---------------------------------------------------

def test_send_renders_the_missing_brief_and_delivers_the_whole_message(
        start_server: StartServer, workdir: Path) -> None:
    server = start_server()
    write_config(workdir, server.port)
    folder = workdir / "output" / DAY.isoformat()
    assert not folder.exists()

    code, out, err = invoke(*SEND)

    assert code == 0, err
    assert out.strip() == "delivered to 4 recipient(s)"
    assert (folder / "brief.pdf").is_file() and (folder / "brief.json").is_file()
    [run] = History(workdir / "state").runs()  # a manual send is recorded like any run
    assert (run.trigger, run.status, run.delivery) == ("send", "ok", "delivered to 4 recipient(s)")
    [got] = server.handler.received
    assert server.handler.connections == 1
    assert got.mail_from == SENDER
    assert got.rcpt_tos == [*TO, *CC, *BCC]
    assert not got.tls and got.login is None

    message = got.message()
    assert message["Subject"] == "Daily brief: 2025-10-28"
    assert addresses(message, "From") == [SENDER]
    assert addresses(message, "To") == TO
    assert addresses(message, "Cc") == CC
    assert addresses(message, "Reply-To") == [REPLY_TO]
    assert message["Bcc"] is None
    assert BCC[0].encode() not in got.content  # a blind copy stays blind
    # a long Message-ID is folded onto a continuation line; the parser keeps that space
    message_id = message["Message-ID"].strip()
    assert message_id.startswith("<brief-2025-10-28") or ".brief-2025-10-28@" in message_id
    assert message_id.endswith("@example.org>")
    assert message["Date"] is not None
    assert message.get_content_type() == "multipart/mixed"

    plain, rich, _ = parts(message)
    brief = json.loads((folder / "brief.json").read_text(encoding="utf-8"))
    points = [p["text"] for p in brief["key_points"]]
    assert len(points) >= 3
    for point in points:
        assert point in plain
        assert point in html.unescape(rich)
    assert "Tuesday 28 October 2025" in plain
    assert "brief-2025-10-28.pdf" in plain
    assert "<ol>" in rich and "Key points" in rich
    assert_pdf_attached(message, folder / "brief.pdf")

    delivered = History(workdir / "state").delivered(DAY)
    assert delivered is not None
    assert delivered.recipients == [*TO, *CC, *BCC]
    assert delivered.message_id == message_id


def test_text_and_html_are_alternatives_of_one_another(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server()
    write_config(workdir, server.port)
    code, _, err = invoke(*SEND)
    assert code == 0, err
    message = server.handler.received[0].message()
    body, attachment = list(message.iter_parts())
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "application/pdf"


# --- 2. TLS: STARTTLS, implicit TLS, certificate verification ----------------------------

def test_starttls_with_the_private_ca_delivers_over_tls(
        start_server: StartServer, workdir: Path, day_folder: Path,
        server_tls: ssl.SSLContext, ca_file: Path) -> None:
    server = start_server(tls_context=server_tls, require_starttls=True)
    write_config(workdir, server.port, smtp={"security": "starttls", "ca_file": str(ca_file)})

    code, out, err = invoke(*SEND)

    assert code == 0, err
    assert "delivered to 4 recipient(s)" in out
    [got] = server.handler.received
    assert got.tls  # the message itself travelled after STARTTLS
    assert_pdf_attached(got.message(), day_folder / "brief.pdf")


def test_starttls_without_the_ca_fails_at_once_on_the_certificate(
        start_server: StartServer, workdir: Path, day_folder: Path,
        server_tls: ssl.SSLContext) -> None:
    server = start_server(tls_context=server_tls, require_starttls=True)
    settings = write_config(workdir, server.port, smtp={"security": "starttls", "retries": 3})
    assert settings.email.verify and settings.email.ca_file is None
    sleeps = Sleeps()
    message = built_message(settings, day_folder)

    with pytest.raises(DeliveryError) as caught:
        deliver.send(message, settings.email, sleep=sleeps)

    assert caught.value.permanent
    assert "certificate" in str(caught.value)
    assert sleeps.waits == []
    assert server.handler.connections == 1
    assert server.handler.received == []

    code, _, err = invoke(*SEND)
    assert code == 1
    line = one_line_error(err)
    assert line.startswith("briefing: error: ") and "certificate" in line
    assert "after" not in line  # not retried
    assert server.handler.received == []
    assert History(workdir / "state").delivered(DAY) is None


def test_certificate_for_another_host_is_refused(
        start_server: StartServer, workdir: Path, day_folder: Path, ca: trustme.CA,
        ca_file: Path) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.elsewhere.example").configure_cert(context)
    server = start_server(tls_context=context)
    write_config(workdir, server.port, smtp={"security": "starttls", "ca_file": str(ca_file)})

    code, _, err = invoke(*SEND)

    assert code == 1
    line = one_line_error(err)
    assert "certificate" in line and HOST in line
    assert server.handler.received == []


def test_verify_false_accepts_an_unknown_certificate(
        start_server: StartServer, workdir: Path, day_folder: Path,
        server_tls: ssl.SSLContext) -> None:
    server = start_server(tls_context=server_tls, require_starttls=True)
    write_config(workdir, server.port, smtp={"security": "starttls", "verify": False})
    code, _, err = invoke(*SEND)
    assert code == 0, err
    assert [r.tls for r in server.handler.received] == [True]


def test_implicit_tls_with_the_private_ca_delivers(
        start_server: StartServer, workdir: Path, day_folder: Path,
        server_tls: ssl.SSLContext, ca_file: Path) -> None:
    server = start_server(ssl_context=server_tls)
    write_config(workdir, server.port, smtp={"security": "ssl", "ca_file": str(ca_file)})
    code, _, err = invoke(*SEND)
    assert code == 0, err
    [got] = server.handler.received
    assert got.tls
    assert_pdf_attached(got.message(), day_folder / "brief.pdf")


def test_starttls_to_a_server_without_it_fails_at_once(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server()
    settings = write_config(workdir, server.port, smtp={"security": "starttls"})
    sleeps = Sleeps()
    with pytest.raises(DeliveryError) as caught:
        send_day(settings, DAY, NOW, History(settings.schedule.state_dir), sleep=sleeps)
    assert caught.value.permanent
    assert "STARTTLS" in str(caught.value)
    assert sleeps.waits == [] and server.handler.connections == 1
    assert server.handler.received == []


# --- 3. AUTH ----------------------------------------------------------------------------

def auth_server(start_server: StartServer) -> Server:
    return start_server(authenticator=authenticator, auth_require_tls=False,
                        auth_required=True)


def test_login_with_the_password_from_the_environment_delivers(
        start_server: StartServer, workdir: Path, day_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = auth_server(start_server)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    write_config(workdir, server.port, smtp={"username": USER, "password_env": PASSWORD_ENV})

    code, out, err = invoke(*SEND)

    assert code == 0, err
    assert "delivered" in out
    [got] = server.handler.received
    assert got.login == USER.encode()
    assert PASSWORD.encode() not in got.content


def test_the_server_requires_the_login(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    """Without a username the same server refuses the mail: the login above mattered."""
    server = auth_server(start_server)
    write_config(workdir, server.port)
    code, _, err = invoke(*SEND)
    assert code == 1
    assert "530" in one_line_error(err)
    assert server.handler.received == []


def test_a_wrong_password_fails_at_once_quoting_the_server(
        start_server: StartServer, workdir: Path, day_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = auth_server(start_server)
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    settings = write_config(workdir, server.port,
                            smtp={"username": USER, "password_env": PASSWORD_ENV,
                                  "retries": 3})
    sleeps = Sleeps()
    message = built_message(settings, day_folder)

    with pytest.raises(DeliveryError) as caught:
        deliver.send(message, settings.email, sleep=sleeps)

    assert caught.value.permanent
    assert "535" in str(caught.value)
    assert "Authentication credentials invalid" in str(caught.value)
    assert "wrong-password" not in str(caught.value)
    assert sleeps.waits == []
    assert server.handler.connections == 1
    assert server.handler.received == []

    code, _, err = invoke(*SEND)
    assert code == 1
    line = one_line_error(err)
    assert "535" in line and "Authentication credentials invalid" in line
    assert "wrong-password" not in err
    assert server.handler.connections == 2  # the command, too, tried once
    assert History(workdir / "state").delivered(DAY) is None


# --- 4. 5xx and 4xx replies -------------------------------------------------------------

@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_5xx_reply_fails_at_once(stage: str, start_server: StartServer, workdir: Path,
                                   day_folder: Path) -> None:
    handler = Recorder()
    setattr(handler, f"{stage}_reply", ["550 5.1.1 mailbox unavailable"])
    server = start_server(handler)
    settings = write_config(workdir, server.port, smtp={"retries": 3})
    sleeps = Sleeps()

    with pytest.raises(DeliveryError) as caught:
        send_day(settings, DAY, NOW, History(settings.schedule.state_dir), sleep=sleeps)

    assert caught.value.permanent
    assert "550" in str(caught.value) and "mailbox unavailable" in str(caught.value)
    assert "attempts" not in str(caught.value)
    assert sleeps.waits == []
    assert server.handler.connections == 1
    assert server.handler.received == []
    assert History(settings.schedule.state_dir).delivered(DAY) is None

    code, _, err = invoke(*SEND)
    assert code == 1
    assert "550" in one_line_error(err)


def test_a_4xx_reply_is_retried_and_then_delivers(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    handler = Recorder(data_reply=["451 4.3.0 try again later", None])
    server = start_server(handler)
    settings = write_config(workdir, server.port, smtp={"retries": 3})
    sleeps = Sleeps()

    result = send_day(settings, DAY, NOW, History(settings.schedule.state_dir), sleep=sleeps)

    assert result == "delivered to 4 recipient(s)"
    assert sleeps.waits == [BACKOFF]
    assert server.handler.connections == 2
    assert len(server.handler.received) == 1
    assert History(settings.schedule.state_dir).delivered(DAY) is not None


def test_a_4xx_reply_every_time_gives_up_after_the_retries(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server(Recorder(rcpt_reply=["450 4.2.1 mailbox busy"]))
    settings = write_config(workdir, server.port, smtp={"retries": 2})
    sleeps = Sleeps()
    with pytest.raises(DeliveryError) as caught:
        send_day(settings, DAY, NOW, History(settings.schedule.state_dir), sleep=sleeps)
    assert not caught.value.permanent
    assert "450" in str(caught.value) and "after 3 attempts" in str(caught.value)
    assert sleeps.waits == [BACKOFF, 2 * BACKOFF]
    assert server.handler.connections == 3


# --- 5. a server that is down -----------------------------------------------------------

def built_message(settings: Settings, folder: Path) -> EmailMessage:
    """The message of the brief stored in `folder` (output/DAY)."""
    store = BriefStore(folder.parent)
    return deliver.build_message(settings, store.read(DAY), store.read_bytes(DAY, "pdf"), NOW)


@pytest.mark.parametrize("up_at_wait", [1, 2])
def test_a_server_that_comes_up_during_the_retries_gets_the_message(
        up_at_wait: int, start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    port = free_port()
    settings = write_config(workdir, port, smtp={"retries": 4})
    handler = Recorder()
    waits: list[float] = []

    def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == up_at_wait:
            start_server(handler, port=port)

    deliver.send(built_message(settings, day_folder), settings.email, sleep=fake_sleep)

    assert waits == [BACKOFF * 2 ** n for n in range(up_at_wait)]
    assert handler.connections == 1  # attempt number up_at_wait + 1 got through
    [got] = handler.received
    assert got.rcpt_tos == [*TO, *CC, *BCC]
    assert_pdf_attached(got.message(), day_folder / "brief.pdf")


def test_a_server_down_longer_than_the_retries_is_a_transient_failure(
        workdir: Path, day_folder: Path) -> None:
    settings = write_config(workdir, free_port(), smtp={"retries": 3})
    sleeps = Sleeps()

    with pytest.raises(DeliveryError) as caught:
        deliver.send(built_message(settings, day_folder), settings.email, sleep=sleeps)

    assert not caught.value.permanent
    assert "after 4 attempts" in str(caught.value)
    assert "refused" in str(caught.value).lower()
    assert sleeps.waits == [BACKOFF, 2 * BACKOFF, 4 * BACKOFF]


def test_no_retries_means_one_attempt_and_no_wait(workdir: Path, day_folder: Path) -> None:
    settings = write_config(workdir, free_port(), smtp={"retries": 0})
    sleeps = Sleeps()
    with pytest.raises(DeliveryError) as caught:
        deliver.send(built_message(settings, day_folder), settings.email, sleep=sleeps)
    assert not caught.value.permanent
    assert "after 1 attempt)" in str(caught.value)
    assert sleeps.waits == []


# --- 6. dry run -------------------------------------------------------------------------

def test_recipients_may_carry_display_names(start_server: StartServer, workdir: Path) -> None:
    server = start_server()
    write_config(workdir, server.port, email={"to": ["Desk <desk@example.org>"], "cc": [],
                                              "bcc": [], "from": "Briefing <brief@example.org>"})
    code, out, err = invoke(*SEND)
    assert code == 0, err
    [got] = server.handler.received
    assert got.mail_from == "brief@example.org" and got.rcpt_tos == ["desk@example.org"]
    message = got.message()
    assert message["To"] == "Desk <desk@example.org>"
    assert out.strip() == "delivered to 1 recipient(s)"


def test_dry_run_writes_the_message_and_sends_nothing(
        start_server: StartServer, workdir: Path) -> None:
    server = start_server()
    write_config(workdir, server.port)
    folder = workdir / "output" / DAY.isoformat()

    code, out, err = invoke(*SEND, "--dry-run")

    assert code == 0, err
    eml = folder / "brief.eml"
    assert out.strip() == f"dry run: wrote {eml}"
    assert server.handler.connections == 0 and server.handler.received == []
    assert History(workdir / "state").delivered(DAY) is None

    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Daily brief: 2025-10-28"
    assert addresses(message, "To") == TO and addresses(message, "Cc") == CC
    assert message["Bcc"] is None
    plain, rich, _ = parts(message)
    brief = json.loads((folder / "brief.json").read_text(encoding="utf-8"))
    assert brief["key_points"][0]["text"] in plain
    assert brief["key_points"][0]["text"] in html.unescape(rich)
    assert_pdf_attached(message, folder / "brief.pdf")

    # a dry run is not a delivery: the real one is not refused as "already sent"
    code, _, err = invoke(*SEND)
    assert code == 0, err
    assert len(server.handler.received) == 1


# --- 7. sent once -----------------------------------------------------------------------

def test_a_day_is_sent_once_unless_forced(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server()
    write_config(workdir, server.port)

    code, _, err = invoke(*SEND)
    assert code == 0, err
    assert len(server.handler.received) == 1

    code, out, err = invoke(*SEND)
    assert code == 1
    line = one_line_error(err)
    assert "2025-10-28 was sent on" in line and "--force" in line
    assert TO[0] in line
    assert len(server.handler.received) == 1
    assert server.handler.connections == 1  # refused before connecting

    code, out, err = invoke(*SEND, "--force")
    assert code == 0, err
    assert "delivered" in out
    assert len(server.handler.received) == 2
    first, second = (r.message() for r in server.handler.received)
    assert first["Message-ID"].strip() != second["Message-ID"].strip()
    assert_pdf_attached(second, day_folder / "brief.pdf")


# --- 8. a failed delivery keeps the brief -----------------------------------------------

def test_a_failed_scheduled_delivery_keeps_the_brief_for_a_later_send(
        start_server: StartServer, workdir: Path) -> None:
    port = free_port()
    settings = write_config(workdir, port, smtp={"retries": 0})
    sleeps = Sleeps()

    outcome = daily_run(settings, NOW, sleep=sleeps)

    pdf = workdir / "output" / DAY.isoformat() / "brief.pdf"
    assert outcome.status == "ok"
    assert outcome.delivery.startswith("not delivered")
    assert pdf in outcome.files and pdf.is_file()
    history = History(settings.schedule.state_dir)
    [run] = history.runs()
    assert run.status == "ok" and run.trigger == "schedule"
    assert run.delivery.startswith("not delivered")
    assert "after 1 attempt)" in run.delivery
    assert str(pdf) in run.files
    assert history.delivered(DAY) is None
    before = pdf.read_bytes()

    server = start_server(port=port)
    code, out, err = invoke(*SEND)

    assert code == 0, err
    assert "delivered" in out
    [got] = server.handler.received
    assert pdf.read_bytes() == before  # sent as it was, not rendered again
    assert_pdf_attached(got.message(), pdf)
    assert history.delivered(DAY) is not None


# --- 9. bad configuration ---------------------------------------------------------------

BAD_CONFIGS = [
    pytest.param({}, {"username": USER, "password_env": "BRIEFING_TEST_UNSET_PASSWORD"},
                 ["BRIEFING_TEST_UNSET_PASSWORD", USER, "not set"], id="password-unset"),
    pytest.param({"to": ["desk@example.org", "not an address"]}, {},
                 ["'email.to'", "not a valid e-mail address", "'not an address'"],
                 id="invalid-to"),
    pytest.param({"to": [], "cc": [], "bcc": []}, {},
                 ["'email.to' must name at least one recipient"], id="no-recipients"),
    pytest.param({}, {"security": "tls"}, ["'email.smtp.security' must be one of"],
                 id="bad-security"),
    pytest.param({"from": "briefing at example.org"}, {},
                 ["'email.from'", "not a valid e-mail address"], id="invalid-from"),
    pytest.param({}, {"ca_file": "no-such-ca.pem"}, ["email.smtp.ca_file not found"],
                 id="missing-ca-file"),
    pytest.param({"enabled": False, "to": [], "cc": [], "bcc": []}, {},
                 ["at least one of 'email.to'"], id="disabled-no-recipients"),
]


@pytest.mark.parametrize(("email", "smtp", "expected"), BAD_CONFIGS)
def test_bad_email_config_is_one_line_exit_2_and_nothing_is_sent(
        email: dict[str, Any], smtp: dict[str, Any], expected: list[str],
        start_server: StartServer, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_TEST_UNSET_PASSWORD", raising=False)
    server = start_server()
    write_config_file(workdir, server.port, email, smtp)

    code, out, err = invoke(*SEND)

    assert code == 2, (out, err)
    line = one_line_error(err)
    assert line.startswith("briefing: error: ")
    for part in expected:
        assert part in line
    assert server.handler.connections == 0 and server.handler.received == []
    assert not (workdir / "output" / DAY.isoformat()).exists()  # not even rendered


def test_an_unset_password_is_a_config_error_from_the_library_too(
        workdir: Path, day_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.config import ConfigError

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    settings = write_config(workdir, free_port(),
                            smtp={"username": USER, "password_env": PASSWORD_ENV})
    with pytest.raises(ConfigError, match=PASSWORD_ENV):
        deliver.send(built_message(settings, day_folder), settings.email, sleep=Sleeps())


def test_config_helper_really_changes_the_settings(workdir: Path) -> None:
    settings = write_config(workdir, 2525, smtp={"username": USER, "retries": 7})
    assert settings.email == EmailSettings(
        enabled=True, sender=SENDER, to=tuple(TO), cc=tuple(CC), bcc=tuple(BCC),
        reply_to=REPLY_TO, host=HOST, port=2525, security="none", username=USER,
        timeout_seconds=5.0, retries=7, backoff_seconds=BACKOFF)


# --- more: timeouts, the subject, and bugs found --------------------------------------

def test_a_server_that_never_answers_times_out_and_is_retried(
        workdir: Path, day_folder: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind((HOST, 0))
        silent.listen(8)  # connections complete, but no greeting ever comes
        settings = write_config(workdir, silent.getsockname()[1],
                                smtp={"timeout_seconds": 0.3, "retries": 1})
        sleeps = Sleeps()
        with pytest.raises(DeliveryError) as caught:
            deliver.send(built_message(settings, day_folder), settings.email, sleep=sleeps)
    assert not caught.value.permanent
    assert "timed out" in str(caught.value) and "after 2 attempts" in str(caught.value)
    assert sleeps.waits == [BACKOFF]


def test_the_subject_template_knows_the_title(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server()
    write_config(workdir, server.port, email={"subject": "{{ title }} — {{ date }}"})
    code, _, err = invoke(*SEND)
    assert code == 0, err
    message = server.handler.received[0].message()
    assert message["Subject"] == "Pakistan–Afghanistan daily brief — 2025-10-28"


def test_a_non_ascii_password_is_a_delivery_outcome_not_a_crash(
        start_server: StartServer, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def any_utf8_password(server: Any, session: Any, envelope: Any, mechanism: str,
                          auth_data: Any) -> AuthResult:
        ok = auth_data.login == USER.encode() and auth_data.password == "pässwörd".encode()
        return AuthResult(success=ok, handled=False)

    server = start_server(authenticator=any_utf8_password, auth_require_tls=False)
    monkeypatch.setenv(PASSWORD_ENV, "pässwörd")
    settings = write_config(workdir, server.port, smtp={
        "username": USER, "password_env": PASSWORD_ENV, "retries": 0})

    outcome = daily_run(settings, NOW, sleep=Sleeps())

    [run] = History(settings.schedule.state_dir).runs()
    # delivered, or at least recorded as not delivered: never a silent empty delivery
    assert run.delivery.startswith(("delivered", "not delivered")), run
    assert outcome.delivery == run.delivery
    assert run.message == ""


def test_a_ca_file_that_is_not_a_certificate_is_a_config_error(
        start_server: StartServer, workdir: Path, day_folder: Path,
        server_tls: ssl.SSLContext) -> None:
    server = start_server(tls_context=server_tls)
    (workdir / "not-a-ca.pem").write_text("this is not a certificate\n", encoding="utf-8")
    write_config_file(workdir, server.port,
                      smtp={"security": "starttls", "ca_file": "not-a-ca.pem"})

    code, _, err = invoke(*SEND)

    assert server.handler.received == []
    assert code == 2, err
    line = one_line_error(err)
    assert "email.smtp.ca_file" in line


def test_a_refused_recipient_is_not_reported_as_delivered(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    class RefuseArchive(Recorder):
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                              rcpt_options: list[str]) -> str:
            if address == BCC[0]:
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    server = start_server(RefuseArchive())
    write_config(workdir, server.port)

    code, out, err = invoke(*SEND)

    assert code == 0, err
    [got] = server.handler.received
    assert got.rcpt_tos == [*TO, *CC]
    assert BCC[0] in err  # the warning names it
    delivered = History(workdir / "state").delivered(DAY)
    assert delivered is not None
    assert delivered.recipients == [*TO, *CC]
    assert out.strip().startswith("delivered to 3 recipient(s); refused: archive@example.org (550")


# --- exactly once -------------------------------------------------------------------------

class QuitFails(Recorder):
    """Accepts the message with 250, then answers QUIT with an error (or drops the line)."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply == "drop":
            server.transport.abort()
        return self.reply


@pytest.mark.parametrize("reply", ["421 4.3.2 Service shutting down", "554 5.3.0 Internal error",
                                   "drop"])
def test_an_error_after_the_server_accepted_the_message_is_not_a_failed_delivery(
        reply: str, start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server(QuitFails(reply))
    write_config(workdir, server.port, smtp={"retries": 4})

    code, out, err = invoke(*SEND)

    assert code == 0, err
    assert out.strip() == "delivered to 4 recipient(s)"
    assert len(server.handler.received) == 1  # not five, by retry
    assert History(workdir / "state").delivered(DAY) is not None
    code, _, err = invoke(*SEND)
    assert code == 1 and "was sent on" in err
    assert len(server.handler.received) == 1  # and no second copy on the next send


class SlowData(Recorder):
    """Takes `seconds` before answering DATA, so two senders surely overlap."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.started = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        self.started += 1
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


def spawn(workdir: Path, *args: str) -> subprocess.Popen[str]:
    from tests.conftest import ROOT

    return subprocess.Popen([sys.executable, "-m", "briefing", *args], cwd=workdir,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_senders_at_once_deliver_the_brief_once(
        start_server: StartServer, workdir: Path, day_folder: Path, database: str | None
        ) -> None:
    server = start_server(SlowData(1.0))
    write_config(workdir, server.port)

    senders = [spawn(workdir, *SEND) for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in senders]

    assert sorted(code for code, _, _ in results) == [0, 1], results
    assert len(server.handler.received) == 1
    [(_, _, refused)] = [r for r in results if r[0] == 1]
    assert "was sent on" in refused and "--force" in refused
    runs = History(workdir / "state", url=database).runs()
    assert sorted(r.status for r in runs) == ["not sent again", "ok"]


def test_a_sender_killed_mid_send_leaves_a_record_against_a_second_copy(
        start_server: StartServer, workdir: Path, day_folder: Path, database: str | None
        ) -> None:
    handler = SlowData(60)
    server = start_server(handler)
    write_config(workdir, server.port)
    sender = spawn(workdir, *SEND)
    try:
        deadline = time.monotonic() + 60
        while handler.started == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert handler.started == 1  # the message is on the wire: did it arrive? none can say
    finally:
        sender.kill()  # SIGKILL: no handler, no clean-up
        sender.communicate()

    history = History(workdir / "state", url=database)
    delivered = history.delivered(DAY)
    assert delivered is not None and not delivered.certain
    [run] = history.runs()
    assert (run.trigger, run.status) == ("send", "interrupted")

    code, _, err = invoke(*SEND)
    assert code == 1 and "may have gone out" in one_line_error(err)
    server.handler.seconds = 0
    code, _, err = invoke(*SEND, "--force")
    assert code == 0, err
    assert len(server.handler.received) == 1
    assert history.delivered(DAY).certain  # type: ignore[union-attr]


def test_a_new_recipient_list_gets_the_brief_once_too(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server()
    write_config(workdir, server.port)
    assert invoke(*SEND)[0] == 0
    write_config(workdir, server.port, email={"bcc": [*BCC, "Late <late@example.org>"]})
    code, out, err = invoke(*SEND)
    assert code == 0, err
    assert "delivered to 5 recipient(s)" in out
    code, _, err = invoke(*SEND)
    assert code == 1 and "late@example.org" in err
    assert len(server.handler.received) == 2
    # the same list in another order, or spelt with capitals, is the same list
    write_config(workdir, server.port, email={"bcc": ["LATE@example.org", *BCC],
                                              "to": list(reversed(TO))})
    assert invoke(*SEND)[0] == 1
    assert len(server.handler.received) == 2


def test_a_forced_send_that_fails_keeps_the_earlier_record(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    server = start_server(Recorder(data_reply=[None, "554 5.7.1 rejected"]))
    write_config(workdir, server.port)
    assert invoke(*SEND)[0] == 0
    code, _, err = invoke(*SEND, "--force")
    assert code == 1 and "554" in err
    code, _, err = invoke(*SEND)
    assert code == 1 and "was sent on" in err  # the first delivery still counts
    assert len(server.handler.received) == 1


def test_history_written_by_an_earlier_version_is_migrated(
        start_server: StartServer, workdir: Path, day_folder: Path) -> None:
    import sqlite3

    state = workdir / "state"
    state.mkdir()
    with sqlite3.connect(state / "history.sqlite") as db:
        db.executescript("""
            CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,
                ended TEXT, day TEXT NOT NULL, trigger TEXT NOT NULL, status TEXT NOT NULL,
                articles INTEGER NOT NULL DEFAULT 0, files TEXT NOT NULL DEFAULT '[]',
                delivery TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '');
            CREATE TABLE deliveries (day TEXT PRIMARY KEY, sent_at TEXT NOT NULL,
                recipients TEXT NOT NULL, message_id TEXT NOT NULL);
            INSERT INTO runs (started, day, trigger, status)
                VALUES ('2025-10-28T07:00:00+05:00', '2025-10-28', 'schedule', 'running');
            INSERT INTO deliveries VALUES ('2025-10-28', '2025-10-28T07:01:00+05:00',
                '["desk@example.org"]', '<old@example.org>');
        """)
    server = start_server()
    write_config(workdir, server.port)

    code, _, err = invoke(*SEND)

    assert code == 1 and "was sent on 2025-10-28T07:01:00+05:00" in err
    assert server.handler.connections == 0
    old_run = History(state).runs()[-1]
    assert old_run.status == "interrupted"
