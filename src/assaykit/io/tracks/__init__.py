"""Tracking logs in, one canonical table out: :func:`read_tracks` recognises a file's layout and reads it.

A reader checks its file at the boundary and returns a :class:`TrackTable` whose ``data`` holds one row per
frame with the columns ``animal`` (str), ``time_s`` (float64, seconds) and either ``x`` and ``y`` (float64,
NaN where the tracker had no position) or ``zone`` (str labels, for systems that export zones only). The
zone engine and the endpoint functions assume that schema and nothing else.

This package is the dispatcher; it imports the format readers, each a module of its own
(:mod:`~assaykit.io.tracks.generic`, :mod:`~assaykit.io.tracks.dlc` for DeepLabCut and LightningPose,
:mod:`~assaykit.io.tracks.sleap`, :mod:`~assaykit.io.tracks.ethovision`, :mod:`~assaykit.io.tracks.anymaze`).
The readers share :mod:`~assaykit.io.tracks.table` (the table type and its vocabulary),
:mod:`~assaykit.io.tracks.keypoints` (pose keypoints) and :mod:`~assaykit.io.tracks.exports` (commercial
exports), which import none of them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from assaykit.errors import AssayInputError
from assaykit.io.tables import read_raw_table
from assaykit.io.text_files import decode_text, detect_delimiter, table_suffix
from assaykit.io.tracks.exports import detect_vendor
from assaykit.io.tracks.generic import read_generic
from assaykit.io.tracks.table import MISSING_TOKENS, SPACE_UNITS, TRACK_FORMATS, Keypoints, TrackTable

#: Formats ``read_tracks`` can be asked for (``zones`` is found by the generic reader).
READ_FORMATS = ("auto", "generic", "dlc", "lightningpose", "sleap", "ethovision", "anymaze")


__all__ = [
    "MISSING_TOKENS",
    "READ_FORMATS",
    "SPACE_UNITS",
    "TRACK_FORMATS",
    "Keypoints",
    "TrackTable",
    "detect_format",
    "read_generic",
    "read_tracks",
]


def read_tracks(
    path: str | Path,
    *,
    format: str = "auto",
    fps: float | None = None,
    bodypart: str | list[str] | None = None,
    likelihood: float = 0.9,
    sheet: str | int | None = None,
) -> TrackTable:
    """Read one tracking log in any supported layout.

    Parameters
    ----------
    path
        The file: generic CSV/TSV/XLSX (see :func:`read_generic`), DeepLabCut ``.csv``/``.h5``, a
        LightningPose predictions ``.csv`` (DeepLabCut's layout), a SLEAP analysis ``.h5``, an EthoVision
        XT raw-data export (``.txt``/``.csv``/``.xlsx``) or an ANY-maze test-data ``.csv``.
    format
        One of :data:`READ_FORMATS`; ``"auto"`` recognises the layout from the extension and the first rows.
    fps
        Frame rate, for files that count frames instead of giving times (DeepLabCut, LightningPose, SLEAP,
        a ``frame`` column).
    bodypart, likelihood
        Pose files only (DeepLabCut, LightningPose, SLEAP): the body part(s) to follow (their centroid),
        and the likelihood (SLEAP: point score) below which a point is dropped.
    sheet
        For workbooks: the sheet to read.

    Returns
    -------
    TrackTable

    Raises
    ------
    AssayInputError
        For anything in the file that is not what the layout needs.
    """
    path = Path(path)
    if format not in READ_FORMATS:
        raise AssayInputError(f"unknown track format '{format}'; expected one of {', '.join(READ_FORMATS)}")
    if format == "auto":
        format = detect_format(path)
    if format in ("dlc", "lightningpose"):
        from assaykit.io.tracks.dlc import read_dlc

        table = read_dlc(path, fps=fps, bodypart=bodypart, likelihood=likelihood)
        table.format = format  # LightningPose writes DeepLabCut's layout
        table.frame_rate = float(fps) if fps is not None else None
        return table
    if format == "sleap":
        from assaykit.io.tracks.sleap import read_sleap

        table = read_sleap(path, fps=fps, bodypart=bodypart, likelihood=likelihood)
        table.frame_rate = (
            float(fps) if fps is not None else None
        )  # else a rate the file stores: unknown here
        return table
    if format == "ethovision":
        from assaykit.io.tracks.ethovision import read_ethovision

        return read_ethovision(path, sheet=sheet)
    if format == "anymaze":
        from assaykit.io.tracks.anymaze import read_anymaze

        return read_anymaze(path)
    return read_generic(path, fps=fps, sheet=sheet)


def detect_format(path: Path) -> str:
    """Recognise a track file's layout.

    One of ``dlc``, ``lightningpose``, ``sleap``, ``ethovision``, ``anymaze`` or ``generic``.
    An HDF5 file with SLEAP's root datasets (``tracks``...) is a SLEAP analysis file, one with a pandas
    table a DeepLabCut one; any other ``.h5`` is an error that says what it is
    (:func:`assaykit.io.tracks.hdf5_kind.hdf5_kind`).
    A DeepLabCut-layout CSV whose scorer cells all end in ``_tracker`` is LightningPose's
    (it names the scorer ``<model type>_tracker``, e.g. ``heatmap_tracker``; DeepLabCut names it after the
    network, e.g. ``DLC_resnet50_...``).
    """
    if path.suffix.lower() == ".slp":
        raise AssayInputError(
            "SLEAP project files (.slp) are not read; export an analysis file with "
            f"'sleap-convert --format analysis {path.name}' (or File > Export Analysis HDF5 in SLEAP) and "
            "give that .h5 file",
            path=path,
        )
    if path.suffix.lower() in (".h5", ".hdf5", ".hdf"):
        if not path.is_file():
            raise AssayInputError("file not found", path=path)
        from assaykit.io.tracks.hdf5_kind import hdf5_kind

        return hdf5_kind(path)
    rows = peek_rows(path)
    found = detect_vendor(rows) or "generic"
    if found == "dlc":
        scorers = [c.strip().strip('"').lower() for c in rows[0][1:] if c.strip()]
        if scorers and all(c.endswith("_tracker") for c in scorers):
            return "lightningpose"
    return found


def peek_rows(path: Path, count: int = 5) -> list[list[str]]:
    """Return the first ``count`` rows of a table file as stripped cell strings (cheap for big files)."""
    suffix = table_suffix(path)
    if suffix == ".xlsx":
        raw = read_raw_table(path, header=False)
        return [[str(c).strip() for c in row] for row in raw.head(count).itertuples(index=False)]
    try:
        with path.open("rb") as handle:
            data = handle.read(1 << 16)
    except OSError as exc:
        raise AssayInputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) % 2:
        data = data[:-1]
    lines = decode_text(data, path).splitlines()[: count + 1][:count]
    delimiter = detect_delimiter(lines, suffix)
    return [[c.strip() for c in row] for row in csv.reader(lines, delimiter=delimiter)]
