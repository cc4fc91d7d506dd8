"""One counts file in, its curves out: the pure per-file unit of a competition screen for a cluster.

``assaykit binding a.csv b.csv`` pools its files into one analysis
(:func:`assaykit.io.counts.read_counts_files` keeps each file's plates apart, and the batch engine fits
every curve of the screen at once), so it has no ``--jobs``: its fit already runs on all curves together,
and splitting it by file would change what is pooled. A screening campaign of many files run on several
machines instead analyses each file on its own with :func:`analyze_counts_file`, a pure function (it reads
one file and writes nothing) that an existing engine maps over the files (Dask's ``client.map``; see
``benchmarks/bench_scale_out.py``). Its results are those of ``assaykit binding FILE`` for that file alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import AssayInputError


@dataclass
class CountsFile:
    """What one counts file gave.

    Attributes
    ----------
    path
        The file, as given.
    results, plates, points
        Its curves (one row per compound and plate), its plates' controls and its tubes, as in
        :class:`assaykit.binding.competition.CompetitionAnalysis`; empty when ``error`` is set. Each has a
        ``file`` column first (the path as given), so the tables of many files can be concatenated.
    warnings
        The ``UserWarning`` messages raised while reading and fitting it, one line each, in order.
    notes
        The analysis' notes (how the input was read).
    error
        Why the file could not be read or fitted (the one line ``assaykit binding FILE`` would print); None
        when it was.
    """

    path: str
    results: pd.DataFrame = field(default_factory=pd.DataFrame)
    plates: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def analyze_counts_file(
    path: str | Path,
    options: dict[str, Any] | None = None,
    *,
    sheet: str | None = None,
    compound: str | None = None,
) -> CountsFile:
    """Read one counts file and fit its curves; write nothing.

    Parameters
    ----------
    path
        A counts file (long or wide layout; CSV, TSV or XLSX).
    options
        Keys of :data:`assaykit.binding.workflow.BINDING_DEFAULTS` (``kd_nM``, ``radioligand_nM``, ``model``,
        ...), as :func:`assaykit.binding.workflow.resolve_options` returns them or a subset; the defaults
        for the rest.
    sheet, compound
        Passed to :func:`assaykit.io.counts.read_counts`.

    Returns
    -------
    CountsFile
        Picklable, so that a worker process or a Dask worker sends it back as it is. A file that cannot be
        read, or none of whose curves can be fitted, has ``error`` set (and empty tables) rather than
        raising, so that one bad file of a campaign does not stop the others.
    """
    from assaykit.binding.competition import analyze_competition
    from assaykit.binding.workflow import BINDING_DEFAULTS
    from assaykit.io.counts import read_counts

    given = dict(options or {})
    unknown = sorted(set(given) - set(BINDING_DEFAULTS))
    if unknown:  # a caller's mistake, not the file's: raise
        raise TypeError(f"unknown option(s) {', '.join(unknown)}; expected {', '.join(BINDING_DEFAULTS)}")
    resolved = {**BINDING_DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
    out = CountsFile(str(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            counts = read_counts(path, sheet=sheet, compound=compound)
            analysis = analyze_competition(counts, **resolved)
        except AssayInputError as exc:
            out.error = str(exc.with_path(path))
        else:
            results = analysis.results
            if len(results) and results["flags"].str.startswith("not_fitted").all():
                first = results.iloc[0]
                reason = str(first["flags"]).removeprefix("not_fitted: ")
                error = AssayInputError(
                    f"no curve could be fitted; compound '{first['compound']}': {reason}", path=path
                )
                out.error = str(error)
            else:
                out.results, out.plates, out.points = (
                    table.assign(file=str(path))[["file", *table.columns]]
                    for table in (results, analysis.plates, analysis.points)
                )
                out.notes = list(analysis.notes)
    out.warnings = [" ".join(str(w.message).split()) for w in caught if issubclass(w.category, UserWarning)]
    return out
