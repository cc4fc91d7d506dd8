"""The saturation figure says what the results table says: Kd and Bmax rounded as the terminal shows them.

The terminal table (:func:`assaykit.saturation.report.format_saturation`) is parsed here and its cells
compared with the title of the figure's saturation panel, caught as the figure is saved. Also the plot
jobs of a saturation analysis (stems, pickling, formats).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest
from test_saturation import experiment

import assaykit.plotting
from assaykit.io.saturation import saturation_from_frame
from assaykit.saturation import analyze_saturation
from assaykit.saturation.plots import plot_saturation
from assaykit.saturation.report import format_saturation
from assaykit.saturation.workflow import plot_jobs, write_saturation_plots

POINTS = pd.DataFrame(
    {"kind": ["total", "nsb", "total"], "conc_nM": [1.0, 1.0, 5.0], "signal": [900.0, 50.0, 2000.0]}
).assign(specific=[850.0, float("nan"), 1900.0])


@pytest.fixture
def titles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The title of the saturation panel of each figure saved."""
    seen: list[str] = []
    real = assaykit.plotting.save_figure

    def spy(fig, path):
        (panel,) = [ax for ax in fig.axes if ax.get_label() == "saturation"]
        seen.append(panel.get_title())
        return real(fig, path)

    monkeypatch.setattr(assaykit.plotting, "save_figure", spy)
    return seen


def one_row(kd: float, bmax: float, per_mg: float) -> pd.DataFrame:
    results = pd.DataFrame(
        {
            "dataset": ["d"],
            "model": ["one-site"],
            "kd_nM": [kd],
            "kd_ci_low_nM": [kd * 0.9],
            "kd_ci_high_nM": [kd * 1.1],
            "bmax_cpm": [bmax],
            "bmax_ci_low_cpm": [bmax * 0.95],
            "bmax_ci_high_cpm": [bmax * 1.05],
            "bmax_fmol_per_mg": [per_mg],
            "bmax_fmol_per_mg_se": [per_mg * 0.02],
            "r_squared": [0.99],
            "flags": [""],
        }
    )
    results.attrs["signal_unit"] = "cpm"
    return results


def terminal_cells(results: pd.DataFrame) -> tuple[str, str, str]:
    """Kd, Bmax and converted Bmax cells of the terminal table's only row (CIs as 'a to b')."""
    tokens = format_saturation(results).splitlines()[1].split()
    # dataset, kd, lo, to, hi, bmax, lo, to, hi, per_mg, ±, se, r_squared
    assert tokens[3] == tokens[7] == "to" and tokens[10] == "±"
    return tokens[1], tokens[5], tokens[9]


@pytest.mark.parametrize(
    ("kd", "bmax", "per_mg"),
    [
        (1.4549, 10114.3, 1187.6),  # three figures would say Bmax = 10100
        (0.012345, 1234.56, 99.996),
        (123.45, 99.995, 0.0123456),
        (9.9996, 2.5e7, 123456.7),
        (0.5, 987.65, 1.0),
    ],
)
def test_the_title_rounds_kd_and_bmax_as_the_table_shows_them(tmp_path, titles, kd, bmax, per_mg) -> None:
    results = one_row(kd, bmax, per_mg)
    kd_cell, bmax_cell, per_mg_cell = terminal_cells(results)
    plot_saturation(POINTS, results.iloc[0], tmp_path / "d.png")
    assert titles == [f"K$_d$ = {kd_cell} nM\nB$_{{max}}$ = {bmax_cell} cpm ({per_mg_cell} fmol/mg)"]


def test_two_sites_show_the_tables_summed_bmax(tmp_path, titles) -> None:
    analysis = analyze_saturation(saturation_from_frame(experiment(), source="sat"), model="two-site-total")
    results = analysis.results
    header, line = format_saturation(results).splitlines()[:2]
    cells = dict(zip(header.split(), line.replace(" to ", "_to_").split(), strict=False))
    plot_saturation(
        analysis.points.rename(columns={"cpm": "signal", "specific_cpm": "specific"}),
        results.iloc[0],
        tmp_path / "two.png",
    )
    (title,) = titles
    assert f"K$_{{d,hi}}$ = {cells['kd_hi_nM']} nM, K$_{{d,lo}}$ = {cells['kd_lo_nM']} nM" in title
    assert title.endswith(f"B$_{{max}}$ = {cells['bmax_cpm']} cpm")


def test_saturation_plot_jobs_pickle_and_write_in_the_chosen_format(tmp_path) -> None:
    frame = pd.concat([experiment(dataset="Cortex"), experiment(seed=2, dataset="cortex")])
    analysis = analyze_saturation(saturation_from_frame(frame, source="sat"))
    jobs = plot_jobs(analysis)
    assert [stem for stem, _ in jobs] == ["Cortex", "cortex_2"]  # one file even where case is ignored
    job = pickle.loads(pickle.dumps(jobs[1][1]))
    assert job.draw(tmp_path / "one.svg").read_bytes().startswith(b"<?xml")
    calls: list[tuple[int, int]] = []
    written = write_saturation_plots(
        analysis,
        tmp_path / "figs",
        plot_format="pdf",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert [p.name for p in written] == ["Cortex.pdf", "cortex_2.pdf"]
    assert all(Path(p).read_bytes().startswith(b"%PDF") for p in written)
