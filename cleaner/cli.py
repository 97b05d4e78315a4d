"""Command line: ``cleaner run`` and ``cleaner explain``. Thin: options → Config → pipeline."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from . import __version__
from .config import BOUNDS, Config
from .document import Document

EXPLAIN_EPILOG = (
    "Exit codes: 0 done (a rejected input is explained too), 2 usage error (no such file or record)."
)
RUN_EPILOG = (
    "Exit codes: 0 done (even if some inputs were rejected), 1 the run failed, 2 usage error, "
    "75 another run holds the --state lock (try again later), 130/143 stopped by SIGINT/SIGTERM "
    "(nothing of the run was kept; the next run redoes it)."
)


class Report:
    """Where messages go: stderr (by kind and whether it is a terminal) and an optional log file.

    ``notice`` (per-input news) reaches stderr only on a terminal or with --verbose when ``cron`` is
    set, so cron mails carry warnings and the one summary line; the log file gets everything.
    """

    def __init__(self, quiet: bool, verbose: bool, log_file: str | None, cron: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.notices = not quiet and (verbose or not cron or sys.stderr.isatty())
        self.log = open(log_file, "a", encoding="utf-8") if log_file else None

    def _log(self, level: str, msg: str) -> None:
        if self.log is not None:
            import time

            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            self.log.write(f"{stamp} {level} {msg}\n")
            self.log.flush()

    def notice(self, msg: str) -> None:
        self._log("INFO", msg)
        if self.notices:
            click.echo(f"cleaner: {msg}", err=True)

    def warn(self, msg: str) -> None:
        self._log("WARNING", msg)
        if not self.quiet:
            click.echo(f"cleaner: warning: {msg}", err=True)

    def summary(self, line: str) -> None:
        self._log("INFO", line.removeprefix("cleaner: "))
        if not self.quiet:
            click.echo(line, err=True)

    def error(self, msg: str) -> None:
        self._log("ERROR", msg)
        click.echo(f"cleaner: error: {msg}", err=True)

    def close(self) -> None:
        if self.log is not None:
            self.log.close()


def _not_a_folder(out: str) -> str | None:
    """Why ``--out`` cannot be the output folder when it is there already as something else."""
    if os.path.exists(out) and not os.path.isdir(out):
        return f"--out {out}: is a file, not a folder (give a folder to write the articles into)"
    return None


def _langs(value: str | None) -> tuple[str, ...]:
    """``--lang``'s codes as given (``Config`` checks and normalises them)."""
    return tuple(value.split(",")) if value else ()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Turn scraped news articles (plain text or HTML) into clean, deduplicated, canonical articles.

    Strips paywall prompts, related-story lists, promos, share bars, cookie notices, bylines and
    site names; detects the language; groups copies of the same story and keeps the best copy.
    """


@main.command(epilog=RUN_EPILOG)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out",
    "out",
    required=True,
    metavar="DIR",
    help="Output folder (articles.jsonl, rejected.jsonl, text/). '-' writes articles as JSONL to stdout.",
)
@click.option("--no-dedup", is_flag=True, help="One article per input: clean only, do not group copies.")
@click.option(
    "--threshold",
    type=click.FloatRange(*BOUNDS["threshold"][1:]),
    default=None,
    show_default="0.7",
    help="How alike two cleaned articles must be to count as copies of one story: the share of "
    "5-word phrases they have in common (0.7 tolerates light edits and different chrome; "
    "0.9 only near-identical copies). A teaser whose phrases are mostly inside a longer copy "
    "also counts.",
)
@click.option(
    "--lang",
    "lang",
    metavar="CODES",
    help="Keep only these languages, comma-separated ISO 639-1 codes (e.g. en,de); others are rejected.",
)
@click.option(
    "--workers",
    type=click.IntRange(*BOUNDS["workers"][1:]),
    default=None,
    help="Worker processes. [default: all cores]",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="TOML file of settings (same names as the Config fields); options given here win.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(*BOUNDS["max_bytes"][1:]),
    default=None,
    show_default="10000000",
    help="Inputs larger than this are rejected.",
)
@click.option(
    "--timeout",
    "doc_timeout",
    type=click.FloatRange(*BOUNDS["doc_timeout"][1:]),
    default=None,
    show_default="30",
    help="Seconds one document may take; slower ones are rejected (0: no limit).",
)
@click.option(
    "--min-words",
    type=click.IntRange(*BOUNDS["min_words"][1:]),
    default=None,
    show_default="15",
    help="Cleaned bodies shorter than this are rejected as not an article.",
)
@click.option("--no-text-files", is_flag=True, help="Do not write the text/ folder of clean .txt files.")
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    help="Cron mode: remember processed inputs and emitted articles in this SQLite file; each run "
    "processes only new or changed inputs, records copies of earlier articles as their duplicates, and "
    "writes its results to new articles-/duplicates-/rejected-<time>-<run>.jsonl files in --out.",
)
@click.option(
    "--keep-days",
    type=click.FloatRange(0, min_open=True),
    default=None,
    help="With --state: forget signatures of articles older than this, so later copies of them are "
    "emitted again. [default: keep all]",
)
@click.option(
    "--log-file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Append every message (per-input notices too) with a UTC time stamp to FILE.",
)
@click.option("-q", "--quiet", is_flag=True, help="No per-input warnings and no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also report every article written.")
def run(
    inputs: tuple[str, ...],
    out: str,
    no_dedup: bool,
    threshold: float | None,
    lang: str | None,
    workers: int | None,
    config_file: str | None,
    max_bytes: int | None,
    doc_timeout: float | None,
    min_words: int | None,
    no_text_files: bool,
    state_file: str | None,
    keep_days: float | None,
    log_file: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Clean every INPUT and write one article per story to --out.

    INPUT is a file or a folder (walked recursively) of .txt, .html/.htm and .json/.jsonl files
    (records with "text" or "html", optional "id", "url", "title", "published"), or '-' for JSON lines
    on standard input. Every input ends up as an article, in an article's "duplicates", or in
    rejected.jsonl with the reason.

    \b
    Examples:
      cleaner run scraped/ --out clean/
      cleaner run a.html b.txt --out clean/ --no-dedup --lang en
      cat records.jsonl | cleaner run - --out - > articles.jsonl
      cleaner run /data/scraped --out /data/clean --state /data/clean/state.db   # from cron
    """
    from .pipeline import run as run_pipeline
    from .write import Writer

    overrides = {
        "dedup": False if no_dedup else None,
        "threshold": threshold,
        "langs": _langs(lang) or None,
        "workers": workers,
        "max_bytes": max_bytes,
        "doc_timeout": doc_timeout,
        "min_words": min_words,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    try:
        config = Config.from_toml(config_file, **overrides) if config_file else Config(**overrides)
    except (ValueError, TypeError) as exc:
        raise click.UsageError(str(exc)) from exc
    if inputs.count("-") > 1:
        raise click.UsageError("'-' (standard input) may be given only once")
    if keep_days is not None and not state_file:
        raise click.UsageError("--keep-days needs --state")
    if state_file:
        if out == "-":
            raise click.UsageError("--state needs an output folder (--out DIR), not '-'")
        problem = _not_a_folder(out)
        if problem:
            raise click.UsageError(problem)
        report = Report(quiet, verbose, log_file, cron=True)
        try:
            code = _run_with_state(inputs, config, out, state_file, keep_days, not no_text_files, report)
        finally:
            report.close()
        sys.exit(code)

    to_stdout = out == "-"
    try:
        writer = Writer(
            None if to_stdout else out, stream=sys.stdout if to_stdout else None, text_files=not no_text_files
        )
    except OSError as exc:
        raise click.UsageError(_not_a_folder(out) or f"--out {out}: {exc.strerror or exc}") from exc
    warn = not quiet
    report = Report(quiet, verbose, log_file, cron=False)

    def on_article(doc: Document) -> None:
        writer.article(doc)
        checkpoint("emitting")
        if verbose:
            report.notice(f"article {doc.source} ({doc.lang}, {len(doc.duplicates)} duplicates)")

    def on_reject(doc: Document) -> None:
        writer.reject(doc)
        # one line per warning, even for a file name with a newline in it
        shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in doc.source)
        report.warn(f"rejected {shown}: {doc.rejected}")

    bar = None
    if warn and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit=" docs", desc="cleaning", file=sys.stderr, leave=False)
    from .signals import StopSignals, checkpoint

    try:
        # SIGTERM (a killed job, a CI timeout) is handled like Ctrl-C: no temporary files are left
        with StopSignals() as stop:
            summary = run_pipeline(
                inputs,
                config,
                on_article,
                on_reject,
                progress=bar.update if bar is not None else None,
                skip=() if to_stdout else (out,),
            )
            with stop.critical():
                writer.commit()
    except KeyboardInterrupt as exc:
        writer.abort()
        kept = " (text files written so far stay in DIR/text)" if writer.text_files else ""
        report.error(f"interrupted; articles.jsonl and rejected.jsonl were not written{kept}")
        sys.exit(128 + getattr(exc, "signum", 2))
    except Exception as exc:
        writer.abort()
        report.error(f"the run failed: {type(exc).__name__}: {exc}")
        sys.exit(1)
    finally:
        if bar is not None:
            bar.close()
    report.summary(summary.line())
    report.close()


def _run_with_state(
    inputs: tuple[str, ...],
    config: Config,
    out: str,
    state_file: str,
    keep_days: float | None,
    text_files: bool,
    report: Report,
) -> int:
    """Cron mode: lock, open the state, run incrementally; returns the exit code."""
    import signal
    from pathlib import Path

    from .incremental import run_incremental
    from .signals import Interrupted, StopSignals
    from .state import EX_TEMPFAIL, Locked, State, StateError, lock

    try:
        lock_fd = lock(state_file)
    except Locked as exc:
        report.error(f"{exc}; exiting without doing anything (exit code {EX_TEMPFAIL}: try again later)")
        return EX_TEMPFAIL
    state = None
    try:
        state = State(state_file, config)
        bar = None
        if report.notices and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(unit=" docs", desc="cleaning", file=sys.stderr, leave=False)

        def on_article(doc: Document) -> None:
            if report.verbose:
                report.notice(f"article {doc.source} ({doc.lang}, {len(doc.duplicates)} duplicates)")

        def on_reject(doc: Document) -> None:
            report.notice(f"rejected {doc.source}: {doc.rejected}")

        with StopSignals() as stop:
            try:
                summary = run_incremental(
                    inputs,
                    config,
                    state,
                    Path(out),
                    stop,
                    text_files=text_files,
                    keep_days=keep_days,
                    on_article=on_article,
                    on_reject=on_reject,
                    progress=bar.update if bar is not None else None,
                )
            finally:
                if bar is not None:
                    bar.close()
    except StateError as exc:
        report.error(str(exc))
        return 2
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        report.error(f"stopped by {name}; nothing of this run was kept, the next run redoes it")
        return 128 + exc.signum
    except KeyboardInterrupt:
        report.error("interrupted; nothing of this run was kept, the next run redoes it")
        return 130
    except Exception as exc:
        report.error(f"the run failed: {type(exc).__name__}: {exc}")
        return 1
    finally:
        if state is not None:
            state.close()
        os.close(lock_fd)
    if summary.recovered:
        report.warn(f"finished {summary.recovered} earlier run(s) that had been killed after their commit")
    if summary.expired:
        report.notice(f"forgot {summary.expired} signature(s) older than {keep_days:g} days")
    if summary.deferred_signal:
        name = signal.Signals(summary.deferred_signal).name
        report.warn(f"{name} arrived during the commit; the run was completed first")
    report.summary(summary.line())
    return 0


@main.command(epilog=EXPLAIN_EPILOG)
@click.argument("file", metavar="FILE")
@click.option("--all", "show_all", is_flag=True, help="Show kept lines in full instead of shortened.")
def explain(file: str, show_all: bool) -> None:
    """Show why every line of FILE was kept or removed, and the title, author and site name found.

    FILE is a .txt or .html file (HTML goes through the same extraction as in 'cleaner run'), or a
    JSON lines or .json file, whose records are explained one after another. FILE#N explains only
    record N, as 'source' names it in articles.jsonl and rejected.jsonl (e.g. feed.jsonl#12).
    """
    from .explain import explain_file

    try:
        click.echo(explain_file(file, Config(workers=1), width=None if show_all else 100))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="FILE") from None


def entry() -> None:
    """The ``cleaner`` program: :func:`main`, then a quick exit with its exit code.

    At exit the interpreter frees every object one by one; with langdetect's profiles, the stopword
    index and trafilatura loaded that is ~0.1-0.25 s of CPU on every run, for nothing: the system
    takes the memory back at once. By the time ``main`` returns, the command has committed and
    closed its files and joined its worker processes, so only the standard streams are left to
    flush before ``os._exit``. An exception that escapes ``main`` leaves the usual way (traceback,
    exit code 1), and so does a run whose streams cannot be flushed.
    """
    import os

    from .gcpause import pause_gc

    # one BLAS thread per process: the work is already spread over worker processes, the model's
    # matrices are small, and OpenBLAS starting a thread per core costs ~0.05 s of CPU at numpy's
    # import, before the workers fork (a value the user set is kept)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    pause_gc()  # start-up makes lasting objects, not garbage: collection resumes before the workers fork
    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
