"""What a command does for ``--report FILE.html``: the report of its run, staged with its other outputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assaykit.io.outputs import OutputSet
from assaykit.report.document import Report, Section
from assaykit.report.provenance import provenance
from assaykit.report.render import stage_report

__all__ = ["run_title", "stage_run_report"]


def stage_run_report(
    outputs: OutputSet,
    path: Path,
    sections: Sequence[Section],
    *,
    title: str,
    command: str | None = None,
) -> Path:
    """Stage the report of a run for ``path``: its sections, and the run's inputs with their SHA-256.

    Parameters
    ----------
    outputs
        The run's outputs, after the run: its inputs (count or track files, design, preset, zone file) are
        listed in the provenance, and the report is written with the other outputs at the commit.
    path
        The report's file, added to ``outputs`` before the run
        (:func:`assaykit.report.render.add_report`).
    sections
        The sections, in order.
    title
        The report's title.
    command
        The command line; default this process's (:func:`assaykit.report.provenance.command_line`).

    Returns
    -------
    Path
        ``path``.
    """
    record = provenance(outputs.inputs, command=command)
    return stage_report(Report(title=title, sections=list(sections), provenance=record), path, outputs)


def run_title(command: str, files: Sequence[str | Path]) -> str:
    """Return a report's title: the command and its input files (the first three, then how many more)."""
    names = [Path(f).name for f in files]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"assaykit {command}: {shown}" if shown else f"assaykit {command}"
