"""The one-pass layout's log-axis minor ticks: drawn as tick marks where matplotlib would put its ticks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import markers

from assaykit import figure_layout
from assaykit.plotting import house_style, new_figure


def _log_figure():
    with house_style():
        fig, ax = new_figure()
        ax.plot(10.0 ** np.linspace(-11, -5, 13), np.linspace(3000, 200, 13), "o")
        ax.set_xscale("log")
        ax.set_xlim(10**-11.5, 10**-4.5)
    return fig, ax


def test_minor_ticks_become_marks_at_every_two_to_nine_times_a_power_of_ten(tmp_path: Path) -> None:
    fig, ax = _log_figure()
    figure_layout.settle_layout(fig, 100)
    (marks,) = [line for line in ax.get_lines() if line.get_marker() == markers.TICKDOWN]
    low, high = ax.get_xlim()
    want = [m * 10.0**k for k in range(-12, -3) for m in range(2, 10) if low <= m * 10.0**k <= high]
    np.testing.assert_allclose(marks.get_xdata(), want, rtol=1e-12)
    assert np.all(np.asarray(marks.get_ydata()) == 0)  # on the axis line (x data, y axes coordinates)
    assert ax.xaxis.get_minorticklocs().size == 0  # and no Tick objects any more
    assert marks.get_markersize() > 0 and marks.get_clip_on() is False


def test_linear_axes_and_inward_ticks_keep_their_ticks() -> None:
    with house_style():
        fig, ax = new_figure()
        ax.plot([1, 2, 3], [1, 4, 9])
        ax.yaxis.set_tick_params(which="minor", direction="in")
        ax.set_yscale("log")
    figure_layout.settle_layout(fig, 100)
    assert not [line for line in ax.get_lines() if line.get_marker() == markers.TICKDOWN]
    (marks,) = [line for line in ax.get_lines() if line.get_marker() == markers.TICKRIGHT]  # inward: right
    assert len(marks.get_ydata()) > 0
