"""Tell what an ``.h5`` track file is: a SLEAP analysis file, a DeepLabCut table, or not a track file.

Both SLEAP and DeepLabCut write ``.h5``. SLEAP's analysis file holds root *datasets* (``tracks``,
``node_names``, ``track_names``, ``track_occupancy``, ``point_scores``...); DeepLabCut's is a pandas
``HDFStore``, whose tables are root *groups* (``df_with_missing``). Anything else gets a one-line reason
instead of the HDF5 library's back trace: an empty file, a text file with an ``.h5`` name, a truncated
(unfinished) HDF5 file, or an HDF5 file with neither layout (its root is listed).
"""

from __future__ import annotations

from pathlib import Path

from assaykit.errors import AssayInputError

#: The first bytes of every HDF5 file (the format signature), at offset 0 unless a user block precedes it.
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: Root datasets that only a SLEAP analysis file has.
SLEAP_DATASETS = ("tracks", "node_names", "track_names", "track_occupancy", "point_scores")


def hdf5_kind(path: Path) -> str:
    """Return ``"sleap"`` or ``"dlc"`` for an ``.h5`` track file.

    Parameters
    ----------
    path
        An existing file.

    Returns
    -------
    str
        ``"sleap"`` when the root holds any of SLEAP's datasets (the SLEAP reader then says what is
        missing), ``"dlc"`` when it holds a group (a pandas table).

    Raises
    ------
    AssayInputError
        When the file cannot be opened as HDF5 (:func:`unreadable_reason` says why) or holds neither
        layout.
    """
    try:
        import h5py
    except ImportError:  # without h5py, leave it to the DeepLabCut reader (PyTables)
        return "dlc"
    try:
        with h5py.File(path, "r") as handle:
            names = list(handle.keys())
            datasets = [n for n in names if isinstance(handle.get(n), h5py.Dataset)]
    except Exception as exc:  # h5py raises OSError and others for what it cannot open
        raise AssayInputError(unreadable_reason(path, exc), path=path) from None
    if any(name in SLEAP_DATASETS for name in datasets):
        return "sleap"
    if len(datasets) < len(names):
        return "dlc"
    listed = ", ".join(f"'{n}'" for n in names[:8]) + (" ..." if len(names) > 8 else "")
    raise AssayInputError(
        f"an HDF5 file holding {listed or 'nothing'}, which is neither a SLEAP analysis file (a 'tracks' "
        "dataset; export one with 'sleap-convert --format analysis') nor a DeepLabCut table (a pandas "
        "table such as 'df_with_missing')",
        path=path,
    )


def unreadable_reason(path: Path, exc: BaseException | None = None) -> str:
    """Say why a file could not be opened as HDF5, in one line.

    Parameters
    ----------
    path
        The file.
    exc
        The error the HDF5 library raised, whose first line is quoted for a damaged file.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
        size = path.stat().st_size
    except OSError as error:
        return f"cannot read the file: {error.strerror}"
    if size == 0:
        return "the file is empty (0 bytes); expected a SLEAP analysis or DeepLabCut .h5 file"
    if head.startswith(HDF5_SIGNATURE):
        detail = str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else ""
        return (
            f"a damaged HDF5 file ({size:,} bytes): truncated or not fully written"
            + (f" ({detail})" if detail else "")
            + "; export or copy it again"
        )
    sample = head[:200]
    if sample and all(32 <= b < 127 or b in (9, 10, 13) for b in sample):
        first = sample.decode("ascii").splitlines()[0][:40]
        return (
            f"not an HDF5 file: it is text, starting '{first}'; a CSV or TSV track file needs its own "
            "extension (.csv, .tsv)"
        )
    return "not an HDF5 file (it lacks the HDF5 signature); expected a SLEAP analysis or DeepLabCut .h5 file"
