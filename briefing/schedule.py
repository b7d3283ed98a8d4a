"""APScheduler 3.x wiring for the daily briefs.

Each brief has one job in a job store (an SQLite file in the state folder, or a
table of the PostgreSQL database the configuration names), under a fixed id
(`daily-brief`, and `daily-brief:KEY` for a brief of [[briefs]]), and refers to
`briefing.schedule:scheduled_job` with the configuration path (and the brief's
key), so a restart neither loses nor duplicates it. A restart
keeps the stored next run time when the schedule is unchanged: a run missed
while the process was down is then caught up once, within the grace time.

Several schedulers may share a PostgreSQL database (a standby on a second host):
each run names the scheduled time it is for (`slot_of`) and the history lets one
process claim it, so a day's brief is made and mailed once between them.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from briefing import deliver, locks
from briefing.config import Settings, load_settings
from briefing.daily import daily_run
from briefing.errors import StateError
from briefing.history import history_of
from briefing.state import database_url, engine_of

log = logging.getLogger(__name__)

JOB_ID = "daily-brief"  # the job of a file's only brief (and of the brief keyed "default")
JOB_FUNC = "briefing.schedule:scheduled_job"


def job_id(settings: Settings) -> str:
    return f"{JOB_ID}:{settings.brief}" if settings.brief else JOB_ID


def timezone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.schedule.timezone)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.schedule.cron, timezone=timezone(settings))


def scheduled_job(config_path: str, brief: str = "") -> None:
    """What the scheduler runs: reload the configuration, then the brief's run of the day."""
    settings = load_settings(Path(config_path) if config_path else None)
    found = [b for b in settings.every_brief() if b.brief == brief]
    if not found:
        log.error("the brief %r is no longer in the configuration; restart the scheduler",
                  brief)
        return
    now = datetime.now(timezone(found[0]))
    daily_run(found[0], now, slot=slot_of(found[0], now))


def slot_of(settings: Settings, now: datetime) -> datetime:
    """The scheduled time a job running at `now` is for: the schedule's latest time up to
    `now` (the job runs at it, or late within the grace time). Schedulers on several
    hosts name the same slot, and the history lets one of them make it."""
    trigger = cron_trigger(settings)
    fire = trigger.get_next_fire_time(
        None, now - timedelta(hours=settings.schedule.misfire_grace_hours + 1))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest or now.replace(second=0, microsecond=0)  # only a test's trigger gets here


def check_startup(settings: Settings, briefs: tuple[Settings, ...] = ()) -> None:
    """Everything that can be wrong before the first run, found now (ConfigError/StateError)."""
    history_of(settings).check()
    probe = settings.schedule.state_dir / ".write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StateError(f"state folder {settings.schedule.state_dir} is not writable: "
                         f"{exc.strerror or exc}") from None
    for brief in briefs or settings.every_brief():
        if brief.email.enabled:
            deliver.check_ready(brief)


def own(state_dir: Path) -> locks.Held:
    """Become the one scheduler of a state folder, for as long as this process lives.

    Two schedulers on one state folder would both make, and mail, every day's brief.
    """
    path = state_dir / "scheduler.lock"
    held = locks.try_hold(path, note=f"pid {os.getpid()}")
    if held is None:
        raise StateError(f"another briefing schedule ({locks.note_of(path) or 'pid unknown'}) "
                         f"already runs on the state folder {state_dir}; one scheduler per "
                         "state folder")
    return held


def create(settings: Settings, config_path: Path | None, trigger: BaseTrigger | None = None,
           scheduler_class: type[BaseScheduler] = BlockingScheduler,
           keys: Sequence[str] | None = None) -> BaseScheduler:
    """A scheduler holding each brief's daily job (those `keys` name), not yet started.

    The briefs' jobs share one thread: briefs due at once run one after the other,
    and each run catches its own failure, so one brief never stops another.
    """
    state = settings.schedule.state_dir
    state.mkdir(parents=True, exist_ok=True)
    tz = timezone(settings)
    url = database_url(settings)
    store = (SQLAlchemyJobStore(engine=engine_of(url)) if url else
             SQLAlchemyJobStore(url=f"sqlite:///{(state / 'jobs.sqlite').resolve()}"))
    scheduler = scheduler_class(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": settings.schedule.coalesce,
            "max_instances": 1,
            "misfire_grace_time": int(settings.schedule.misfire_grace_hours * 3600),
        },
        timezone=tz,
    )
    store.start(scheduler, "default")  # read the stored jobs before replacing them
    briefs = [b for b in settings.every_brief() if keys is None or b.key in keys]
    wanted = {job_id(b) for b in briefs}
    for old in store.get_all_jobs():
        if old.id not in wanted:  # a brief no longer configured, or not scheduled here
            store.remove_job(old.id)
    for brief in briefs:
        when = trigger or cron_trigger(brief)
        stored = store.lookup_job(job_id(brief))
        keep: dict[str, Any] = {}
        if stored is not None and str(stored.trigger) == str(when) and stored.next_run_time:
            keep["next_run_time"] = stored.next_run_time
        args = [str(config_path or ""), *([brief.brief] if brief.brief else [])]
        scheduler.add_job(JOB_FUNC, trigger=when, args=args, id=job_id(brief),
                          name=f"daily brief {brief.key}", replace_existing=True, **keep)
    return scheduler


def serve(settings: Settings, config_path: Path | None,
          keys: Sequence[str] | None = None) -> None:
    """Run in the foreground until SIGINT or SIGTERM; a run under way is finished first."""
    briefs = tuple(b for b in settings.every_brief() if keys is None or b.key in keys)
    check_startup(settings, briefs)
    owner = own(settings.schedule.state_dir)  # held until the process ends
    scheduler = create(settings, config_path, keys=keys)

    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        name = signal.Signals(signum).name
        if stopping:  # asked twice: do not wait for the run any longer
            log.warning("%s received again: stopping now; the run under way is recorded as "
                        "interrupted at the next start", name)
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        stopping = True
        log.info("%s received: stopping after the current run (send it again to stop now)",
                 name)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for brief in briefs:
        upcoming = cron_trigger(brief).get_next_fire_time(None, datetime.now(timezone(brief)))
        log.info("scheduled %s'%s' (%s); next brief at %s; state in %s",
                 f"brief {brief.key}: " if len(briefs) > 1 else "", brief.schedule.cron,
                 brief.schedule.timezone,
                 f"{upcoming:%Y-%m-%d %H:%M %Z}" if upcoming else "never",
                 settings.schedule.state_dir)
    scheduler.start()
    owner.release()
    log.info("scheduler stopped")
