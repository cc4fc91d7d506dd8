"""The options several commands share, written once, and the settings every command runs with.

Each constant is a click decorator (or a parameter type) that a command applies as it is; the two
functions make the options whose help text differs from command to command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

#: Every command's context: ``-h`` as well as ``--help``, and help wrapped at 100 columns at most.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: A file to read or to write (never a folder), given to the command as a :class:`pathlib.Path`.
FILE = click.Path(dir_okay=False, path_type=Path)

#: The input files of a command: one or more.
FILES = click.argument("files", nargs=-1, required=True, type=FILE)


def output_option(help_text: str) -> Any:
    """Return the ``-o/--output FILE`` option, with the command's ``help_text``."""
    return click.option("-o", "--output", type=FILE, help=help_text)


def plot_option(help_text: str) -> Any:
    """Return the ``--plot DIR`` option (the folder of the figures), with the command's ``help_text``."""
    return click.option(
        "--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path), help=help_text
    )


def stacked(*decorators: Any) -> Callable[[Any], Any]:
    """Return one decorator that applies ``decorators`` as if written in this order above a function."""

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


OUTPUT = output_option("Write results (.csv .tsv .json .xlsx).")
POINTS = click.option("--points", "points_path", type=FILE, help="Write the per-tube table here.")
SHEET = click.option("--sheet", help="Sheet to read from .xlsx files [default: the first].")
QUIET = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Hide notes and progress (warnings, errors and results that go to no file still print).",
)
CI = click.option(
    "--ci", type=click.Choice(["asymptotic", "profile"]), help="Confidence intervals [default: asymptotic]."
)
JOBS = click.option(
    "-j",
    "--jobs",
    default="1",
    metavar="N|auto",
    help="Files analysed at once, each in its own process; 0 or auto: one per core. The results are "
    "the same as with 1 [1].",
)
PLOT_FORMAT = click.option(
    "--plot-format",
    type=click.Choice(["png", "svg", "pdf"]),
    default="png",
    show_default=True,
    help="File format of the --plot figures (svg and pdf are vector, for a journal's figure files).",
)
REPORT = click.option(
    "--report",
    "report_path",
    type=FILE,
    help="Write one self-contained HTML report (results, flags, figures, methods, provenance).",
)
#: ``-o`` of the binding commands, whose results Prism can also open.
PRISM_OUTPUT = output_option(
    "Write results (.csv .tsv .json .xlsx; .pzfx: a Prism file with the data tables and the results)."
)
LAYOUT = click.option(
    "--layout",
    type=FILE,
    help="Plate map of counter plate grids (wellmap .toml, or a CSV/TSV/XLSX with well, compound, "
    "conc_<unit>, role): FILES are then the counter's plate grids (rows A-P, columns 1-24, a block per "
    "plate).",
)
EXCLUDE_WELLS = click.option(
    "--exclude-wells",
    metavar="PATTERNS",
    help="With --layout: wells to leave out, e.g. edge wells 'A*,H*,*01,*12' (a row, a column, a well); "
    "the wells left out are listed in the notes.",
)
