"""`make bench [DUC=/path/to/duc2003] [TAC=…] [DEVSET=/path/to/copy]`: every benchmark table.

    python -m benchmarks.run --duc /tmp/duc2003 [--tac /tmp/tac2011] --devset /tmp/devset
                             [--split dev] [--sizes 100,1000,10000,30000] [--skip-scale]
                             [--baseline /path/to/older/checkout] [-v]

Without DUC data the ROUGE table is skipped (with instructions to get it)
and the scale run uses the seeds alone; without a local copy of the
development set its section is skipped too. The development set reports its
`dev` half unless asked for `--split test`, which is reported once, at the end.
With `--baseline`, every timed command and scale run is also run on an older
checkout, in the same run, and its figures are printed in brackets.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from benchmarks import devset, duc, readability, rouge155, scale, speed, themes, train_weights
from briefing import text
from briefing.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(int(line.split()[1]) for line in
                         Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal"))
        memory = f"{memory_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duc", type=Path, default=None, help="the duc2003/ folder")
    parser.add_argument("--tac", type=Path, default=None,
                        help="the TAC 2011 MultiLing Pilot Dataset folder: more training "
                             "sets for the cross-validated concept weights")
    parser.add_argument("--sizes", default="100,1000,10000,30000",
                        help="article counts for scale")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="an older checkout to time beside this one (figures in brackets)")
    parser.add_argument("--skip-scale", action="store_true",
                        help="skip the speed and scale runs")
    parser.add_argument("--devset", type=Path, default=None,
                        help="a local copy of the development set (a folder of NNN.txt files)")
    parser.add_argument("--split", choices=devset.SPLITS, default="dev",
                        help="the development set's half: dev (default); test once, at the end")
    parser.add_argument("--partial", action="store_true",
                        help="a development-set copy that lacks some articles: measure the rest")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list the boilerplate lines the development set finds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    text.pretrained_parameters = lambda: None  # as on a fresh machine
    settings = load_settings(ROOT / "briefing.toml")
    # Every system gets the same sentences: all of each set's documents, copies included
    # (merging wire copies is the brief's business, not generic summarization's).
    duc_settings = replace(settings, syndication=replace(settings.syndication, enabled=False))

    print(f"## Benchmarks ({date.today().isoformat()}; {machine()})\n")
    if args.duc and (args.duc / "docs.without.headlines").is_dir():
        sets = duc.load(args.duc)
        task2, others = train_weights.split(
            train_weights.duc_topics(args.duc, duc_settings), {s.name for s in sets})
        if args.tac:
            others += train_weights.tac_topics(args.tac, duc_settings)
        models = train_weights.cross_validated(task2, others)
        perl_like = rouge155.Rouge155(duc.WORDS)
        scores, _ = duc.evaluate(sets, duc_settings, duc.systems(duc_settings, models),
                                     perl_like)
        print(f"### Summary quality: DUC 2003 task 2 ({len(sets)} document sets, "
              f"{sum(len(s.models) for s in sets)} human summaries, 100 words)\n")
        print("Same sentence splitting and the same 100-word cut for every system. "
              "rouge-score: stemming on, recall averaged over each set's models. "
              "1.5.5-style: benchmarks/rouge155.py, as ROUGE-1.5.5 -n 2 -m -l 100 -f A "
              f"({'with' if perl_like.exceptions else 'WITHOUT'} WordNet's exception lists). "
              f"Learned weights: {train_weights.FOLDS}-fold cross-validation over the task 2 "
              f"sets, each fold trained on the other folds and {len(others)} other sets "
              f"(DUC 2003 tasks 3 and 4{', TAC 2011' if args.tac else ''}).\n")
        print("| system | ROUGE-1 recall | ROUGE-2 recall | ROUGE-1, 1.5.5-style "
              "| ROUGE-2, 1.5.5-style | ranking time per set |")
        print("|---|---:|---:|---:|---:|---:|")
        for s in scores:
            print(f"| {s.system} | {s.rouge1:.2f} | {s.rouge2:.2f} | {s.rouge1_155:.2f} "
                  f"| {s.rouge2_155:.2f} | {s.seconds_per_set * 1000:.1f} ms |")
        ours = next(s for s in scores if s.system == duc.BRIEFING)
        lexrank = next(s for s in scores if s.system == "sumy LexRank")
        print(f"\nRanking: briefing is {lexrank.seconds_per_set / ours.seconds_per_set:.0f}x "
              f"faster than sumy LexRank per set.\n")
        folders = [s.folder for s in sets]
        whole = speed.summarize_time(folders)
        warm = speed.summarize_time(folders, warm=True)
        was = speed.summarize_time(folders, args.baseline) if args.baseline else None
        lexrank_all = lexrank.seconds_per_set * len(sets)
        print(f"The whole `briefing summarize` over the {len(sets)} sets in one process "
              f"(start-up, reading, cleaning, Punkt, splitting, ranking, writing) takes "
              f"{speed.beside_s(whole, was)}: {lexrank_all / whole.seconds:.1f}x faster "
              f"than sumy LexRank's ranking of the same sets alone ({lexrank_all:.1f} s)"
              + (f", against {lexrank_all / was.seconds:.1f}x before" if was else "")
              + f". Run again over the same sets, with Punkt's parameters from the cache: "
              f"{warm.seconds:.2f} s, {lexrank_all / warm.seconds:.1f}x.\n")
        pool_from = args.duc
    else:
        print(f"### Summary quality: skipped\n\n{duc.HOW_TO_GET}\n")
        pool_from = None

    report = themes.evaluate(settings)
    print("### Theme accuracy on the hand-labelled seeds (tests/data/seed-labels.jsonl)\n")
    print(themes.table(report) + "\n")

    if args.devset:
        found = devset.evaluate(args.devset, settings, args.split, partial=args.partial)
        print(f"### Development set: Pakistan–Afghanistan news, {found.split} split "
              f"(benchmarks/data/devset)\n")
        print(devset.table(found, args.verbose) + "\n")
        if args.split == "test":  # as a scheduled brief runs: earlier days in its archive
            archived = devset.evaluate(args.devset, settings, "test", partial=args.partial,
                                       archive=True)
            print("### Development set, test split, with the dev split as the archive's "
                  "earlier days\n")
            print(devset.table(archived, args.verbose) + "\n")
        print(f"### Development set, each article as a day of its own, {found.split} split\n")
        print(devset.small_days_table(*devset.small_days(args.devset, settings, args.split,
                                                                    partial=args.partial))
              + "\n")
    else:
        print(f"### Development set: skipped\n\n{devset.HOW_TO_GET}\n")

    now = datetime.now().astimezone()
    briefs = [readability.seeds(settings, now)]
    if args.devset:
        briefs.append(readability.devset(args.devset, settings, args.split, args.partial))
    print(readability.table(briefs, args.verbose) + "\n")

    if not args.skip_scale:
        print("### Speed: whole commands, each in a fresh process (best of 3 to 5)\n")
        print(speed.table(args.baseline))
        seconds, size = scale.pdf_seconds()
        print(f"\nPDF of the seeds' brief: {seconds:.2f} s ({size / 1024:.0f} KiB).\n")

        sizes = [int(n) for n in args.sizes.split(",") if n]
        pool = scale.sources(pool_from)
        runs, before = [], []
        with tempfile.TemporaryDirectory() as workdir:
            for n in sizes:  # each size now and before, one after the other, alike in load
                runs.append(scale.measure(n, pool, Path(workdir)))
                if args.baseline:
                    before.append(scale.measure(n, pool, Path(workdir), args.baseline))
        source = "DUC 2003 documents and the seeds" if pool_from else "the seeds"
        print(f"### Scale: themed pipeline to brief.json ({source}, resampled)\n")
        print(scale.table(runs, before or None))

if __name__ == "__main__":
    main()
