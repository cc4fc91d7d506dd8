"""Tests for the competition plot and the shared house style (assaykit.plotting)."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.plots import plot_competition
from assaykit.errors import AssayInputError
from assaykit.plotting import new_figure, safe_filename, save_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TRUE = {"top": 3200.0, "bottom": 250.0, "hill_slope": -1.0, "log_ic50": math.log10(13.3e-9)}


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(2026)


@pytest.fixture
def points(rng: np.random.Generator) -> pd.DataFrame:
    """Triplicate tubes at 10 half-log concentrations of a one-site competitor, 4% noise."""
    x = np.repeat(np.arange(10) * 0.5 - 10.0, 3)
    y = TRUE["bottom"] + (TRUE["top"] - TRUE["bottom"]) / (
        1 + 10 ** ((TRUE["log_ic50"] - x) * TRUE["hill_slope"])
    )
    return pd.DataFrame({"log_conc_M": x, "signal": np.round(y * (1 + 0.04 * rng.standard_normal(x.size)))})


def assert_png(path: Path, min_bytes: int = 10_000) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert path.stat().st_size > min_bytes
    assert not list(path.parent.glob(".*.tmp")), "temporary file left behind"


def test_plot_competition_writes_png(tmp_path: Path, points: pd.DataFrame) -> None:
    fit = {**TRUE, "ic50_nM": 13.3, "ki_nM": 7.98, "model": "one site"}
    out = plot_competition(
        points, fit, tmp_path / "diazepam.png", title="diazepam", total_mean=3210, nsb_mean=248
    )
    assert out == tmp_path / "diazepam.png"
    assert_png(out)


def test_plot_competition_accepts_str_path_and_result_row_keys(tmp_path: Path, points: pd.DataFrame) -> None:
    # A tidy result row uses lower-case unit suffixes (ki_nm); the plot must find them as well.
    row = pd.Series({**TRUE, "ic50_nm": 13.3, "ki_nm": 7.98, "model": "one_site", "n_points": 30})
    out = plot_competition(points, row, str(tmp_path / "row.png"))
    assert isinstance(out, Path)
    assert_png(out)


@pytest.mark.parametrize(
    "fit",
    [
        pytest.param(dict.fromkeys(TRUE, math.nan), id="all-nan"),
        pytest.param({**TRUE, "log_ic50": math.nan}, id="one-nan"),
        pytest.param({**TRUE, "top": None, "ki_nM": pd.NA}, id="none-and-NA"),
    ],
)
def test_failed_fit_still_plots_points(tmp_path: Path, points: pd.DataFrame, fit: dict) -> None:
    out = plot_competition(points, fit, tmp_path / "failed.png", title="chlordiazepoxide", nsb_mean=240)
    assert_png(out)


def test_points_without_data_and_failed_fit_still_plots(tmp_path: Path) -> None:
    empty = pd.DataFrame({"log_conc_M": [np.nan, -7.0], "signal": [3000.0, np.nan]})
    assert_png(plot_competition(empty, dict.fromkeys(TRUE, math.nan), tmp_path / "empty.png"), 5_000)


def test_ic50_outside_range_does_not_stretch_axes(tmp_path: Path, points: pd.DataFrame) -> None:
    # An extrapolated IC50 of 1e17 M must neither break the plot nor overflow.
    fit = {**TRUE, "log_ic50": 17.0}
    assert_png(plot_competition(points, fit, tmp_path / "extrapolated.png"))


def test_rising_curve(tmp_path: Path, points: pd.DataFrame) -> None:
    fit = {**TRUE, "hill_slope": 1.0}
    assert_png(plot_competition(points, fit, tmp_path / "rising.png", signal_unit="dpm"))


def test_save_failure_is_assay_input_error_and_leaves_no_file(tmp_path: Path, points: pd.DataFrame) -> None:
    target = tmp_path / "missing" / "diazepam.png"
    with pytest.raises(AssayInputError, match="output folder does not exist"):
        plot_competition(points, TRUE, target)
    assert not target.exists()
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_failure_while_drawing_keeps_earlier_file_and_leaves_no_temp(
    tmp_path: Path, points: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    from matplotlib.figure import Figure

    target = tmp_path / f"diazepam{suffix}"
    target.write_bytes(b"earlier plot")

    def broken_savefig(self: Figure, fname: object, **kwargs: object) -> None:
        Path(str(fname)).write_bytes(PNG_MAGIC + b"half a file")
        raise OSError(28, "No space left on device")

    def broken_write(self: Path, data: bytes) -> int:
        with open(self, "wb") as file:
            file.write(data[:100])
        raise OSError(28, "No space left on device")

    if suffix == ".png":  # the pixels are drawn in memory and encoded, then written
        monkeypatch.setattr(Path, "write_bytes", broken_write)
    else:
        monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(AssayInputError, match="could not write the figure"):
        plot_competition(points, TRUE, target)
    assert target.read_bytes() == b"earlier plot"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize(
    ("points_df", "fit", "match"),
    [
        pytest.param(pd.DataFrame({"conc_nM": [1.0], "signal": [1.0]}), TRUE, "log_conc_M", id="no-conc"),
        pytest.param(
            pd.DataFrame({"log_conc_M": [-9.0], "signal": [1.0]}),
            {"top": 1.0, "bottom": 0.0, "log_ic50": -8.0},
            "hill_slope",
            id="no-slope",
        ),
    ],
)
def test_bad_arguments_name_what_is_missing(
    tmp_path: Path, points_df: pd.DataFrame, fit: dict, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        plot_competition(points_df, fit, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_plot_does_not_mutate_inputs(tmp_path: Path, points: pd.DataFrame) -> None:
    before = points.copy()
    fit = dict(TRUE)
    plot_competition(points, fit, tmp_path / "x.png")
    pd.testing.assert_frame_equal(points, before)
    assert fit == TRUE


def test_import_and_plot_leave_pyplot_and_rcparams_alone(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import assaykit.plotting
        assert "matplotlib" not in sys.modules, "importing assaykit.plotting imported matplotlib"
        import assaykit.binding
        had_matplotlib = "matplotlib" in sys.modules  # lmfit.model imports matplotlib (never pyplot)
        import assaykit.binding.plots as plots
        assert "matplotlib.pyplot" not in sys.modules, "importing the plots module imported pyplot"
        if not had_matplotlib:
            assert "matplotlib" not in sys.modules, "importing the plots module imported matplotlib"
        import matplotlib
        # Reading rcParams["backend"] would itself import pyplot, so leave that key out.
        def snapshot():
            return {{k: matplotlib.rcParams[k] for k in matplotlib.rcParams if k != "backend"}}
        before = snapshot()
        import pandas as pd
        pts = pd.DataFrame({{"log_conc_M": [-9.0, -8.0, -7.0], "signal": [3000.0, 1600.0, 300.0]}})
        fit = {{"top": 3100.0, "bottom": 250.0, "hill_slope": -1.0, "log_ic50": -8.0}}
        plots.plot_competition(pts, fit, {str(tmp_path / "sub.png")!r})
        assert "matplotlib.pyplot" not in sys.modules, "plotting imported pyplot"
        assert snapshot() == before, "plotting changed the global rcParams"
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert_png(tmp_path / "sub.png")


def test_new_figure_and_save_figure(tmp_path: Path) -> None:
    fig, ax = new_figure(3.0, 2.0)
    assert tuple(fig.get_size_inches()) == (3.0, 2.0)
    assert not ax.spines["top"].get_visible()
    ax.plot([1, 2, 3], [3, 1, 2])
    out = save_figure(fig, tmp_path / "f.png")
    assert_png(out, 1_000)
    assert not fig.axes, "save_figure should close (clear) the figure"
    from PIL import Image

    with Image.open(out) as img:
        assert img.size == (600, 400)  # 200 dpi


@pytest.mark.parametrize("suffix", [".pdf", ".svg"])
def test_save_figure_vector_formats(tmp_path: Path, suffix: str) -> None:
    fig, ax = new_figure()
    ax.plot([1, 2], [1, 2])
    assert save_figure(fig, tmp_path / f"f{suffix}").stat().st_size > 1_000


def test_save_figure_rejects_unknown_suffix(tmp_path: Path) -> None:
    fig, _ = new_figure()
    with pytest.raises(AssayInputError, match="unknown figure format"):
        save_figure(fig, tmp_path / "f.jpgx")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("width", [0, -1.0, "4"])
def test_new_figure_rejects_bad_size(width: object) -> None:
    with pytest.raises(ValueError, match="width"):
        new_figure(width=width)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Ro 15-1788/flumazenil", "Ro_15-1788_flumazenil", id="slash-space"),
        pytest.param("diazepam", "diazepam", id="plain"),
        pytest.param("(+)-bicuculline", "plus-bicuculline", id="plus"),
        pytest.param("(-)-bicuculline", "minus-bicuculline", id="minus"),
        pytest.param("β-CCM", "β-CCM", id="greek"),
        pytest.param("../../etc/passwd", "etc_passwd", id="traversal"),
        pytest.param('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i", id="windows-forbidden"),
        pytest.param("CON", "CON_", id="windows-reserved"),
        pytest.param("com1.x", "com1_.x", id="windows-reserved-dot"),
        pytest.param("  ", "unnamed", id="blank"),
        pytest.param("...", "unnamed", id="dots"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_is_bounded_and_writable(tmp_path: Path) -> None:
    stem = safe_filename("x" * 500 + "/y")
    assert len(stem) <= 100
    (tmp_path / f"{stem}.png").write_bytes(b"")


@pytest.mark.parametrize(
    ("unfitted", "title"),
    [(None, "c (fit failed)"), ("inactive: IC50 > 1000 nM", "c (inactive)")],
)
def test_a_curve_without_a_fit_says_why(monkeypatch, points, tmp_path, unfitted, title):
    import assaykit.plotting

    seen = {}
    real = assaykit.plotting.save_figure

    def spy(fig, path):
        ax = fig.axes[0]
        seen["title"] = ax.get_title()
        seen["texts"] = [t.get_text() for t in ax.texts]
        return real(fig, path)

    monkeypatch.setattr(assaykit.plotting, "save_figure", spy)
    nan_fit = dict.fromkeys(TRUE, float("nan"))
    options = {} if unfitted is None else {"unfitted": unfitted}
    plot_competition(points, nan_fit, tmp_path / "c.png", title="c", **options)
    assert seen["title"] == title
    assert (unfitted or "fit failed") in seen["texts"]
    assert_png(tmp_path / "c.png", min_bytes=1_000)
