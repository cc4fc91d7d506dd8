"""The values of a tracking protocol's options: their checks, and the cleaning of pose keypoints."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assaykit.errors import AssayInputError
from assaykit.tracking.cleaning import Cleaning
from assaykit.tracking.clock import MAX_FPS, MIN_FPS
from assaykit.tracking.results import EntryRule


def check_options(options: Mapping[str, Any], path: Path | None, ethology_keys: tuple[str, ...]) -> None:
    """Check the values of a tracking protocol's options (a preset's, or the caller's when ``path`` is None).

    Raises
    ------
    AssayInputError
        For a value of the wrong type, not finite, out of its range (``fps`` must be a video frame rate,
        1 to 1000), or a window that ends before it starts; a message about the caller's value names the
        command-line option too.
    """
    positive = ("duration_s", "px_per_cm", "fps")
    non_negative = ("hysteresis_cm", "min_time_s", "max_gap_frames")
    for key in (*positive, *non_negative, "start_s", "end_s", "likelihood", "max_lost"):
        value = options[key]
        if value is None:
            continue
        name = _name(key, path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AssayInputError(f"{name} must be a number, not {value!r}", path=path)
        if not math.isfinite(value):
            raise AssayInputError(f"{name} must be a finite number, not {value}", path=path)
        if key in positive and not value > 0:
            raise AssayInputError(f"{name} must be positive, not {value:g}", path=path)
        if key in non_negative and value < 0:
            raise AssayInputError(f"{name} must not be negative, not {value:g}", path=path)
    fps = options["fps"]
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:
        raise AssayInputError(
            f"{_name('fps', path)} {fps:g} is not a video frame rate (video runs at {MIN_FPS:g} to "
            f"{MAX_FPS:g} frames per second): give the frame rate of the video the file was made from",
            path=path,
        )
    start, end = options["start_s"], options["end_s"]
    if start is not None and end is not None and not end > start:
        raise AssayInputError(
            f"the session ends ({_name('end_s', path)} {end:g}) before it starts ({_name('start_s', path)} "
            f"{start:g})",
            path=path,
        )
    for key in ("likelihood", "max_lost"):
        if not 0 <= options[key] <= 1:
            raise AssayInputError(
                f"{_name(key, path)} must be between 0 and 1, not {options[key]:g}", path=path
            )
    if int(options["max_gap_frames"]) != options["max_gap_frames"]:
        raise AssayInputError(f"{_name('max_gap_frames', path)} must be a whole number of frames", path=path)
    try:
        EntryRule.parse(options["entry_rule"])
        cleaning_of(options)
    except ValueError as exc:
        raise AssayInputError(str(exc).rstrip("."), path=path) from None
    for key in ("smooth_first",):
        if not isinstance(options[key], bool):
            raise AssayInputError(f"{key} must be true or false, not {options[key]!r}", path=path)
    for key in ethology_keys:
        value = options[key]
        if value is None or key in ("head_keypoint", "tail_keypoint"):
            if value is not None and not isinstance(value, str):
                raise AssayInputError(f"{key} must be a keypoint name, not {value!r}", path=path)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            raise AssayInputError(f"{key} must be a finite number of 0 or more, not {value!r}", path=path)


#: The command-line option of each key (messages about the caller's values name the option).
_OPTION_NAMES = {
    "start_s": "--start",
    "duration_s": "--duration",
    "end_s": "--end",
    "px_per_cm": "--px-per-cm",
    "fps": "--fps",
    "hysteresis_cm": "--hysteresis",
    "min_time_s": "--min-time",
    "max_gap_frames": "--max-gap",
    "likelihood": "--confidence",
    "max_lost": "--max-lost",
}


def _name(key: str, path: Path | None) -> str:
    """How to name an option in a message: the preset's key for a preset's value, else the option too."""
    if path is not None or key not in _OPTION_NAMES:
        return key
    return f"{_OPTION_NAMES[key]} ({key})"


def cleaning_of(options: Mapping[str, Any]) -> Cleaning:
    """Build the :class:`Cleaning` of the options (ValueError when they are not valid)."""
    return Cleaning(
        confidence=float(options["likelihood"]),
        max_gap=int(options["max_gap_frames"]),
        median_window=options["median_window"],
        min_periods=options["min_periods"],
        savgol_window=options["savgol_window"],
        savgol_order=options["savgol_order"],
        smooth_first=bool(options["smooth_first"]),
    )
