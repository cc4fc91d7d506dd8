"""The per-tube points table is built only when something reads it, and asking for it changes nothing else.

A million-curve run that writes only ``-o results.csv`` must not hold a second table of every tube, so
:class:`~assaykit.binding.competition.CompetitionAnalysis` builds ``points`` on first use. These tests check
that the results are byte for byte the same with and without ``--points``, that the points written then
are right (checked against pandas and Prism's equation typed here, not against the code), and that a run
without ``--points``, ``--plot`` or ``.xlsx`` never builds the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.binding.competition import analyze_competition
from assaykit.binding.simulate import simulate_screen
from assaykit.binding.workflow import run_binding
from assaykit.cli import main
from assaykit.io.counts import read_counts


@pytest.fixture(scope="module")
def screen_file(tmp_path_factory) -> str:
    """40 curves (the batch engine fits them) on two plates, half active, as a long CSV."""
    path = tmp_path_factory.mktemp("lazy") / "screen.csv"
    simulate_screen(40, inactive=0.25, partial=0.25, seed=11, per_plate=20).counts.to_csv(path, index=False)
    return str(path)


def cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_results_are_the_same_bytes_with_and_without_points(screen_file, tmp_path):
    alone, with_points, points = tmp_path / "alone.csv", tmp_path / "with.csv", tmp_path / "points.csv"
    command = ("binding", screen_file, "--kd", "1.5", "--radioligand", "1", "-q")
    first = cli(*command, "-o", alone)
    second = cli(*command, "-o", with_points, "--points", points)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert alone.read_bytes() == with_points.read_bytes()

    # the points written are right: specific binding from the plate's NSB tubes (pandas), fitted values
    # from Prism's 4PL at each curve's row of the results, residual = counts - fitted
    tubes = pd.read_csv(screen_file)
    table = pd.read_csv(points)
    results = pd.read_csv(alone)
    assert len(table) == len(tubes)
    np.testing.assert_array_equal(table["cpm"], tubes["cpm"])
    nsb = tubes[tubes["compound"] == "NSB"].groupby("plate")["cpm"].mean()
    np.testing.assert_allclose(table["specific_cpm"], tubes["cpm"] - tubes["plate"].map(nsb), rtol=1e-12)
    merged = tubes.merge(results, on=["compound", "plate"], how="left")
    x = np.log10(merged["conc_nM"] * 1e-9)
    want = merged["bottom_cpm"] + (merged["top_cpm"] - merged["bottom_cpm"]) / (
        1 + 10 ** ((merged["log_ic50"] - x) * merged["hill_slope"])
    )
    competitor = tubes["conc_nM"].notna().to_numpy()
    fitted = competitor & want.notna().to_numpy()
    assert fitted.sum() > 0.5 * competitor.sum()
    np.testing.assert_allclose(table["fitted_cpm"][fitted], want[fitted], rtol=1e-9)
    np.testing.assert_allclose(
        table["residual_cpm"][fitted], (tubes["cpm"] - want)[fitted], rtol=1e-7, atol=1e-6
    )
    assert table.loc[~competitor, "fitted_cpm"].isna().all()


def test_a_results_only_run_does_not_build_the_points_table(screen_file, tmp_path):
    run = run_binding([screen_file], output=tmp_path / "r.csv", kd_nM=1.5, radioligand_nM=1.0)
    assert "points" not in vars(run.analysis)  # never built
    with pytest.raises(ValueError, match="points table was not kept"):
        _ = run.analysis.points


def test_a_results_only_run_lets_the_counts_go_before_fitting(screen_file, tmp_path, monkeypatch):
    import gc
    import weakref

    import assaykit.binding.inputs as inputs
    import assaykit.binding.workflow as workflow

    read, fit = inputs.read_counts_files, workflow.fit_prepared
    refs: list[weakref.ref] = []
    alive_at_fit: list[bool] = []

    def reading(*args, **kwargs):
        counts = read(*args, **kwargs)
        refs.append(weakref.ref(counts))
        return counts

    def fitting(prepared, **kwargs):
        gc.collect()
        alive_at_fit.append(refs[-1]() is not None)
        return fit(prepared, **kwargs)

    monkeypatch.setattr(inputs, "read_counts_files", reading)
    monkeypatch.setattr(workflow, "fit_prepared", fitting)
    run_binding([screen_file], output=tmp_path / "r.csv", kd_nM=1.5, radioligand_nM=1.0)
    run_binding(
        [screen_file],
        output=tmp_path / "r2.csv",
        points_path=tmp_path / "p.csv",
        kd_nM=1.5,
        radioligand_nM=1.0,
    )
    assert alive_at_fit == [False, True]  # freed when no points table is written; kept when it is


def test_python_callers_without_outputs_keep_the_points(screen_file):
    run = run_binding([screen_file], kd_nM=1.5, radioligand_nM=1.0)
    points = run.analysis.points  # built on first use, then kept
    assert "points" in vars(run.analysis) and run.analysis.points is points
    assert len(points) == len(pd.read_csv(screen_file))


@pytest.mark.parametrize("what", ["points", "xlsx"])
def test_outputs_that_need_the_points_build_them(screen_file, tmp_path, what):
    if what == "points":
        run = run_binding([screen_file], points_path=tmp_path / "p.csv", kd_nM=1.5, radioligand_nM=1.0)
    else:
        pytest.importorskip("openpyxl")
        run = run_binding([screen_file], output=tmp_path / "r.xlsx", kd_nM=1.5, radioligand_nM=1.0)
    assert "points" in vars(run.analysis)


def test_building_the_points_leaves_the_counts_unchanged(screen_file):
    counts = read_counts(screen_file)
    before = counts.copy(deep=True)
    analysis = analyze_competition(counts, kd_nM=1.5, radioligand_nM=1.0)
    points = analysis.points
    pd.testing.assert_frame_equal(counts, before)
    assert "cpm" in points.columns and "signal" in counts.columns
    points.loc[points.index[0], "cpm"] = -1.0  # the table is the caller's to change
    pd.testing.assert_frame_equal(counts, before)
