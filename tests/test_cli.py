from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from briefing.cli import cli
from tests.conftest import ROOT, SEEDS

RUN = ["--now", "2025-10-28T07:00:00+05:00", "--date", "2025-10-28"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_run_writes_the_three_files(tmp_path: Path) -> None:
    code, out, err = invoke("run", "--input", str(SEEDS), "--output", str(tmp_path), *RUN)
    assert code == 0, err
    day = tmp_path / "2025-10-28"
    assert out.split() == [str(day / n) for n in ("brief.html", "brief.pdf", "brief.json")]


def test_run_twice_gives_identical_html_and_json(tmp_path: Path) -> None:
    first, second = tmp_path / "1", tmp_path / "2"
    for out in (first, second):
        code, _, err = invoke("run", "--input", str(SEEDS), "--output", str(out),
                              "--format", "html,json", *RUN)
        assert code == 0, err
    for name in ("brief.html", "brief.json"):
        assert (first / "2025-10-28" / name).read_bytes() == \
            (second / "2025-10-28" / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--input", "/no/such/folder"], "input folder not found: /no/such/folder"),
        (["run", "--date", "2025-13-45"], "bad date '2025-13-45'"),
        (["run", "--now", "yesterday"], "bad --now 'yesterday'"),
        (["run", "--format", "html,docx"], "unknown format 'docx'"),
        (["run", "--config", "/no/such.toml"], "configuration file not found"),
        (["summarize", str(SEEDS), str(SEEDS), "--words", "10"], "need --out"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, _, err = invoke(*args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_config_key_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text((ROOT / "briefing.toml").read_text(encoding="utf-8")
                      .replace("[summary]", "[summary]\nwords_total = 3"), encoding="utf-8")
    code, _, err = invoke("run", "--config", str(config), "--input", str(SEEDS),
                          "--output", str(tmp_path), *RUN)
    assert code == 2
    assert "'summary.words_total' is not a known setting" in err


def test_no_usable_article_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, _, err = invoke("run", "--input", str(tmp_path), "--output", str(tmp_path / "o"), *RUN)
    assert code == 1
    assert "no usable article" in err and "empty.txt: empty file" in err
    assert "image.txt: binary file" in err
    assert not (tmp_path / "o").exists()


def test_empty_folder_exits_1(tmp_path: Path) -> None:
    code, _, err = invoke("run", "--input", str(tmp_path), "--output", str(tmp_path / "o"), *RUN)
    assert code == 1 and "no article files" in err


def test_unwritable_output_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = invoke("run", "--input", str(SEEDS), "--output", str(blocker), *RUN)
    assert code == 1 and "Traceback" not in err and "file" in err


def test_sentences_prints_json_lines_in_article_order() -> None:
    code, out, _ = invoke("sentences", str(SEEDS))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert set(rows[0]) == {"article", "index", "text", "theme", "scores", "best", "terms",
                            "own", "context", "learned", "against", "total", "story"}
    for r in rows:  # the parts add up to the total (each rounded to 3 places)
        parts = r["own"] + r["context"] + r["learned"] - r["against"]
        assert abs(parts - r["total"]) < 0.01, r
    assert set(rows[0]["scores"]) == {"recognition", "clashes", "talks", "trade"}
    order = [(r["article"], r["index"]) for r in rows]
    assert order == sorted(order)
    assert not any("Facebook" in r["text"] or "Disclaimer" in r["text"] for r in rows)


def test_summarize_prints_at_most_n_words_best_first() -> None:
    code, out, _ = invoke("summarize", str(SEEDS), "--words", "100")
    assert code == 0
    lines = out.splitlines()
    assert len(out.split()) <= 100 and len(lines) >= 2
    sentences = {json.loads(r)["text"] for r in invoke("sentences", str(SEEDS))[1].splitlines()}
    assert all(line in sentences for line in lines[:-1])  # only the last may be cut


def test_summarize_writes_one_file_per_folder_named_after_it(tmp_path: Path) -> None:
    docs = tmp_path / "d30001t" / "docs"
    docs.mkdir(parents=True)
    (docs / "a.txt").write_text((SEEDS / "001_d6679de3fa4b726c.txt").read_text())
    other = tmp_path / "set2"
    other.mkdir()
    (other / "b.txt").write_text((SEEDS / "003_15483e7a24de36bb.txt").read_text())
    out = tmp_path / "out"
    code, _, err = invoke("summarize", str(docs), str(other), "--words", "50",
                               "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["d30001t.txt", "set2.txt"]
    assert len((out / "set2.txt").read_text().split()) <= 50


def test_every_command_has_help() -> None:
    group = cli
    assert group.help
    assert isinstance(group, click.Group)
    for name, command in group.commands.items():
        assert command.help, f"command {name} has no help"
        code, out, _ = invoke(name, "--help")
        assert code == 0 and "Usage:" in out
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"


def test_python_dash_m_works() -> None:
    result = subprocess.run([sys.executable, "-m", "briefing", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "briefing" in result.stdout


def test_the_command_itself_writes_whole_files_and_keeps_its_exit_status(tmp_path: Path
                                                                         ) -> None:
    # The real process: its PDF comes from the early process, and it ends without
    # tearing the interpreter down (cli._end), which must lose no output or status.
    from io import BytesIO

    from pypdf import PdfReader

    done = subprocess.run([sys.executable, "-m", "briefing", "--debug", "run", "--input",
                           str(SEEDS), "--output", str(tmp_path / "out"), "--date", "2025-10-20"],
                          capture_output=True, text=True, check=False, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "early PDF process" not in done.stderr  # it made the PDF (it says so when not)
    day = tmp_path / "out" / "2025-10-20"
    assert done.stdout.split() == [str(day / f"brief.{f}") for f in ("html", "pdf", "json")]
    assert "5 articles" in done.stderr
    brief = json.loads((day / "brief.json").read_text(encoding="utf-8"))
    assert len(brief["articles"]) == 5
    assert len(PdfReader(BytesIO((day / "brief.pdf").read_bytes())).pages) >= 1
    assert (day / "brief.html").read_text(encoding="utf-8").rstrip().endswith("</html>")

    missing = subprocess.run([sys.executable, "-m", "briefing", "run", "--input",
                              str(tmp_path / "none"), "--output", str(tmp_path / "out")],
                             capture_output=True, text=True, check=False, cwd=ROOT, timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith(f"input folder not found: {tmp_path / 'none'}")


def test_a_profiler_still_gets_to_write_its_results(tmp_path: Path) -> None:
    stats = tmp_path / "run.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "briefing",
                           "--version"], capture_output=True, text=True, check=False, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 0 and "briefing" in done.stdout
    assert stats.stat().st_size > 0


def test_main_called_from_python_raises_system_exit_for_its_caller() -> None:
    from briefing.cli import main

    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    with pytest.raises(SystemExit) as ended:
        main(["no-such-command"])
    assert ended.value.code == 2


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    for n in range(40):  # far more output than a pipe holds, so the write really fails
        (tmp_path / f"{n:02}.txt").write_text("\n\n".join(
            f"Report {n}, item {m}: traders at the Torkham crossing counted {n * m} trucks "
            f"waiting on day {m} of the closure." for m in range(60)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "briefing", "sentences", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # `| head -1`
    process.stdout.close()
    code = process.wait(timeout=60)
    assert first.startswith(b'{"article": ')
    assert code == 0
    assert process.stderr.read() == b""


OUT_OF_RANGE = "out of range: briefs are made for days from 1900-01-01 to 9999-12-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--date", "0001-01-01"], f"--date 0001-01-01 is {OUT_OF_RANGE}"),
        (["run", "--date", "1899-12-31"], f"--date 1899-12-31 is {OUT_OF_RANGE}"),
        (["send", "--date", "0001-01-01", "--dry-run"], f"--date 0001-01-01 is {OUT_OF_RANGE}"),
        (["run", "--now", "0001-01-01T00:00:00+05:00"], OUT_OF_RANGE),
        (["run", "--now", "0001-01-01T00:00:00"], OUT_OF_RANGE),  # local time: no zone given
        (["run", "--now", "9999-12-31T23:00:00-12:00"], OUT_OF_RANGE),  # 10000 in UTC
        (["history", "--limit", "99999999999999999999"], "'--limit'"),
        (["history", "--limit", "0"], "'--limit'"),
        (["summarize", str(SEEDS), "--words", "10000000000"], "'--words'"),
        (["serve", "--port", "70000"], "'--port'"),
    ],
)
def test_out_of_range_dates_and_numbers_are_exit_2_naming_them(args: list[str],
                                                               message: str) -> None:
    code, _, err = invoke(*args)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err and "internal error" not in err


@pytest.mark.parametrize("day", ["1900-01-01", "9999-12-31"])
def test_the_first_and_last_days_make_a_brief(day: str, tmp_path: Path) -> None:
    code, _, err = invoke("run", "--input", str(SEEDS), "--output", str(tmp_path),
                            "--format", "json", "--date", day)
    assert code == 0, err
    assert json.loads((tmp_path / day / "brief.json").read_text())["date"] == day
