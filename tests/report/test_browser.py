"""The example reports in a real browser: headless Chromium, as a reader opens the file.

Each example report (binding, saturation, EPM with a design, EPM from pose, LDB, compare, and the whole study
of ``examples/study/study.toml``) is built through the command line (``conftest.py``) and opened in
Debian's ``chromium`` driven by Playwright. For each page:

- it loads with no console error and no uncaught script error;
- it makes no network request: the only request is the ``file://`` page itself (``data:`` figures are
  not fetched from anywhere);
- every figure (``img``, inline ``svg``) has a non-zero rendered size, and every ``img`` was decoded;
- every table (``data-table``) holds the numbers of the run's ``-o`` table (its sheet of the ``.xlsx``
  workbook), rounded as the text outputs round them (10 significant digits);
- a screenshot of its first screen is saved in the test's temporary folder.

Playwright for Python drives the system's Chromium (``executable_path``); its own browser download
(``playwright install``) is neither needed nor used. The test is skipped only when Chromium is not
installed (``.ci/run`` installs Debian's ``chromium`` when it is missing).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from _reports import Built, page_tables, sheet

from assaykit.io.significant import round_significant

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
#: No sandbox (CI runs as root in a container), no GPU, and none of the browser's own background traffic
#: (component updates, sync, safe-browsing lists): any request the test sees comes from the page.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)

REPORTS = ["binding", "saturation", "epm", "epm-pose", "ldb", "compare", "study"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for every page of the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


#: Every figure of the main part of a page: its tag, title, rendered size, and whether an image decoded.
_FIGURES = """
() => [...document.querySelectorAll('main img, main svg')]
  .filter(e => !(e.tagName.toLowerCase() === 'svg' && e.parentElement.closest('svg')))
  .map(e => {
    const box = e.getBoundingClientRect();
    const img = e.tagName.toLowerCase() === 'img';
    return {tag: e.tagName.toLowerCase(), title: e.getAttribute('alt') || '', width: box.width,
            height: box.height, decoded: img ? e.complete && e.naturalWidth > 0 : true};
  })
"""

#: Every data-table of the page as the browser parsed it: its key, header, and cells (data-value or text).
_TABLES = """
() => [...document.querySelectorAll('table[data-table]')].map(t => ({
  key: t.dataset.table,
  header: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(
    td => td.hasAttribute('data-value') ? td.getAttribute('data-value') : null)),
}))
"""


def _same_number(shown: str, written: object) -> bool:
    """A page's ``data-value`` against the workbook's value, rounded as the text outputs round it."""
    value = float(shown)
    try:
        number = float(written)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if math.isnan(value) or math.isnan(number):
        return math.isnan(value) and math.isnan(number)
    return value == float(round_significant(np.array([number]))[0])


def _check_tables(report: Built, tables: list[dict]) -> int:
    """Compare every table of the page with its sheet; return how many numbers were compared."""
    compared = 0
    for table in tables:
        key = table["key"]
        if key.startswith("provenance"):
            continue
        book, name = report.source(key)
        frame = sheet(book, name)
        assert table["header"] == [str(c) for c in frame.columns], f"{key}: columns differ from {book.name}"
        assert len(table["rows"]) == len(frame), f"{key}: {len(table['rows'])} rows, {len(frame)} in {name}"
        for i, row in enumerate(table["rows"]):
            for column, value in zip(frame.columns, row, strict=True):
                if value is None:  # a text cell
                    continue
                written = frame.iloc[i][column]
                assert _same_number(value, written), f"{key} row {i + 1} {column}: page {value}, -o {written}"
                compared += 1
    return compared


@pytest.mark.parametrize("name", REPORTS)
def test_the_report_opens_in_chromium_as_a_reader_sees_it(
    name: str, browser, example_reports: dict[str, Built], tmp_path: Path
) -> None:
    report = example_reports[name]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(report.html.as_uri(), wait_until="load")
        assert errors == []
        fetched = [url for url in requests if not url.startswith("data:")]
        assert fetched == [report.html.as_uri()], f"requests beyond the page: {fetched}"

        figures = page.evaluate(_FIGURES)
        assert figures, "the report has no figure"
        empty = [f"{f['tag']} {f['title']!r}" for f in figures if not (f["width"] > 0 and f["height"] > 0)]
        assert empty == [], f"figures with no rendered size: {empty}"
        undecoded = [f["title"] for f in figures if not f["decoded"]]
        assert undecoded == [], f"images the browser could not decode: {undecoded}"

        tables = page.evaluate(_TABLES)
        # the browser's tables are those of the file (a malformed page would parse differently)
        assert [t["key"] for t in tables] == list(page_tables(report.html))
        assert _check_tables(report, tables) > 0

        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot))  # the first screen: title, contents, the first summary
        assert shot.stat().st_size > 0
    finally:
        page.close()


def test_the_number_check_can_fail() -> None:
    assert _same_number("1.234567891", 1.2345678912345)
    assert not _same_number("1.234567891", 1.2345678)
    assert _same_number("nan", float("nan"))
    assert not _same_number("nan", 1.0)
    assert not _same_number("1.0", "diazepam")
