"""E-mail a day's brief: the PDF attached, key points in the message body.

The message is built from the day's stored brief and its PDF, so a brief can
be sent, or sent again, long after it was rendered. The body carries the whole
brief (key points and every section, each item with its outlets named) as
HTML with a plain-text alternative. Sending retries
what may pass (refused connections, timeouts, 4xx replies) with a doubling
wait, a bounded number of times, and fails at once on a 5xx reply, quoting
the server. Once the server has accepted the message, an error after it (a
failed QUIT, a dropped connection) is logged, never a failed delivery: trying
again would send a second copy. The password is only ever read from the
environment.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from jinja2 import Environment, StrictUndefined

from briefing.config import EmailSettings, Settings
from briefing.errors import ConfigError, DeliveryError
from briefing.models import Brief
from briefing.render import context, environment

log = logging.getLogger(__name__)


def attachment_name(day: date) -> str:
    return f"brief-{day.isoformat()}.pdf"


def password(email: EmailSettings) -> str | None:
    """The SMTP password from the environment; a login without one is a config error."""
    if not email.username:
        return None
    value = os.environ.get(email.password_env)
    if not value:
        raise ConfigError(f"SMTP user '{email.username}' needs a password in the environment "
                          f"variable {email.password_env} (email.smtp.password_env), "
                          "and it is not set")
    return value


def check_ready(settings: Settings) -> None:
    """Everything sending needs, checked before anything is scheduled or sent."""
    email = settings.email
    if not email.sender or not email.recipients:
        raise ConfigError("email needs 'email.from' and at least one of 'email.to', "
                          "'email.cc' or 'email.bcc'")
    if email.ca_file is not None:
        if not email.ca_file.is_file():
            raise ConfigError(f"email.smtp.ca_file not found: {email.ca_file}")
        try:
            _tls_context(email)
        except ssl.SSLError as exc:
            raise ConfigError(f"email.smtp.ca_file is not a PEM certificate bundle: "
                              f"{email.ca_file} ({exc.reason or exc})") from None
    password(email)
    subject_template(email)


def subject_template(email: EmailSettings) -> Any:
    try:
        return Environment(autoescape=False, undefined=StrictUndefined).from_string(email.subject)
    except Exception as exc:  # jinja2.TemplateSyntaxError and friends
        raise ConfigError(f"email.subject is not a valid template: {exc}") from None


def build_message(settings: Settings, brief: Brief, pdf: bytes, now: datetime) -> EmailMessage:
    """The complete message: the whole brief as text and HTML alternatives, the PDF attached."""
    email = settings.email
    env = environment(settings)
    day = brief.date
    values = {**context(brief, settings), "title": brief.title, "day": day,
              "date": day.isoformat(), "attachment": attachment_name(day)}
    try:
        subject = subject_template(email).render(title=brief.title, day=day,
                                                 date=day.isoformat()).strip()
    except Exception as exc:  # an unknown variable in the user's subject template
        raise ConfigError(f"email.subject cannot be rendered: {exc}") from None
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = email.sender
    if email.to:
        message["To"] = ", ".join(email.to)
    if email.cc:
        message["Cc"] = ", ".join(email.cc)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring=f"brief-{day.isoformat()}",
                                       domain=address_of(email.sender).rpartition("@")[2]
                                       or None)
    message.set_content(env.get_template("email.txt.j2").render(**values))
    message.add_alternative(env.get_template("email.html.j2").render(**values), subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=attachment_name(day))
    return message


def address_of(recipient: str) -> str:
    """The bare address of 'Desk <desk@example.org>' (or of a bare address)."""
    return parseaddr(recipient)[1] or recipient


def audience(email: EmailSettings) -> str:
    """The recipient list a delivery is recorded for: its bare addresses, sorted, in JSON."""
    return json.dumps(sorted({address_of(r).lower() for r in email.recipients}))


# --- sending ----------------------------------------------------------------------

def _tls_context(email: EmailSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(email.ca_file) if email.ca_file else None)
    if not email.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Sent:
    """What the server accepted, and whom it refused (with its reply)."""

    accepted: tuple[str, ...]
    refused: dict[str, str]

    def summary(self) -> str:
        text = f"delivered to {len(self.accepted)} recipient(s)"
        if self.refused:
            text += "; refused: " + "; ".join(f"{r} ({why})" for r, why in self.refused.items())
        return text


def _send_once(message: EmailMessage, email: EmailSettings, secret: str | None) -> Sent:
    client: smtplib.SMTP
    if email.security == "ssl":
        client = smtplib.SMTP_SSL(email.host, email.port, timeout=email.timeout_seconds,
                                  context=_tls_context(email))
    else:
        client = smtplib.SMTP(email.host, email.port, timeout=email.timeout_seconds)
    try:
        client.ehlo()
        if email.security == "starttls":
            client.starttls(context=_tls_context(email))
            client.ehlo()
        if email.username:
            try:
                client.login(email.username, secret or "")
            except UnicodeEncodeError:
                raise DeliveryError("the SMTP user name or password has non-ASCII characters, "
                                    "which SMTP login cannot carry", permanent=True) from None
        refused = client.send_message(message, from_addr=address_of(email.sender),
                                      to_addrs=[address_of(r) for r in email.recipients])
    except BaseException:
        client.close()
        raise
    _goodbye(client)  # the server has the message: what follows cannot undo that
    reasons = {rcpt: f"{code} {text.decode(errors='replace')}"
               for rcpt, (code, text) in refused.items()}
    if reasons:
        log.warning("some recipients were refused: %s", "; ".join(reasons))
    return Sent(tuple(r for r in email.recipients if address_of(r) not in reasons), reasons)


def _goodbye(client: smtplib.SMTP) -> None:
    """QUIT after the message was accepted; an error now is the server's to log, not ours."""
    try:
        code, reply = client.docmd("QUIT")
        if code != 221:
            log.warning("the server accepted the brief, then answered QUIT with %d %s",
                        code, reply.decode(errors="replace"))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("the server accepted the brief, then the connection failed at QUIT "
                    "(%s: %s)", type(exc).__name__, exc)
    finally:
        client.close()


def _classify(exc: BaseException) -> DeliveryError:
    """Is a failure worth retrying? 4xx and network trouble are; 5xx is not."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _ in exc.recipients.values()}
        reply = "; ".join(f"{rcpt}: {code} {text.decode(errors='replace')}"
                          for rcpt, (code, text) in exc.recipients.items())
        return DeliveryError(f"all recipients refused: {reply}",
                             permanent=all(c >= 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return DeliveryError(f"server replied {exc.smtp_code} {text}",
                             permanent=exc.smtp_code >= 500)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(f"the server's certificate was not trusted: {exc.verify_message}",
                             permanent=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"the server does not support it: {exc}", permanent=True)
    if isinstance(exc, (OSError, socket.timeout, smtplib.SMTPException)):
        return DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False)
    # Anything else is not going to change by waiting: report it, do not crash the run.
    return DeliveryError(f"{type(exc).__name__}: {exc}", permanent=True)


def send(message: EmailMessage, email: EmailSettings,
         sleep: Callable[[float], None] = time.sleep) -> Sent:
    """Send, retrying transient failures with a doubling wait; raise DeliveryError at the end."""
    secret = password(email)
    attempts = email.retries + 1
    for attempt in range(1, attempts + 1):
        try:
            return _send_once(message, email, secret)
        except Exception as exc:
            failure = _classify(exc)
            if failure.permanent or attempt == attempts:
                plural = "attempt" if attempts == 1 else "attempts"
                suffix = "" if failure.permanent else f" (after {attempts} {plural})"
                raise DeliveryError(f"{failure}{suffix}", failure.permanent) from None
            wait = email.backoff_seconds * 2 ** (attempt - 1)
            log.warning("delivery attempt %d of %d failed (%s); retrying in %.3g s",
                        attempt, attempts, failure, wait)
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")
