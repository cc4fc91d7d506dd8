"""A screen's report, thumbnails and all, is small enough for e-mail: under 5 MB for 96 curves.

The test runs a 32-curve screen (a third of the figures to draw) and holds three times its size to the
limit: the page's fixed part counts three times, so the bound is conservative. ``benchmarks/bench_report.py``
measures the 96-curve report itself (1.5 MB).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pandas as pd
import pytest
from _page import read_page
from click.testing import CliRunner

from assaykit.binding.simulate import simulate_screen
from assaykit.cli import main

E_MAIL_LIMIT = 5_000_000
CURVES = 32


def test_a_screen_report_is_under_5_mb_for_96_curves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    simulate_screen(CURVES, inactive=0.3, partial=0.1, per_plate=16, seed=18).counts.to_csv(
        tmp_path / "screen.csv", index=False
    )
    monkeypatch.chdir(tmp_path)
    args = [
        "binding",
        "screen.csv",
        "--kd",
        "1.5",
        "--radioligand",
        "1",
        "-o",
        "hits.csv",
        "--report",
        "r.html",
    ]
    result = CliRunner().invoke(main, [*args, "-q"])
    assert result.exit_code == 0, result.output
    size = (tmp_path / "r.html").stat().st_size
    assert size * 96 / CURVES < E_MAIL_LIMIT, f"{size / 1e6:.2f} MB for {CURVES} curves"
    page = read_page((tmp_path / "r.html").read_text(encoding="utf-8"))
    hits = pd.read_csv(tmp_path / "hits.csv")
    thumbs = [a for tag, a in page.tags if tag == "figure" and a.get("class") == "thumb"]
    assert len(hits) == CURVES and len(thumbs) == CURVES
    sources = [a["src"] for tag, a in page.tags if tag == "img"]
    for src in sources:  # every figure a whole PNG with pixels
        with Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))) as image:
            image.load()
            assert image.width > 100 and image.height > 100
