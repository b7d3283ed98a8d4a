"""APScheduler 3.x wiring for the daily brief.

The job lives in a job store (an SQLite file in the state folder, or a table of
the PostgreSQL database the configuration names), under a fixed id,
and refers to `briefing.schedule:scheduled_job` with the configuration path as
its only argument, so a restart neither loses nor duplicates it. A restart
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

JOB_ID = "daily-brief"
JOB_FUNC = "briefing.schedule:scheduled_job"


def timezone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.schedule.timezone)


def cron_trigger(settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(settings.schedule.cron, timezone=timezone(settings))


def scheduled_job(config_path: str) -> None:
    """What the scheduler runs: reload the configuration, then the day's run."""
    settings = load_settings(Path(config_path) if config_path else None)
    now = datetime.now(timezone(settings))
    daily_run(settings, now, slot=slot_of(settings, now))


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


def check_startup(settings: Settings) -> None:
    """Everything that can be wrong before the first run, found now (ConfigError/StateError)."""
    history_of(settings).check()
    probe = settings.schedule.state_dir / ".write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StateError(f"state folder {settings.schedule.state_dir} is not writable: "
                         f"{exc.strerror or exc}") from None
    if settings.email.enabled:
        deliver.check_ready(settings)


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
           scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler holding the daily job, not yet started."""
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
    trigger = trigger or cron_trigger(settings)
    store.start(scheduler, "default")  # read the stored job before replacing it
    stored = store.lookup_job(JOB_ID)
    keep: dict[str, Any] = {}
    if stored is not None and str(stored.trigger) == str(trigger) and stored.next_run_time:
        keep["next_run_time"] = stored.next_run_time
    scheduler.add_job(JOB_FUNC, trigger=trigger, args=[str(config_path or "")], id=JOB_ID,
                      name="daily brief", replace_existing=True, **keep)
    return scheduler


def serve(settings: Settings, config_path: Path | None) -> None:
    """Run in the foreground until SIGINT or SIGTERM; a run under way is finished first."""
    check_startup(settings)
    owner = own(settings.schedule.state_dir)  # held until the process ends
    scheduler = create(settings, config_path)

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
    trigger = cron_trigger(settings)
    upcoming = trigger.get_next_fire_time(None, datetime.now(timezone(settings)))
    log.info("scheduled '%s' (%s); next brief at %s; state in %s", settings.schedule.cron,
             settings.schedule.timezone, f"{upcoming:%Y-%m-%d %H:%M %Z}" if upcoming else "never",
             settings.schedule.state_dir)
    scheduler.start()
    owner.release()
    log.info("scheduler stopped")
