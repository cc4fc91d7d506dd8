"""The root command ``assaykit``: its help, ``--version``, and how a run ends on an error.

Any user error (``AssayInputError``, a usage error, or a file-system error) is printed as one line,
``Error: ...``, with exit status 2 and no traceback. Anything else is a bug in assaykit: one line that says
so, exit status 1, and the traceback only with ``ASSAYKIT_TRACEBACK=1`` in the environment.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

import assaykit
from assaykit.cli.options import CONTEXT
from assaykit.errors import AssayInputError


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AssayGroup(click.Group):
    """A click group whose user errors are one line on stderr with exit status 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:  # noqa: D102
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"Error: {_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {_one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except AssayInputError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # a file-system problem no check foresaw: still one line naming the path
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {_one_line(where + (exc.strerror or str(exc)))}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: one line that says so, the traceback only when asked for
            if os.environ.get("ASSAYKIT_TRACEBACK"):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {_one_line(str(exc))[:300]}); no file was "
                "written. This is a bug in assaykit: please report it with the command and the input "
                "(ASSAYKIT_TRACEBACK=1 shows the traceback)",
                err=True,
            )
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: print click's ``assaykit, version X`` line and stop."""
    if value and not ctx.resilient_parsing:
        click.echo(f"assaykit, version {assaykit.__version__}")  # looked up now, not at every start
        ctx.exit()


@click.group(cls=AssayGroup, context_settings=CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Turn raw anxiolytic-pharmacology data into the numbers that go into a paper.

    \b
    Examples:
      assaykit binding counts.csv --kd 1.5 --radioligand 1
      assaykit binding counts.csv --protocol bzd-flunitrazepam -o results.xlsx --plot plots/
      assaykit saturation sat.csv --efficiency 0.45 --specific-activity 85 --protein-mg 0.1
      assaykit epm tracks.csv -o endpoints.csv --plot plots/
      assaykit ldb tracks.csv --protocol ldb-mouse
      assaykit epm tracks.csv --design design.csv --control vehicle --stats stats.xlsx
      assaykit compare endpoints.csv --design design.csv --control vehicle --plot plots/
      assaykit report study.toml -o report.html
      assaykit protocols
    """
