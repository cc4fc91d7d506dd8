"""Protocol presets: TOML files loadable by name (``--protocol epm-rat``) or by path.

Presets live in the project's ``protocols/`` folder. A wheel installs that folder inside the package as
``assaykit/presets``; a source checkout (including an editable install) reads ``protocols/`` directly.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError


def _preset_dirs() -> list[Path]:
    dirs = []
    packaged = resources.files("assaykit") / "presets"
    if packaged.is_dir():
        dirs.append(Path(str(packaged)))
    source_tree = Path(__file__).resolve().parents[3] / "protocols"  # src/assaykit/io -> project root
    if source_tree.is_dir():
        dirs.append(source_tree)
    return dirs


def list_presets(assay: str | None = None) -> dict[str, Path]:
    """Return the presets that can be loaded by name, mapped to their files.

    Parameters
    ----------
    assay
        Only presets whose ``[preset] assay`` equals this (e.g. ``"binding"``, ``"epm"``).

    Returns
    -------
    dict
        Name (file stem) to path, sorted by name.
    """
    found: dict[str, Path] = {}
    for directory in _preset_dirs():
        for path in sorted(directory.glob("*.toml")):
            found.setdefault(path.stem, path)
    if assay is not None:
        found = {name: p for name, p in found.items() if _read(p).get("preset", {}).get("assay") == assay}
    return dict(sorted(found.items()))


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise AssayInputError(f"not valid TOML: {exc}", path=path) from None
    except OSError as exc:
        raise AssayInputError(f"cannot read preset: {exc.strerror}", path=path) from None


def load_preset(name_or_path: str | Path, *, assay: str | None = None) -> dict[str, Any]:
    """Load a preset by name or from a TOML file.

    Parameters
    ----------
    name_or_path
        A preset name (see :func:`list_presets`) or the path of a ``.toml`` file.
    assay
        When given, the preset must declare ``[preset] assay`` equal to it.

    Returns
    -------
    dict
        The parsed TOML, with ``preset.name`` and ``preset.path`` filled in.

    Raises
    ------
    AssayInputError
        Unknown name (the message lists the known ones), unreadable or invalid TOML, or a preset for another
        assay.
    """
    text = str(name_or_path)
    path = Path(text)
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            raise AssayInputError("preset file not found", path=path)
    else:
        known = list_presets()
        if text not in known:
            names = ", ".join(list_presets(assay)) or "none"
            raise AssayInputError(f"unknown protocol preset '{text}'; known presets: {names}")
        path = known[text]
    data = _read(path)
    meta = data.setdefault("preset", {})
    if assay is not None and meta.get("assay") != assay:
        raise AssayInputError(
            f"preset is for assay '{meta.get('assay', 'unspecified')}', not '{assay}'", path=path
        )
    meta.setdefault("name", path.stem)
    meta["path"] = str(path)
    return data
