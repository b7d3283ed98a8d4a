"""The scheduled brief: triggers at fixed instants, persistence, catch-up, no overlap,
windows, start-up checks, and the real scheduler running for a few seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from click.testing import CliRunner

from briefing import briefs, daily
from briefing.cli import cli
from briefing.config import Settings, load_settings
from briefing.history import History
from briefing.schedule import JOB_ID, create, cron_trigger, slot_of
from tests.conftest import ROOT, SEEDS, local_config, wait_until

KARACHI = ZoneInfo("Asia/Karachi")
LONDON = ZoneInfo("Europe/London")


def fires(trigger: CronTrigger, start: datetime, count: int) -> list[datetime]:
    """The next `count` fire times after `start`, stepping in UTC (no wall-clock arithmetic)."""
    out = []
    now = start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(None, now)
        assert nxt is not None
        out.append(nxt)
        now = (nxt.astimezone(UTC) + timedelta(seconds=1)).astimezone(trigger.timezone)
    return out


# --- triggers, without waiting for the clock ----------------------------------------

def test_default_schedule_is_seven_in_karachi(settings: Settings) -> None:
    trigger = cron_trigger(settings)
    [first, second] = fires(trigger, datetime(2025, 10, 28, 6, 59, tzinfo=KARACHI), 2)
    assert first == datetime(2025, 10, 28, 7, 0, tzinfo=KARACHI)
    assert first.astimezone(UTC).hour == 2  # PKT is UTC+5 all year
    assert second - first == timedelta(days=1)


def test_seven_oclock_stays_seven_across_both_dst_changes() -> None:
    trigger = CronTrigger.from_crontab("0 7 * * *", timezone=LONDON)
    spring = fires(trigger, datetime(2026, 3, 28, 8, 0, tzinfo=LONDON), 2)
    assert [(t.day, t.hour, t.utcoffset()) for t in spring] == [
        (29, 7, timedelta(hours=1)), (30, 7, timedelta(hours=1))]
    autumn = fires(trigger, datetime(2026, 10, 24, 8, 0, tzinfo=LONDON), 2)
    assert [(t.day, t.hour, t.utcoffset()) for t in autumn] == [
        (25, 7, timedelta(0)), (26, 7, timedelta(0))]


def test_a_time_inside_the_spring_gap_fires_once_that_day() -> None:
    trigger = CronTrigger.from_crontab("30 1 * * *", timezone=LONDON)
    runs = fires(trigger, datetime(2026, 3, 28, 2, 0, tzinfo=LONDON), 2)
    assert [t.astimezone(UTC).date().day for t in runs] == [29, 30]
    assert runs[0].astimezone(UTC).hour == 1  # 01:30 does not exist; it runs at 02:30 BST


def test_a_time_inside_the_repeated_autumn_hour_fires_twice_and_mails_once(
        tmp_path: Path) -> None:
    """APScheduler fires at both 01:30s; the second run re-renders but does not mail again."""
    trigger = CronTrigger.from_crontab("30 1 * * *", timezone=LONDON)
    runs = fires(trigger, datetime(2026, 10, 24, 2, 0, tzinfo=LONDON), 3)
    assert [t.astimezone(UTC).strftime("%d %H:%M") for t in runs] == [
        "25 00:30", "25 01:30", "26 01:30"]
    history = History(tmp_path)
    day = runs[0].date()
    history.record_delivery(day, runs[0], ["desk@example.org"], "<id@example.org>")
    assert history.delivered(runs[1].date()) is not None  # the second run finds it sent


# --- the job store --------------------------------------------------------------------

def test_a_run_is_for_the_schedules_latest_time_up_to_now(settings: Settings) -> None:
    """Schedulers on two hosts, firing a moment apart or late within the grace time, name
    the same scheduled time (and so make the brief once between them)."""
    from dataclasses import replace as with_

    seven = datetime(2025, 10, 28, 7, tzinfo=KARACHI)
    assert slot_of(settings, seven) == seven
    assert slot_of(settings, seven + timedelta(seconds=3)) == seven
    assert slot_of(settings, seven + timedelta(hours=5, minutes=59)) == seven
    hourly = with_(settings, schedule=with_(settings.schedule, cron="0 * * * *"))
    assert slot_of(hourly, seven + timedelta(minutes=90)) == seven + timedelta(hours=1)


def config(folder: Path, extra: str = "", **replace: str) -> Path:
    text = local_config(folder)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "briefing.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def one_article(folder: Path) -> Path:
    src = folder / "in"
    src.mkdir(exist_ok=True)
    (src / "a.txt").write_text((SEEDS / "001_d6679de3fa4b726c.txt").read_text())
    return src


def age(path: Path, days: int) -> None:
    """Make a file look added `days` days ago (undated articles are windowed by this)."""
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def quick(workdir: Path, **more: str) -> Path:
    src = one_article(workdir)
    return config(workdir, **{f'input = "{SEEDS}"': f'input = "{src}"',
                              'formats = ["html", "pdf", "json"]': 'formats = ["html", "json"]',
                              **more})


def test_restart_neither_loses_nor_duplicates_the_job(workdir: Path) -> None:
    path = quick(workdir)
    settings = load_settings(path)
    first = create(settings, path, scheduler_class=BackgroundScheduler)
    first.start(paused=True)
    [job] = first.get_jobs()
    planned = job.next_run_time
    first.shutdown()

    second = create(settings, path, scheduler_class=BackgroundScheduler)
    second.start(paused=True)
    jobs = second.get_jobs()
    assert [j.id for j in jobs] == [JOB_ID]
    assert jobs[0].next_run_time == planned
    assert jobs[0].func_ref == "briefing.schedule:scheduled_job"
    assert jobs[0].args == (str(path),)
    assert jobs[0].max_instances == 1
    assert jobs[0].misfire_grace_time == 6 * 3600
    second.shutdown()


def _miss_a_run(path: Path, missed_by: timedelta) -> Settings:
    """Store the job, then, with no scheduler running, move its next run into the past."""
    settings = load_settings(path)
    scheduler = create(settings, path, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    scheduler.shutdown()
    store = SQLAlchemyJobStore(url=f"sqlite:///{settings.schedule.state_dir / 'jobs.sqlite'}")
    store.start(BackgroundScheduler(), "default")
    job = store.lookup_job(JOB_ID)
    job._modify(next_run_time=datetime.now(KARACHI) - missed_by)
    store.update_job(job)
    store.shutdown()
    return settings


def test_a_run_missed_while_down_is_caught_up_once_on_restart(workdir: Path) -> None:
    path = quick(workdir)
    settings = _miss_a_run(path, timedelta(minutes=5))
    scheduler = create(settings, path, scheduler_class=BackgroundScheduler)
    scheduler.start()
    try:
        history = History(settings.schedule.state_dir)
        assert wait_until(lambda: any(r.status == "ok" for r in history.runs()))
    finally:
        scheduler.shutdown(wait=True)
    [run] = History(settings.schedule.state_dir).runs()
    assert run.trigger == "schedule" and run.articles == 1
    assert any(f.endswith("brief.json") for f in run.files)


def test_a_run_missed_beyond_the_grace_time_is_dropped(workdir: Path) -> None:
    # The daily run is set 12 hours from now, so the run missed 10 hours ago is the only one
    # since (with the default 07:00, a later 07:00 within the grace would run, by design).
    hour = (datetime.now(KARACHI) + timedelta(hours=12)).hour
    path = quick(workdir, **{'cron = "0 7 * * *"': f'cron = "0 {hour} * * *"'})
    settings = _miss_a_run(path, timedelta(hours=10))  # grace is 6 hours
    scheduler = create(settings, path, scheduler_class=BackgroundScheduler)
    scheduler.start()
    try:
        time.sleep(1.5)
        [job] = scheduler.get_jobs()
        assert job.next_run_time > datetime.now(KARACHI)
    finally:
        scheduler.shutdown(wait=True)
    assert History(settings.schedule.state_dir).runs() == []


def test_the_real_scheduler_makes_a_brief_within_seconds(workdir: Path) -> None:
    path = quick(workdir)
    settings = load_settings(path)
    scheduler = create(settings, path, trigger=CronTrigger(second="*/2", timezone=KARACHI),
                       scheduler_class=BackgroundScheduler)
    scheduler.start()
    try:
        day = datetime.now(KARACHI).date().isoformat()
        brief = settings.output_dir / day / "brief.json"
        assert wait_until(brief.is_file)
    finally:
        scheduler.shutdown(wait=True)
    data = json.loads(brief.read_text())
    assert data["coverage"]["articles_read"] == 1
    assert data["coverage"]["window"].startswith("published or added from")


# --- no two writers of one day ----------------------------------------------------------

def test_a_manual_run_waits_for_the_days_lock(workdir: Path, settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(briefs, "LOCK_TIMEOUT", 0.3)
    local = load_settings(workdir / "briefing.toml")
    day = datetime(2025, 10, 28).date()
    with briefs.BriefStore(local.output_dir).lock(day):
        result = CliRunner().invoke(cli, ["run", "--date", "2025-10-28", "--format", "json"])
    assert result.exit_code == 1
    assert "another briefing run is writing" in result.stderr
    assert not (local.output_dir / "2025-10-28" / "brief.json").exists()
    assert CliRunner().invoke(cli, ["run", "--date", "2025-10-28", "--format", "json"]
                              ).exit_code == 0


# --- the window -------------------------------------------------------------------------

def test_the_window_leaves_out_older_articles(workdir: Path) -> None:
    src = workdir / "in"
    src.mkdir()
    for name in ("001_d6679de3fa4b726c.txt", "003_15483e7a24de36bb.txt"):
        (src / name).write_text((SEEDS / name).read_text())
    age(src / "003_15483e7a24de36bb.txt", days=3)
    path = config(workdir, **{f'input = "{SEEDS}"': f'input = "{src}"'})
    outcome = daily.daily_run(load_settings(path), datetime.now(KARACHI))
    assert outcome.status == "ok" and outcome.articles == 1
    data = json.loads(next(f for f in outcome.files if f.name == "brief.json").read_text())
    assert [a["id"] for a in data["articles"]] == ["001_d6679de3fa4b726c.txt"]
    assert data["coverage"]["outside_window"] == 1


def test_an_empty_window_still_gives_a_brief_that_says_so(workdir: Path) -> None:
    src = one_article(workdir)
    age(src / "a.txt", days=3)
    path = config(workdir, **{f'input = "{SEEDS}"': f'input = "{src}"'})
    outcome = daily.daily_run(load_settings(path), datetime.now(KARACHI))
    assert outcome.status == "ok" and outcome.articles == 0
    html = next(f for f in outcome.files if f.name == "brief.html").read_text()
    assert "No new reporting" in html and "1 older article left out" in html


def test_skip_empty_days(workdir: Path) -> None:
    src = one_article(workdir)
    age(src / "a.txt", days=3)
    path = config(workdir, **{f'input = "{SEEDS}"': f'input = "{src}"',
                              "skip_empty = false": "skip_empty = true"})
    settings = load_settings(path)
    outcome = daily.daily_run(settings, datetime.now(KARACHI))
    assert outcome.status == "skipped: no new articles" and outcome.files == ()
    assert History(settings.schedule.state_dir).runs()[0].status == "skipped: no new articles"


def test_window_zero_means_everything(workdir: Path) -> None:
    src = one_article(workdir)
    age(src / "a.txt", days=300)
    path = config(workdir, **{f'input = "{SEEDS}"': f'input = "{src}"',
                              "window_hours = 24": "window_hours = 0"})
    assert daily.daily_run(load_settings(path), datetime.now(KARACHI)).articles == 1


# --- start-up checks and the process ------------------------------------------------------

@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('cron = "0 7 * * *"', 'cron = "0 7 * *"', "is not a valid crontab expression"),
        ('cron = "0 7 * * *"', 'cron = "61 7 * * *"', "is not a valid crontab expression"),
        ('timezone = "Asia/Karachi"', 'timezone = "Mars/Olympus"', "is not a known time zone"),
        ('to = []', 'to = ["not an address"]', "is not a valid e-mail address"),
    ],
)
def test_bad_schedule_config_is_one_line_and_exit_2(workdir: Path, old: str, new: str,
                                                    message: str) -> None:
    config(workdir, **{old: new})
    result = CliRunner().invoke(cli, ["schedule"])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unwritable_state_folder_is_exit_2(workdir: Path) -> None:
    blocker = workdir / "blocker"
    blocker.write_text("a file where the state folder should be")
    config(workdir, **{f'state = "{workdir / "state"}"': f'state = "{blocker / "state"}"'})
    result = CliRunner().invoke(cli, ["schedule"])
    assert result.exit_code == 2
    assert "state folder" in result.stderr and "Traceback" not in result.stderr


def test_missing_password_variable_is_exit_2_before_scheduling(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_SMTP_PASSWORD", raising=False)
    config(workdir, **{"enabled = false            #": "enabled = true            #",
                       "to = []": 'to = ["desk@example.org"]',
                       'username = ""': 'username = "briefing"'})
    result = CliRunner().invoke(cli, ["schedule"])
    assert result.exit_code == 2
    assert "BRIEFING_SMTP_PASSWORD" in result.stderr
    assert not (workdir / "state" / "jobs.sqlite").exists()


def test_schedule_process_stops_cleanly_on_sigterm(workdir: Path) -> None:
    quick(workdir)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "briefing", "schedule"], cwd=workdir,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert wait_until(lambda: (workdir / "state" / "jobs.sqlite").exists(), 20)
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "next brief at" in err and "SIGTERM received" in err and "scheduler stopped" in err


def test_history_lists_runs(workdir: Path) -> None:
    runner = CliRunner()
    assert "no runs recorded yet" in runner.invoke(cli, ["history"]).stdout
    assert runner.invoke(cli, ["run", "--date", "2025-10-28", "--format", "json"]).exit_code == 0
    out = runner.invoke(cli, ["history"]).stdout
    assert "2025-10-28" in out and "manual" in out and " ok " in out and "brief.json" in out


# --- faults between processes -------------------------------------------------------------

def start_scheduler(workdir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "briefing", "schedule"], cwd=workdir,
                            stderr=subprocess.PIPE, text=True, env=env)


def stop(process: subprocess.Popen[str], timeout: float = 20) -> str:
    """SIGTERM, then the process's standard error (it is killed if it does not stop)."""
    try:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return err


def test_a_fifo_in_the_input_neither_hangs_the_scheduled_run_nor_sigterm(workdir: Path
                                                                         ) -> None:
    path = quick(workdir)
    os.mkfifo(workdir / "in" / "drop.txt")
    settings = _miss_a_run(path, timedelta(minutes=5))  # caught up as soon as it starts
    process = start_scheduler(workdir)
    try:
        history = History(settings.schedule.state_dir)
        assert wait_until(lambda: any(r.ended for r in history.runs()), 60)
    finally:
        err = stop(process)
    assert process.returncode == 0, err
    [run] = History(settings.schedule.state_dir).runs()
    assert (run.status, run.articles) == ("ok", 1)
    brief = json.loads(next(Path(f) for f in run.files if f.endswith(".json")).read_text())
    assert brief["skipped"] == [{"file": "drop.txt",
                                 "reason": "not a regular file: a named pipe (FIFO)"}]
    assert "scheduler stopped" in err


def test_a_second_sigterm_stops_a_run_that_will_not_end(workdir: Path) -> None:
    """A mail server that accepts the connection and never answers holds the run."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        path = quick(workdir, **{
            "enabled = false            #": "enabled = true            #",
            "to = []": 'to = ["desk@example.org"]',
            'host = "localhost"': 'host = "127.0.0.1"',
            "port = 587": f"port = {silent.getsockname()[1]}",
            'security = "starttls"': 'security = "none"',
            "timeout_seconds = 30": "timeout_seconds = 600"})
        settings = _miss_a_run(path, timedelta(minutes=5))
        process = start_scheduler(workdir)
        try:
            history = History(settings.schedule.state_dir)
            assert wait_until(lambda: (workdir / "output").is_dir() and any(
                (workdir / "output").rglob("brief.pdf")), 60)  # now it waits for the server
            [run] = history.runs()
            assert run.status == "running"  # its process holds its lease: not interrupted
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert process.poll() is None  # the first one waits for the run
            started = time.monotonic()
            err = stop(process)
        finally:
            process.kill()
    assert process.returncode == -signal.SIGTERM, err
    assert time.monotonic() - started < 5
    assert "stopping now" in err
    [run] = history.runs()
    assert run.status == "interrupted"  # its process ended, so its lease is free


def test_a_second_scheduler_on_the_same_state_folder_says_so_and_exits_2(workdir: Path
                                                                         ) -> None:
    quick(workdir)
    first = start_scheduler(workdir)
    try:
        lock = workdir / "state" / "scheduler.lock"
        assert wait_until(lambda: lock.is_file() and lock.read_text().strip(), 30)
        second = subprocess.run([sys.executable, "-m", "briefing", "schedule"], cwd=workdir,
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                capture_output=True, text=True, timeout=60)
        assert first.poll() is None
    finally:
        err = stop(first)
    assert second.returncode == 2, second.stderr
    line = second.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"another briefing schedule (pid {first.pid})" in line
    assert "one scheduler per state folder" in line
    assert first.returncode == 0, err
    from briefing import locks

    assert locks.try_hold(lock) is not None  # once the first has gone, the folder is free


def test_a_run_killed_mid_way_is_marked_interrupted_at_the_next_start(workdir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "briefing", "run", "--date",
                                "2025-10-28"], cwd=workdir, env=env, stderr=subprocess.PIPE)
    history = History(workdir / "state")
    try:
        assert wait_until(lambda: (workdir / "state" / "history.sqlite").exists()
                        and history.runs(), 60)
        assert history.runs()[0].status == "running"  # alive: its lease is held
    finally:
        process.kill()  # SIGKILL
        process.communicate()
    result = CliRunner().invoke(cli, ["history"])
    assert " interrupted " in result.stdout and "→ ?" in result.stdout
    [run] = history.runs()
    assert run.status == "interrupted" and "its process ended" in run.message
    assert list((workdir / "state" / "runs").iterdir()) == []  # its lease is cleared


def test_a_run_under_way_in_this_process_is_not_taken_for_interrupted(tmp_path: Path) -> None:
    mine = History(tmp_path)
    run = mine.start(datetime(2025, 10, 28).date(), "manual", datetime.now(KARACHI))
    other = History(tmp_path)  # another reader of the same folder
    other.start(datetime(2025, 10, 29).date(), "manual", datetime.now(KARACHI))
    assert [r.status for r in other.runs()] == ["running", "running"]
    mine.finish(run, datetime.now(KARACHI), "ok")
    assert [r.status for r in other.runs()] == ["running", "ok"]


def test_a_run_whose_lease_cannot_be_made_still_runs_and_says_so(workdir: Path) -> None:
    (workdir / "state").mkdir()
    (workdir / "state" / "runs").write_text("a file where the leases' folder should be")
    result = CliRunner().invoke(cli, ["run", "--date", "2025-10-28", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "run history not recorded" in result.stderr and "state folder" in result.stderr
