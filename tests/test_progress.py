"""The command line's progress bar: silent off a terminal, with --quiet and for short jobs, else drawn."""

from __future__ import annotations

import io

from assaykit.progress import DELAY_S, ProgressBar


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal():
    stream, clock = io.StringIO(), Clock()
    bar = ProgressBar("curves", stream=stream, clock=clock)
    clock.now += 10 * DELAY_S
    bar(5, 10)
    bar(10, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_quiet_draws_nothing_even_on_a_terminal():
    stream, clock = Terminal(), Clock()
    bar = ProgressBar("curves", enabled=False, stream=stream, clock=clock)
    clock.now += 10 * DELAY_S
    bar(10, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_a_job_shorter_than_the_delay_draws_nothing():
    stream, clock = Terminal(), Clock()
    bar = ProgressBar("curves", stream=stream, clock=clock)
    clock.now += 0.5 * DELAY_S
    bar(3, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_a_long_job_draws_counts_and_ends_its_line():
    stream, clock = Terminal(), Clock()
    with ProgressBar("animals", stream=stream, clock=clock) as bar:
        clock.now += 5.0  # reading the input before the first item: not part of the rate
        bar(0, 100)
        clock.now += 2 * DELAY_S
        bar(25, 100)
        clock.now += 2 * DELAY_S
        bar(100, 100)
    text = stream.getvalue()
    assert "animals [" in text and "25/100" in text and "100/100" in text
    # a quarter done 2 s after the first report: about 6 s left
    assert "~6 s left" in text
    assert text.endswith("\n") and text.count("\n") == 1
    assert text.startswith("\r")


def test_no_wild_first_estimate():
    """One item done after a slow start says nothing about the rest: no time left is shown yet."""
    stream, clock = Terminal(), Clock()
    bar = ProgressBar("curves", stream=stream, clock=clock)
    clock.now += 4.0
    bar(1, 500)  # the first report, after start-up
    assert "1/500" in stream.getvalue() and "left" not in stream.getvalue()
    clock.now += 0.2
    bar(3, 500)  # too little since the first report to rest a rate on
    assert "left" not in stream.getvalue()
    clock.now += 0.8
    bar(101, 500)  # 100 curves in 1 s since the first report: 4 s left
    assert stream.getvalue().endswith("101/500  5 s, ~4 s left\x1b[K")


def test_redraws_are_throttled_but_the_last_one_is_always_drawn():
    stream, clock = Terminal(), Clock()
    bar = ProgressBar("curves", stream=stream, clock=clock)
    clock.now += 2 * DELAY_S
    for done in range(1, 1001):
        bar(done, 1000)  # the clock does not move: only the first and the final call draw
    assert stream.getvalue().count("\r") == 2
    assert "1000/1000" in stream.getvalue()


def test_a_new_stage_ends_the_line_and_starts_its_own_label_and_clock():
    stream, clock = Terminal(), Clock()
    with ProgressBar("curves", stream=stream, clock=clock) as bar:
        clock.now += 2 * DELAY_S
        bar(10, 10)
        bar.stage("comparisons")
        clock.now += 0.5 * DELAY_S
        bar(1, 10)  # the new stage is younger than the delay: not drawn yet
        clock.now += 2 * DELAY_S
        bar(5, 10)
    lines = stream.getvalue().split("\n")
    assert "curves [" in lines[0] and "10/10" in lines[0]
    assert "comparisons [" in lines[1] and "5/10" in lines[1] and "1/10" not in lines[1]
    assert "2 s, ~2 s left" in lines[1]  # the stage's own elapsed time (2.5 s) and estimate
    assert lines[2] == ""


def test_compare_reports_its_own_stage(monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from assaykit.cli import main

    calls: list[tuple[str, int, int]] = []
    monkeypatch.setattr(
        ProgressBar, "__call__", lambda self, done, total: calls.append((self.label, done, total))
    )
    counts = Path(__file__).resolve().parents[1] / "examples" / "binding" / "counts.csv"
    result = CliRunner().invoke(main, ["binding", str(counts), "--compare", "-q"])
    assert result.exit_code == 0, result.output
    labels = [label for label, _, _ in calls]
    assert "curves" in labels and labels[-1] == "comparisons"
    assert labels.index("comparisons") > max(i for i, label in enumerate(labels) if label == "curves")
    curves_total = [total for label, _, total in calls if label == "curves"][-1]
    assert calls[-1][1:] == (curves_total, curves_total)  # every curve of the example compared


def test_the_commands_report_progress_to_their_bar(monkeypatch, tmp_path):
    from pathlib import Path

    from click.testing import CliRunner

    from assaykit.cli import main

    calls: list[tuple[str, int, int]] = []
    monkeypatch.setattr(
        ProgressBar, "__call__", lambda self, done, total: calls.append((self.label, done, total))
    )
    examples = Path(__file__).resolve().parents[1] / "examples"
    jobs = [
        ("curves", ["binding", examples / "binding" / "counts.csv", "--kd", "1.5", "--radioligand", "1"]),
        ("data sets", ["saturation", examples / "saturation" / "sat.csv"]),
        ("animals", ["epm", examples / "epm" / "tracks.csv"]),
    ]
    for label, args in jobs:
        calls.clear()
        result = CliRunner().invoke(main, [str(a) for a in args] + ["-q"])
        assert result.exit_code == 0, result.output
        mine = [(done, total) for name, done, total in calls if name == label]
        assert mine, f"{args[0]} never reported progress"
        assert mine[-1][0] == mine[-1][1] > 0  # ends with everything done
        assert [done for done, _ in mine] == sorted(done for done, _ in mine)


def _wait_for(predicate, seconds: float = 5.0) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_a_stage_without_counts_shows_its_elapsed_time(monkeypatch):
    import assaykit.progress as progress

    monkeypatch.setattr(progress, "TICK_S", 0.01)
    stream, clock = Terminal(), Clock()
    bar = ProgressBar("curves", stream=stream, clock=clock)
    bar.stage("reading")  # pandas reads the file: no counts to report
    clock.now += 0.5 * DELAY_S
    assert not _wait_for(lambda: "reading" in stream.getvalue(), 0.2)  # within the delay: nothing
    clock.now += 2 * DELAY_S
    assert _wait_for(lambda: "reading ...  2 s" in stream.getvalue())
    bar.stage("curves")  # the next stage starts on a fresh line and counts: the timer stays quiet
    clock.now += 2 * DELAY_S
    bar(5, 10)
    drawn = stream.getvalue()
    assert "\n\rcurves [" in drawn
    clock.now += 5 * DELAY_S
    assert not _wait_for(lambda: "curves ..." in stream.getvalue(), 0.2)
    timer = bar._timer
    assert timer is not None and timer.is_alive()
    bar.close()
    assert stream.getvalue().endswith("\n") and not timer.is_alive()


def test_no_timer_off_a_terminal_or_with_quiet():
    for bar in (ProgressBar("c", stream=io.StringIO()), ProgressBar("c", stream=Terminal(), enabled=False)):
        bar.stage("reading")
        assert bar._timer is None
        bar.close()
