"""What every request passes and every response carries.

- Only the configured host names are answered (`Host`), so a DNS-rebinding page
  cannot read a loopback server: it names its own host.
- With a token (beyond loopback), nothing is answered without it.
- A form post must come from this server's own pages (`Origin`), besides its
  CSRF token, and its body must be small.
- Security headers go on every response: pages, files, errors, 500s included.

It is plain ASGI middleware, inside Starlette's own error handling, so an
unexpected error becomes our error page with our headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Collection
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                               "data:; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # nothing to other sites; our own forms keep their Origin
}
TOKEN_COOKIE = "briefing_token"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_FORM_BYTES = 64 * 1024  # a Regenerate form is one short field
_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in SECURITY_HEADERS.items()]

ErrorPage = Callable[[Request, Exception], Awaitable[Response]]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(*names: str) -> frozenset[str]:
    """The host names a server answers: loopback's and the given ones (wildcards are no names)."""
    wildcard = {"0.0.0.0", "::", ""}
    return frozenset({*LOOPBACK_NAMES, *(host_name(n) for n in names)} - wildcard)


def host_name(value: str) -> str:
    """The name in a Host header or a URL's authority: no port, no brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":")[0]
    return value.rstrip(".")


def cookie_value(token: str) -> str:
    """What the cookie carries instead of the token itself: ASCII, and no use elsewhere."""
    return hmac.new(token.encode("utf-8"), b"briefing web cookie", hashlib.sha256).hexdigest()


def _same(given: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(given, expected)


def has_token(request: Request, token: str) -> bool:
    """The token as a Bearer credential, the cookie it set, or `?token=` (any characters)."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    # Header bytes arrive as latin-1 text: back to the bytes the client sent.
    sent = credential.strip().encode("latin-1")
    if scheme.lower() == "bearer" and sent and _same(sent, token.encode("utf-8")):
        return True
    cookie = request.cookies.get(TOKEN_COOKIE, "")
    if cookie and _same(cookie.encode("latin-1", "replace"), cookie_value(token).encode()):
        return True
    return token_in_query(request, token)


def token_in_query(request: Request, token: str) -> bool:
    query = request.query_params.get("token", "")
    return bool(query) and _same(query.encode("utf-8"), token.encode("utf-8"))


def same_origin(request: Request) -> bool:
    """Does a form post come from this server's own pages?

    Browsers say so in `Sec-Fetch-Site`, which no page can forge; older ones in
    `Origin` (or `Referer`), which must name this very host. A post that names
    none of them comes from no browser page, and passes on its CSRF token alone.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return True
    try:
        authority = urlsplit(origin).netloc.lower()
    except ValueError:
        return False
    return bool(authority) and authority == request.headers.get("host", "").lower()


class Guard:
    """Host check, token, form limits and security headers around the whole app."""

    def __init__(self, app: ASGIApp, hosts: Collection[str], token: str | None,
                 error_page: ErrorPage) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.token = token
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self._refusal(request)
        extra = list(_RAW_HEADERS)
        if refusal is None and self.token is not None and token_in_query(request, self.token):
            extra += _cookie_headers(self.token)  # `?token=` once: the cookie carries it on
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in extra if h[0] not in names
                                        or h[0] == b"set-cookie")]
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            response = await self.error_page(Request(scope, receive), exc)
            await response(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        headers = request.headers
        if host_name(headers.get("host", "")) not in self.hosts:
            return _page(421, "This briefing server does not answer for that host name. "
                              "Use one it is configured for (web.host, web.allowed_hosts).")
        if self.token is not None and not has_token(request, self.token):
            return _page(401, "This briefing server needs its access token.")
        if request.method == "POST":
            return _form_refusal(headers)
        return None


def _form_refusal(headers: Headers) -> Response | None:
    length = headers.get("content-length")
    if length is None:
        return _page(411, "A form must say how long it is (Content-Length).")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return _page(413, "That form is too large.")
    return None


def _page(status: int, text: str) -> Response:
    return HTMLResponse(f"<!DOCTYPE html><html lang=en><title>{status}</title><p>{text}</p>"
                        "</html>", status_code=status)


def _cookie_headers(token: str) -> list[tuple[bytes, bytes]]:
    response = Response()
    response.set_cookie(TOKEN_COOKIE, cookie_value(token), httponly=True, samesite="strict")
    return [(k, v) for k, v in response.raw_headers if k == b"set-cookie"]
