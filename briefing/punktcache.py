"""Trained Punkt parameters, cached by the text they were learnt from.

Training is the costliest step of reading a small folder, and the same text
gives the same parameters: `briefing summarize` run again over the same sets,
a brief made again from the same articles (Regenerate, `send` after `run`)
need not train again. The key is a hash of the training text, NLTK's version
and briefing's splitting rules (RULES, raised when they change). Files live in
`$BRIEFING_CACHE_DIR`, else `$XDG_CACHE_HOME/briefing`, else
`~/.cache/briefing`; `BRIEFING_CACHE_DIR=""` turns the cache off. A cache that
cannot be read or written is only skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NLTK loads through briefing.text, which keeps SciPy out of it
    from nltk.tokenize.punkt import PunktParameters

log = logging.getLogger(__name__)

RULES = 1  # raise when NewsLanguageVars, NewsToken or the training budget change


def folder() -> Path | None:
    """Where the parameters are kept; None when the cache is off."""
    chosen = os.environ.get("BRIEFING_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) / "punkt" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefing" / "punkt"


def key(texts: Sequence[str]) -> str:
    from nltk import __version__ as nltk_version

    digest = hashlib.sha256(f"briefing punkt {RULES} nltk {nltk_version}\n".encode())
    for text in texts:
        digest.update(len(text).to_bytes(8, "little"))
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def cached(texts: Sequence[str], train: Callable[[Sequence[str]], PunktParameters]
           ) -> PunktParameters:
    """The parameters `train(texts)` gives, from the cache when it has them."""
    where = folder()
    if where is None:
        return train(texts)
    path = where / f"{key(texts)}.json"
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.debug("ignoring the cached Punkt parameters %s: %s", path, exc)
    params = train(texts)
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=where, suffix=".tmp",
                                         delete=False) as out:
            json.dump(to_json(params), out)
        os.replace(out.name, path)
    except OSError as exc:
        log.debug("cannot cache the Punkt parameters in %s: %s", where, exc)
    return params


def to_json(params: PunktParameters) -> dict[str, object]:
    return {"abbrev_types": sorted(params.abbrev_types),
            "collocations": sorted(params.collocations),
            "sent_starters": sorted(params.sent_starters),
            "ortho_context": dict(sorted(params.ortho_context.items()))}


def from_json(data: dict[str, list[Any]]) -> PunktParameters:
    from nltk.tokenize.punkt import PunktParameters

    params = PunktParameters()
    params.abbrev_types = {str(a) for a in data["abbrev_types"]}
    params.collocations = {(str(pair[0]), str(pair[1])) for pair in data["collocations"]}
    params.sent_starters = {str(s) for s in data["sent_starters"]}
    params.ortho_context.update({str(k): int(v) for k, v in dict(data["ortho_context"]).items()})
    return params
