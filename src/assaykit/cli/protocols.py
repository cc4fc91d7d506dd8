"""``assaykit protocols``: list the protocol presets, or print one."""

from __future__ import annotations

from pathlib import Path

import click

from assaykit.cli.options import CONTEXT


@click.command(context_settings=CONTEXT)
@click.argument("name", required=False)
def protocols(name: str | None) -> None:
    """List the protocol presets, or print one.

    \b
    Examples:
      assaykit protocols
      assaykit protocols bzd-flunitrazepam
    """
    from assaykit.io.presets import list_presets, load_preset

    if name is not None:
        preset = load_preset(name)
        click.echo(f"# {preset['preset']['path']}")
        click.echo(Path(preset["preset"]["path"]).read_text(encoding="utf-8").rstrip())
        return
    presets = list_presets()
    width = max((len(n) for n in presets), default=4)
    for preset_name in presets:
        meta = load_preset(preset_name)["preset"]
        click.echo(f"{preset_name:<{width}}  {meta.get('assay', ''):<8}  {meta.get('description', '')}")
