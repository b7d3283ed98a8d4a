"""Security headers on every response, and the access token beyond loopback."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                               "data:; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
TOKEN_COOKIE = "briefing_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SecurityHeaders(BaseHTTPMiddleware):
    """Security headers on every response; with a token, no response without it."""

    def __init__(self, app: Any, token: str | None = None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
                or request.cookies.get(TOKEN_COOKIE, "") \
                or request.query_params.get("token", "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                response: Response = HTMLResponse(
                    "<!DOCTYPE html><html lang=en><title>401</title><p>This briefing server "
                    "needs its access token.</p></html>", status_code=401)
            else:
                response = await call_next(request)
                if request.query_params.get("token"):
                    response.set_cookie(TOKEN_COOKIE, self.token, httponly=True,
                                        samesite="strict")
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response
