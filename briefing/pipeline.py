"""The one place that chains the stages: a folder of files becomes a Brief.

ingest → clean → text → themes → compose. Each function here returns plain
records, so the CLI, the scheduler and the web app share one path.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from briefing import ingest, syndication, text
from briefing.clean import clean
from briefing.compose import compose
from briefing.config import Settings, SyndicationSettings
from briefing.errors import NoUsableArticles
from briefing.files import shown
from briefing.models import (
    Article,
    Brief,
    Copy,
    Origin,
    RawDocument,
    Sentence,
    Skipped,
)
from briefing.summarize import cut_to_words, summarize
from briefing.syndication import Sketch, signature
from briefing.text import split_article, tokenizer_from
from briefing.themes import Example, Theming, examples, theme_day
from briefing.workers import for_folders, how_many, start_context

if TYPE_CHECKING:  # NLTK itself loads through briefing.text, which keeps SciPy out of it
    from nltk.tokenize.punkt import PunktParameters

    from briefing.archive import StoredArticle

log = logging.getLogger(__name__)




@contextmanager
def _bulk() -> Iterator[None]:
    """Python's cycle collector paused while a stage builds its records.

    A large day builds millions of small records and no reference cycles; the
    collector, which runs as objects are made and walks every long-lived one,
    spent a sixth of a 10,000-article day finding nothing. Memory is freed as
    before (by reference counting); the collector resumes afterwards.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@dataclass(frozen=True)
class Reading:
    """The day's input after cleaning and splitting: what every later stage reads."""

    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    skipped: tuple[Skipped, ...]
    # Sentences of syndicated copies: they add to how widely a story ran, but are
    # never chosen or cited (their lead article is).
    support: tuple[Sentence, ...] = ()


@_bulk()
def read(folder: Path, settings: Settings, names: Collection[str] | None = None,
         punkt: PunktParameters | None = None) -> Reading:
    """Ingest, clean and split a folder (only the files in `names`, when given).

    Files with no usable text become skips. `punkt` gives the sentence
    splitter's parameters; by default they are learnt from this folder's text.
    Cleaning and splitting are per article, so a large day runs them on every
    core, each article once; chunks keep their order, so the result is the same
    with any number of workers.
    """
    paths = _paths(folder, names)
    return _read_paths(paths, settings, punkt, how_many(settings, len(paths)))


def read_folders(folders: Sequence[Path], settings: Settings) -> list[Reading]:
    """Each folder read as `read` reads it; many small folders share out the cores."""
    return map_folders(folders, settings, _as_read_from)


def summaries(folders: Sequence[Path], settings: Settings, words: int
              ) -> list[list[str] | NoUsableArticles]:
    """Each folder's theme-agnostic summary (best sentence first, cut at `words` words),
    or why it has none; read and ranked on every core when there are many."""
    return map_folders(folders, settings, partial(_summary, settings=settings, words=words))


@_bulk()
def map_folders(folders: Sequence[Path], settings: Settings,
                then: Callable[[Path, Reading], R]) -> list[R]:
    """`then(folder, reading)` for each folder, one folder per task on every core."""
    files = sum(len(_paths(f)) for f in folders)
    workers = for_folders(settings, files, len(folders))
    each = partial(_read_each, settings=settings, then=then)
    return [r for chunk in _map(each, [folders[i:i + 1] for i in range(len(folders))], workers)
            for r in chunk]


@_bulk()
def _read_each(folders: Sequence[Path], settings: Settings,
               then: Callable[[Path, Reading], R]) -> list[R]:
    return [then(f, _read_paths(_paths(f), settings, None, 1)) for f in folders]


def _as_read_from(_: Path, reading: Reading) -> Reading:
    return reading


def _summary(folder: Path, reading: Reading, settings: Settings, words: int
             ) -> list[str] | NoUsableArticles:
    try:
        require_articles(reading, folder)
    except NoUsableArticles as exc:
        return exc
    cfg = settings.summary
    chosen = summarize(reading.sentences, words, cfg.position_weight, cfg.redundancy,
                       cfg.min_sentence_words, cfg.max_sentence_words, reading.support,
                       weights=cfg.concept_weights, method=cfg.selection)
    return cut_to_words([s.text for s in chosen], words)


def _paths(folder: Path, names: Collection[str] | None = None) -> list[Path]:
    paths = ingest.article_files(folder)
    return paths if names is None else [p for p in paths if p.name in names]


def _read_paths(paths: Sequence[Path], settings: Settings, punkt: PunktParameters | None,
                workers: int) -> Reading:
    reader = partial(_read_file, max_bytes=int(settings.max_file_mb * 1_000_000))
    found, skipped = _clean_and_split(paths, reader, settings, punkt, workers)
    return _reading(found, skipped, settings)


@_bulk()
def read_stored(stored: Sequence[StoredArticle], settings: Settings,
                punkt: PunktParameters | None = None) -> Reading:
    """Articles from the archive, cleaned and split exactly as files are."""
    documents = [RawDocument(id=a.article_id, path=a.url, text=a.text, encoding="utf-8",
                             modified=a.fetched, meta_title=a.title,
                             meta_date=a.published.isoformat() if a.published else None,
                             meta_outlet=a.outlet, published_at=a.published_at)
                 for a in stored]
    found, skipped = _clean_and_split(documents, _as_read, settings, punkt,
                                      how_many(settings, len(documents)))
    return _reading(found, skipped, settings)


Item = TypeVar("Item")
Reader = Callable[[Item], "list[RawDocument] | RawDocument | Skipped"]
Found = list[tuple[Article, list[Sentence], Sketch | None]]
Processed = list["Skipped | tuple[Article, list[Sentence], Sketch | None]"]


def _read_file(path: Path, max_bytes: int) -> list[RawDocument] | RawDocument | Skipped:
    result = ingest.read_file(path, max_bytes)
    if isinstance(result, Skipped):
        log.warning("skipped %s: %s", result.file, result.reason)
    return result


def _as_read(document: RawDocument) -> RawDocument:
    return document


def _clean_and_split(items: Sequence[Item], reader: Reader[Item], settings: Settings,
                     punkt: PunktParameters | None, workers: int
                     ) -> tuple[Found, list[Skipped]]:
    """Read, clean and split every item; Punkt learns from the first articles' text.

    Punkt trains on at most text.TRAINING_CHARS of the articles' bodies, in
    order, so only the first articles are cleaned before it can: they are
    cleaned here and kept, and every other article is read, cleaned and split in
    one pass by the workers. Skips come back in input order.
    """
    # The workers start while the first articles are cleaned and Punkt learns from them.
    with _pool(workers) as pool:
        return _clean_and_split_on(pool, items, reader, settings, punkt, workers)


def _clean_and_split_on(pool: ProcessPoolExecutor | None, items: Sequence[Item],
                        reader: Reader[Item], settings: Settings,
                        punkt: PunktParameters | None, workers: int
                        ) -> tuple[Found, list[Skipped]]:
    head: list[Article | Skipped] = []
    taken = 0
    if punkt is None:
        params = text.pretrained_for(settings.punkt)
        if params is None:
            chars = 0
            while taken < len(items) and chars < text.TRAINING_CHARS:
                taken += 1
                for result in _cleaned(reader(items[taken - 1])):
                    head.append(result)
                    if isinstance(result, Article):
                        chars += len(result.body)
            params = text.trained_parameters(
                [r.body for r in head if isinstance(r, Article) and r.body])
        punkt = text.with_abbreviations(params, settings.abbreviations)
    work = partial(_process, reader=reader, params=punkt, syndication=settings.syndication)
    found: Found = []
    skipped: list[Skipped] = []
    for chunk in [_split_cleaned(head, punkt, settings.syndication),
                  *_map_on(pool, work, _chunks(items[taken:], workers))]:
        for outcome in chunk:
            if isinstance(outcome, Skipped):
                skipped.append(outcome)
            else:
                found.append(outcome)
    return found, skipped


def _cleaned(read: list[RawDocument] | RawDocument | Skipped) -> list[Article | Skipped]:
    if isinstance(read, Skipped):
        return [read]
    return [clean(d) for d in (read if isinstance(read, list) else [read])]


@_bulk()
def _process(items: Sequence[Item], reader: Reader[Item], params: PunktParameters,
             syndication: SyndicationSettings) -> Processed:
    """Read, clean and split a chunk of items (in a worker, for a large day)."""
    return _split_cleaned([r for item in items for r in _cleaned(reader(item))], params,
                          syndication)


def _split_cleaned(cleaned: Sequence[Article | Skipped], params: PunktParameters,
                   syndication: SyndicationSettings) -> Processed:
    """Sentences of each article and, for finding copies, its MinHash signature."""
    tokenizer = tokenizer_from(params)
    out: Processed = []
    for a in cleaned:
        if isinstance(a, Skipped):
            out.append(a)
            continue
        sig = (signature(a.body, syndication.shingle_words, syndication.num_perm)
               if syndication.enabled and a.body else None)
        out.append((a, split_article(a, tokenizer) if a.body else [], sig))
    return out


def _reading(found: Found, skipped: list[Skipped], settings: Settings) -> Reading:
    kept: list[Split] = []
    for article, split, sig in found:
        if not split:
            reason = "no article sentences after removing page boilerplate"
            log.warning("skipped %s: %s", shown(article.id), reason)
            skipped.append(Skipped(article.id, reason))
            continue
        kept.append((article, split, sig))
    support: list[Sentence] = []
    if settings.syndication.enabled and len(kept) > 1:
        kept, copies = _merge_copies(kept, settings)
        support = [s for _, split, _ in copies for s in split]
    articles = [a for a, _, _ in kept]
    sentences = [s for _, split, _ in kept for s in split]
    log.info("read %d articles, %d sentences; skipped %d files",
             len(articles), len(sentences), len(skipped))
    return Reading(tuple(articles), tuple(sentences), tuple(skipped), tuple(support))


Signature = Sketch | None  # for finding syndicated copies


Split = tuple[Article, list[Sentence], Signature]


def _merge_copies(kept: list[Split], settings: Settings) -> tuple[list[Split], list[Split]]:
    """One article per syndicated story: the fullest text stands, the rest become its copies.

    Returns the articles that stand, and the copies (whose sentences still count
    towards how widely a story ran).
    """
    groups = syndication.group([sig for _, _, sig in kept], settings.syndication.threshold,
                               settings.syndication.num_perm)
    dropped: set[int] = set()
    for members in groups:
        lead = max(members, key=lambda i: (len(kept[i][0].body), -i))
        copies = tuple(Copy(kept[i][0].id, kept[i][0].outlet, kept[i][0].title)
                       for i in members if i != lead)
        article, split, sig = kept[lead]
        kept[lead] = (replace(article, copies=article.copies + copies), split, sig)
        dropped.update(i for i in members if i != lead)
        log.info("%s has %d syndicated copies: %s", article.id, len(copies),
                 ", ".join(c.id for c in copies))
    return ([k for i, k in enumerate(kept) if i not in dropped],
            [k for i, k in enumerate(kept) if i in dropped])


# Items a worker reads, cleans and splits at a time (about a second's work): small enough
# that no core waits long for the last chunk, large enough that sending them costs little.
CHUNK = 250
T = TypeVar("T")
R = TypeVar("R")


def _chunks(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    if workers <= 1:
        return [items]
    # Chunks of at most CHUNK items: the last ones end close together on every core.
    size = max(1, min(CHUNK, -(-len(items) // (workers * 4))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _map(func: Callable[[Sequence[T]], R], chunks: list[Sequence[T]], workers: int) -> list[R]:
    with _pool(workers if len(chunks) > 1 else 1) as pool:
        return _map_on(pool, func, chunks)


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes, started at once (None for one worker: the work stays here)."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=start_context()) as pool:
        # Each worker starts (and imports the pipeline) now, while this process goes on.
        for _ in range(workers):
            pool.submit(_ready)
        yield pool


def _ready() -> None:
    """A task that only starts a worker."""


def _map_on(pool: ProcessPoolExecutor | None, func: Callable[[Sequence[T]], R],
            chunks: list[Sequence[T]]) -> list[R]:
    if pool is None or len(chunks) <= 1:
        return [func(chunk) for chunk in chunks]
    # The main process works too: it takes the first chunk while the workers start,
    # then every chunk that no worker has begun yet. Each chunk's result is the same
    # wherever it is computed.
    later = [pool.submit(func, chunk) for chunk in chunks[1:]]
    results = [func(chunks[0])]
    for chunk, future in zip(chunks[1:], later, strict=True):
        results.append(func(chunk) if future.cancel() else future.result())
    return results


def require_articles(reading: Reading, folder: Path) -> None:
    if reading.articles:
        return
    if not reading.skipped:
        raise NoUsableArticles(f"no article files in {folder} (looked for "
                               f"{' '.join(sorted(ingest.READERS))})")
    reasons = "; ".join(f"{shown(s.file)}: {s.reason}" for s in reading.skipped[:5])
    more = f" (and {len(reading.skipped) - 5} more)" if len(reading.skipped) > 5 else ""
    raise NoUsableArticles(f"no usable article in {folder}: {reasons}{more}")


def theme(reading: Reading, settings: Settings, background: Sequence[Example] = ()
          ) -> Theming:
    """Each sentence's theme, and whether each article is about the story; `background`
    is what earlier days teach (`learned_from`)."""
    return theme_day(reading.articles, reading.sentences, settings.themes, settings.story,
                     settings.summary.theme_threshold, background)


def learned_from(reading: Reading, settings: Settings) -> tuple[Example, ...]:
    """What a reading of earlier days teaches the themes (see themes.examples)."""
    return examples(reading.articles, reading.sentences, settings.themes, settings.story)


def only(reading: Reading, keep: Callable[[Article], bool]) -> Reading:
    """The part of a reading whose articles pass `keep` (with their copies' sentences)."""
    kept = tuple(a for a in reading.articles if keep(a))
    ids = {a.id for a in kept} | {c.id for a in kept for c in a.copies}
    return Reading(kept, tuple(s for s in reading.sentences if s.article in ids),
                   reading.skipped, tuple(s for s in reading.support if s.article in ids))


def make_brief(folder: Path, settings: Settings, day: date, now: datetime) -> Brief:
    """Every article of `folder` composed into the day's brief (NoUsableArticles if none)."""
    reading = read(folder, settings)
    require_articles(reading, folder)
    return brief_of(reading, settings, day, now)


@_bulk()
def brief_of(reading: Reading, settings: Settings, day: date, now: datetime, *,
             origin: Origin | None = None, window: str = "", left_out: int = 0,
             earlier: Sequence[Brief] = (), background: Sequence[Example] = ()) -> Brief:
    """Theme and compose a reading (from a folder or the archive) into the day's brief.

    `earlier` briefs tell what is not new today, so key points can prefer what is;
    `background` is what the archive's earlier days teach the themes.
    """
    brief = compose(theme(reading, settings, background), reading.articles, reading.skipped,
                    settings, day, now, support=reading.support, earlier=earlier)
    brief = replace(brief, origin=origin, window=window, outside_window=left_out)
    log.info("composed %d key points and %d items in %d sections",
             len(brief.key_points), sum(len(s.items) for s in brief.sections),
             len(brief.sections))
    return brief
