"""``assaykit info``: the versions of assaykit and its dependencies, and where the presets come from."""

from __future__ import annotations

import sys

import click

import assaykit
from assaykit.cli.options import CONTEXT


@click.command(context_settings=CONTEXT)
def info() -> None:
    """Print versions of assaykit and its scientific dependencies, and where presets are read from."""
    from importlib.metadata import PackageNotFoundError, version

    from assaykit.io.presets import list_presets

    click.echo(f"assaykit {assaykit.__version__} (Python {sys.version.split()[0]})")
    packages = ("numpy", "scipy", "pandas", "lmfit", "click", "matplotlib", "python-calamine", "xlsxwriter")
    for package in (*packages, "orjson", "openpyxl", "tables"):
        try:
            click.echo(f"  {package} {version(package)}")
        except PackageNotFoundError:
            click.echo(f"  {package} not installed")
    folders = sorted({str(path.parent) for path in list_presets().values()})
    click.echo(f"presets: {', '.join(folders) or 'none found'}")
