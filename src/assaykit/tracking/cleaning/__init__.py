"""Clean pose-estimation keypoints: confidence cut, gap interpolation and smoothing, track by track.

Pose-estimation tools (DeepLabCut, SLEAP, LightningPose) give every keypoint of every frame a position and
a confidence score. Before positions become endpoints, the field cleans them in the steps of the
``movement`` package's ``movement/filtering.py`` (https://movement.neuroinformatics.dev), which this
module reproduces on many tracks held back to back in one array (track ``k`` is rows
``bounds[k]:bounds[k + 1]``, see :mod:`assaykit.tracking.segments`); no step mixes frames of two tracks.

All arrays are ``(n_frames_total, K)`` float64, one column per keypoint. The pipeline of
:func:`clean_points` is:

1. Confidence cut (:func:`drop_low_confidence`, movement's ``filter_by_confidence``): a point whose score is
   below the threshold becomes missing (NaN in both coordinates).
2. Gap interpolation (:func:`interpolate_gaps`, movement's ``interpolate_over_time(method="linear",
   max_gap=N)``): runs of at most ``max_gap`` missing frames with a known point on both sides are filled by
   linear interpolation in time.
3. Optional smoothing, either a centred rolling median (:func:`rolling_median`, movement's
   ``rolling_filter(statistic="median")``) or a Savitzky-Golay filter (:func:`savgol_smooth`, movement's
   ``savgol_filter``; Savitzky & Golay 1964).

By default the gaps are filled before smoothing. With ``Cleaning(smooth_first=True)`` the smoothing comes
before the interpolation, the order of movement's elevated-plus-maze region-occupancy example
(``examples/region_occupancy.py``: ``filter_by_confidence`` at 0.99, then ``rolling_filter`` with a median
over 9 frames and ``min_periods=3``, then ``interpolate_over_time`` with ``max_gap=5``); a median with
``min_periods`` below the window also fills short runs of missing frames itself.

Defaults of :class:`Cleaning`: a confidence cut at 0.9, gaps of up to 10 frames filled, no smoothing.
The cut of 0.9 is assaykit's own choice, stricter than the tools' defaults: DeepLabCut's ``pcutoff`` (the
likelihood below which its plots and labelled videos hide a point) is 0.6 in the ``config.yaml`` that
``deeplabcut.create_new_project`` writes, and movement's ``filter_by_confidence`` threshold defaults to 0.6.
Scores are not comparable between tools: DeepLabCut's likelihood is the peak of a score map in [0, 1]
(Mathis et al. 2018), SLEAP's instance and point scores can exceed 1; choose the cut for the tool.

References
----------
* movement, ``movement/filtering.py`` (``filter_by_confidence``, ``interpolate_over_time``,
  ``rolling_filter``, ``savgol_filter``), https://movement.neuroinformatics.dev and
  https://github.com/neuroinformatics-unit/movement.
* A. Savitzky and M. J. E. Golay (1964). Smoothing and differentiation of data by simplified least squares
  procedures. Analytical Chemistry 36(8):1627-1639.
* A. Mathis et al. (2018). DeepLabCut: markerless pose estimation of user-defined body parts with deep
  learning. Nature Neuroscience 21:1281-1289 (the per-point likelihood).
* DeepLabCut, project configuration (``config.yaml``: ``pcutoff``), https://deeplabcut.github.io/DeepLabCut
  and ``deeplabcut/create_project/new.py``.
"""

from assaykit.tracking.cleaning.filters import (
    drop_low_confidence,
    interpolate_gaps,
    rolling_median,
    savgol_smooth,
)
from assaykit.tracking.cleaning.pipeline import CleanedPoints, Cleaning, clean_points

__all__ = [
    "CleanedPoints",
    "Cleaning",
    "clean_points",
    "drop_low_confidence",
    "interpolate_gaps",
    "rolling_median",
    "savgol_smooth",
]
