"""What the commands print after a run: warnings, notes, the files written, a group comparison.

Results go to stdout; warnings (``warning: ...``), notes (``note: ...``) and the ``wrote FILE`` lines go
to stderr, so that a user can pipe the results and still see what to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

#: With ``-o``, the terminal shows this many curves of a larger screen (the file has every row).
TERMINAL_ROWS = 30


def listing(names: Any, limit: int = 10) -> str:
    """Join names with commas, at most ``limit`` of them, saying how many more there are."""
    names = [str(name) for name in names]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"


def warn(messages: Iterable[str]) -> None:
    """Print each warning of a run as ``warning: ...`` on stderr."""
    for message in messages:
        click.echo(f"warning: {message}", err=True)


def notes(messages: Iterable[str]) -> None:
    """Print each note of a run as ``note: ...`` on stderr."""
    for message in messages:
        click.echo(f"note: {message}", err=True)


def flagged(count: int, what: str, names: str) -> None:
    """Say that ``count`` results (``what``: ``curve(s)``, ``data set(s)``) carry flags, and which."""
    if count:
        click.echo(
            f"note: {count} {what} flagged ({names}); "
            "flag codes are explained in the user guide (docs/user-guide/)",
            err=True,
        )


def wrote(paths: Iterable[Path]) -> None:
    """Say which files a run wrote."""
    for path in paths:
        click.echo(f"wrote {path}", err=True)


def echo_comparison(run: Any, quiet: bool, *, filed: bool) -> None:
    """Print a group comparison (``assaykit compare``, ``epm``/``ldb --design``).

    The comparisons, then the omnibus tests, the latencies (Kaplan-Meier), the model-based comparisons and
    the trend. With ``quiet``, only the warnings, and the tables when the comparisons go to no file
    (``filed``).
    """
    from assaykit.stats.report import (
        format_comparisons,
        format_latency,
        format_locomotion,
        format_models,
        format_omnibus,
        format_trend,
    )

    warn(run.warnings)
    if quiet and filed:
        return
    click.echo(format_comparisons(run.comparison))
    for table in (
        format_omnibus(run.comparison),
        format_latency(run.comparison),
        format_models(run.comparison),
        format_locomotion(run.comparison),
        format_trend(run.comparison),
    ):
        if table:
            click.echo("")
            click.echo(table)
    if quiet:
        return
    for row in run.exclusions.itertuples(index=False):
        if row.excluded_by == "design":
            click.echo(
                f"note: {row.animal} ({row.group}) excluded by the design: {row.reason or 'no reason given'}",
                err=True,
            )
        else:
            which = "any endpoint" if row.endpoints == "all" else row.endpoints
            click.echo(f"note: {row.animal} ({row.group}) has no value for {which}: {row.reason}", err=True)
    notes(run.comparison.notes)
    tests = set(run.comparison.comparisons["test"]) | set(run.comparison.comparisons["alternative_test"])
    if tests & {"dunnett", "dunnett_t3", "steel", "dunn_holm", "dunn_bonferroni"}:
        click.echo(
            "note: the tests against the control are not gated on the omnibus test (single-step, they hold "
            "their error rate alone); tests, rules and every column: docs/user-guide/compare.md",
            err=True,
        )
    else:
        click.echo("note: tests, rules and every column: docs/user-guide/compare.md", err=True)
