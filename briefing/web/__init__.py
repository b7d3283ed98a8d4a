"""`briefing serve`: the briefs on demand, in a browser.

Pages are rendered from the brief store through the same templates as the
files, so a page and its PDF say the same thing. `app.py` builds the one app
state and wires the routes; `views.py` holds one small function per page;
`jobs.py` regenerates a day in a separate process; `bounded.py` keeps reports
to a few workers and a short queue; `security.py` checks hosts, tokens and
forms and adds the headers; `server.py` sets up uvicorn for slow clients.
"""

from briefing.web.app import create_app
from briefing.web.security import is_loopback

__all__ = ["create_app", "is_loopback"]
