"""Does a curve fall with concentration? A test of a falling sigmoid against a horizontal line, for screens.

Most compounds of a screen do not displace the radioligand: their tubes scatter around one level, and a
four-parameter fit of them has no minimum to find (Top - Bottom -> 0 leaves log IC50 and the Hill slope
undefined). This module decides, for thousands of curves at once and before any iterative fit, whether a
curve shows displacement at all.

The statistic
-------------
For a fixed log IC50 ``L`` and Hill slope ``h`` the competition sigmoid (Prism's "log(inhibitor) vs.
response -- Variable slope"),

    ``Y = Bottom + (Top - Bottom) g(x),  g(x) = 1 / (1 + 10**((L - x) h)),  h < 0``,

is linear in ``Bottom`` and ``Top - Bottom``, so its least-squares fit is a straight-line regression of
``Y`` on ``g(x)`` and its reduction of the sum of squares below the horizontal line's (``SS0``) is
``S_yg**2 / S_gg`` (centred cross-products) when the fitted ``Top - Bottom`` is positive (the curve falls),
zero otherwise. Profiling ``L`` and ``h`` over a grid spanning the tested range (variable projection,
Golub & Pereyra 1973 SIAM J Numer Anal 10:413-432) gives the one-sided extra-sum-of-squares statistic

    ``R2 = max over (L, h) of the reduction / SS0``,

the share of the scatter that a falling sigmoid explains: near 0 for a flat curve, near 1 for a clean one.
Only the concentration means enter the reduction, so the work for C curves of K concentrations and P grid
points is one ``(C, K) @ (K, P)`` product.

Its null distribution
---------------------
The extra-sum-of-squares F test (Motulsky & Christopoulos 2004, *Fitting models to biological data using
linear and nonlinear regression*, ch. 22) assumes nested models whose parameters all exist under the null;
here ``L`` and ``h`` are not identified when the curve is flat (Davies 1987 Biometrika 74:33-43), so the F
distribution does not hold, and how far it is off depends on the design and the grid. CurveCurator (Bayer
et al. 2023 Nat Commun 14:7902) met the same problem in dose-response screens and recalibrated the F
distribution by simulation. Here the null is simulated exactly: under "no displacement" the tubes of a curve
are independent draws around one level with one variance, and ``R2`` does not change when ``Y`` is shifted or
scaled, so its distribution depends only on the design (the tested concentrations relative to each other
and their replicates), not on the level or the noise. For each distinct design :func:`null_r2` draws
:data:`N_NULL` Gaussian curves with a fixed seed and computes their ``R2``; a curve's p-value is the
Monte Carlo p-value ``(1 + #{null >= R2}) / (1 + N_NULL)`` (Davison & Hinkley 1997, *Bootstrap methods and
their application*, eq. 4.11), which is valid at every level. Beyond the largest null draw, the p-value is
extrapolated from the simulated upper tail, which is close to a power of ``1 - R2`` (as for the Beta
distribution of a linear model's ``R2``): ``log p`` is fitted linearly in ``log(1 - R2)`` over the null's
top :data:`TAIL_SHARE` of draws. Only clearly active curves get there; their p-values order them, and the
calls do not depend on how far out they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DisplacementTest", "N_NULL", "displacement_test", "null_r2"]

#: Null curves simulated per design; with many designs, fewer (at most MAX_NULL_TOTAL in all, at least
#: MIN_NULL per design).
N_NULL = 20_000
MAX_NULL_TOTAL = 2_000_000
MIN_NULL = 2_000
#: Log units within which two concentrations of a design count as one.
DESIGN_ROUND = 0.01
#: Share of the null draws (the largest) that the tail extrapolation is fitted to.
TAIL_SHARE = 0.05
#: Grid of log IC50 values, log units below the lowest and above the highest tested concentration, and step.
GRID_BEYOND = (1.0, 1.0)
GRID_STEP = 0.125
#: Grid of Hill slopes.
GRID_SLOPES = (-0.5, -0.75, -1.0, -1.5, -2.5)
#: Null curves simulated at once (bounds the ``(curves, grid)`` temporaries to a few tens of MB).
CHUNK = 10_000
#: Curves tested at once (bounds the ``(curves, points)`` temporaries).
BLOCK = 20_000


@dataclass(frozen=True)
class DisplacementTest:
    """The displacement test of C curves.

    Attributes
    ----------
    r2
        Share of the curve's sum of squares about its mean that the best falling sigmoid on the grid
        explains (0 when no falling sigmoid beats the horizontal line).
    p_value
        One-sided p-value of "the curve falls" against "the curve is flat" (NaN when not tested).
    drop
        The best grid sigmoid's fall over the tested range: fitted value at the lowest concentration minus
        that at the highest, in signal units (>= 0; NaN when not tested).
    """

    r2: np.ndarray
    p_value: np.ndarray
    drop: np.ndarray


def _grid(offsets: np.ndarray) -> np.ndarray:
    """Return the sigmoid shapes ``g`` at each design point, one row per grid point ``(L, h)``: ``(P, K)``."""
    span = offsets[-1] - offsets[0]
    centres = np.arange(-GRID_BEYOND[0], span + GRID_BEYOND[1] + GRID_STEP / 2, GRID_STEP) + offsets[0]
    slopes = np.asarray(GRID_SLOPES)
    exponent = (centres[:, None, None] - offsets[None, None, :]) * slopes[None, :, None]
    return (1.0 / (1.0 + 10.0 ** np.clip(exponent, -300, 300))).reshape(-1, offsets.size)


def _r2(
    means: np.ndarray, ss0: np.ndarray, counts: np.ndarray, shapes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R2 and the best sigmoid's drop, from concentration means ``(C, K)`` and SS0 ``(C,)``.

    ``counts`` are the replicates at each concentration; ``shapes`` the grid's ``g`` values ``(P, K)``.
    """
    n = counts.sum()
    weights = counts / n
    g_mean = shapes @ weights  # (P,)
    gc = shapes - g_mean[:, None]
    s_gg = (gc**2) @ counts  # (P,)
    usable = s_gg > 1e-12 * n
    unit = np.where(usable[:, None], gc / np.sqrt(np.where(usable, s_gg, 1.0))[:, None], 0.0)
    # S_yg / sqrt(S_gg) for every grid point; centring y is not needed, the g are centred
    z = (means * counts) @ unit.T  # (C, P)
    best = np.argmax(z, axis=1)
    rows = np.arange(means.shape[0])
    z_best = np.maximum(z[rows, best], 0.0)  # a rising best fit: no fall at all
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(ss0 > 0, z_best**2 / np.where(ss0 > 0, ss0, 1.0), 0.0)
    slope = z_best / np.sqrt(np.where(usable, s_gg, 1.0))[best]  # Top - Bottom of the best fit
    g_best = shapes[best]
    drop = slope * (g_best[:, 0] - g_best[:, -1])
    return np.clip(r2, 0.0, 1.0), drop


def null_r2(offsets: np.ndarray, counts: np.ndarray, n_draws: int = N_NULL) -> np.ndarray:
    """Simulate the null distribution of R2 for one design; return the draws sorted ascending.

    Parameters
    ----------
    offsets
        The distinct tested concentrations, log10, ascending (only their differences matter).
    counts
        Tubes at each concentration.
    n_draws
        Null curves to simulate.

    Returns
    -------
    numpy.ndarray
        ``n_draws`` values of R2 under "no displacement" (independent Gaussian tubes of one mean and
        variance), sorted. The seed is fixed, so the same design always gives the same draws.
    """
    offsets = np.asarray(offsets, dtype=float)
    counts = np.asarray(counts, dtype=float)
    rng = np.random.default_rng(20_240_610)
    n = counts.sum()
    # Gaussian tubes: the concentration means are N(0, 1/n_k); the scatter within concentrations is an
    # independent chi-square with n - K degrees of freedom. SS0 = within + between.
    means = rng.standard_normal((n_draws, offsets.size)) / np.sqrt(counts)
    within = rng.chisquare(n - offsets.size, n_draws) if n > offsets.size else np.zeros(n_draws)
    grand = means @ (counts / n)
    ss0 = within + ((means - grand[:, None]) ** 2) @ counts
    shapes = _grid(offsets - offsets[0])
    out = np.concatenate(
        [_r2(means[i : i + CHUNK], ss0[i : i + CHUNK], counts, shapes)[0] for i in range(0, n_draws, CHUNK)]
    )
    return np.sort(out)


def _p_values(r2: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Monte Carlo p-values of observed ``r2`` against sorted null draws, with the extrapolated tail.

    Beyond the largest null draw the p-value is extrapolated from the top :data:`TAIL_SHARE` of the draws
    (``log P(R2 >= r)`` linear in ``log(1 - r)``), never above the Monte Carlo bound ``1 / (1 + m)``.
    """
    m = null.size
    exceed = m - np.searchsorted(null, r2, side="left")
    p = (1.0 + exceed) / (1.0 + m)
    beyond = exceed == 0
    if beyond.any():
        n_tail = max(50, int(m * TAIL_SHARE))
        top = null[-n_tail:]
        survival = np.arange(n_tail, 0, -1) / (1.0 + m)  # P(R2 >= top[i])
        keep = top < 1.0
        if keep.sum() >= 10:
            slope, intercept = np.polyfit(np.log1p(-top[keep]), np.log(survival[keep]), 1)
            if slope > 0:  # the survival falls as R2 nears 1, as it must
                with np.errstate(divide="ignore"):
                    tail = np.exp(intercept + slope * np.log1p(-np.minimum(r2[beyond], 1.0)))
                p[beyond] = np.clip(tail, np.finfo(float).tiny, p[beyond])
    return p


def _sorted_block(
    x: np.ndarray, y: np.ndarray | None, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Sort each curve's points by concentration (padding last); return x, y and the rounded design rows.

    Concentrations within :data:`DESIGN_ROUND` log units of each other count as one: dilution series
    written to a few significant figures differ by ~1e-4 log units from curve to curve, the null hardly.
    """
    xs = np.where(mask, x, np.inf)
    ys = None if y is None else np.where(mask, y, 0.0)
    unsorted = np.flatnonzero((np.diff(xs, axis=1) < 0).any(axis=1))  # tables are mostly in order already
    if unsorted.size:
        order = np.argsort(xs[unsorted], axis=1, kind="stable")
        xs[unsorted] = np.take_along_axis(xs[unsorted], order, axis=1)
        if ys is not None:
            ys[unsorted] = np.take_along_axis(ys[unsorted], order, axis=1)
    rel = np.where(np.isfinite(xs), np.round((xs - xs[:, :1]) / DESIGN_ROUND) * DESIGN_ROUND, np.inf)
    return xs, ys, rel


def _design_keys(rel: np.ndarray) -> np.ndarray:
    """Hash each design row to one number (a random weighted sum; equal rows give equal numbers)."""
    return np.where(np.isfinite(rel), rel, 1e6) @ np.random.default_rng(1).uniform(0.5, 1.5, rel.shape[1])


def _test_block(
    ys: np.ndarray, rel: np.ndarray, design_of: np.ndarray, nulls: dict, n_draws: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """R2, p-value and drop of a block of sorted curves, design by design."""
    r2, p, drop = (np.full(ys.shape[0], np.nan) for _ in range(3))
    for d in np.unique(design_of):
        members = np.flatnonzero(design_of == d)
        design = rel[members[0]]
        if not (rel[members] == design).all():  # a hash collision (never seen): test these rows apart
            for row in members:
                one = _test_block(ys[row : row + 1], rel[row : row + 1], np.array([-1 - row]), {}, n_draws)
                r2[row], p[row], drop[row] = (v[0] for v in one)
            continue
        points = design[np.isfinite(design)]
        offsets, start, counts = np.unique(points, return_index=True, return_counts=True)
        if offsets.size < 3:
            continue
        ys_c = ys[members][:, : points.size]
        means = np.add.reduceat(ys_c, start, axis=1) / counts
        grand = ys_c.mean(axis=1)
        ss0 = ((ys_c - grand[:, None]) ** 2).sum(axis=1)
        scale = np.maximum(np.abs(grand), 1.0)
        ss0 = np.where(ss0 <= 1e-24 * scale**2 * points.size, 0.0, ss0)  # equal tubes up to rounding
        r2[members], drop[members] = _r2(means, ss0, counts.astype(float), _grid(offsets))
        if d not in nulls:
            nulls[d] = null_r2(offsets, counts, n_draws)
        p[members] = np.where(ss0 > 0, _p_values(r2[members], nulls[d]), 1.0)
    return r2, p, drop


def displacement_test(x: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> DisplacementTest:
    """Test every curve for displacement (a falling sigmoid) against a horizontal line.

    Parameters
    ----------
    x
        ``(C, N)`` log10 concentrations, one curve per row (every replicate its own point).
    y
        ``(C, N)`` signal.
    mask
        ``(C, N)`` True for real points; None when every entry is one.

    Returns
    -------
    DisplacementTest
        R2, p-value and the fitted fall of every curve. A curve with fewer than three distinct
        concentrations, or non-finite points, is not tested (NaN). A curve whose tubes are all equal has
        R2 0 and p-value 1.

    Notes
    -----
    Curves sharing a design (the same concentrations relative to the lowest, to :data:`DESIGN_ROUND` log
    units, with the same replicates) share one simulated null distribution (:func:`null_r2`), so a screen
    of one plate layout simulates it once. With more than 100 designs each gets fewer draws
    (:data:`MAX_NULL_TOTAL` in all, at least :data:`MIN_NULL`), so that the test stays fast; the
    extrapolated tail then starts earlier.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mask = np.ones(x.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    c = x.shape[0]
    r2, p, drop = (np.full(c, np.nan) for _ in range(3))
    ok = np.where(mask, np.isfinite(x) & np.isfinite(y), True).all(axis=1) & mask.any(axis=1)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return DisplacementTest(r2, p, drop)
    blocks = [rows[i : i + BLOCK] for i in range(0, rows.size, BLOCK)]  # bounded temporaries
    keys = np.concatenate([_design_keys(_sorted_block(x[b], None, mask[b])[2]) for b in blocks])
    unique_keys, design_of = np.unique(keys, return_inverse=True)
    n_draws = max(MIN_NULL, min(N_NULL, MAX_NULL_TOTAL // unique_keys.size))
    nulls: dict = {}
    for i, block in zip(range(0, rows.size, BLOCK), blocks, strict=True):
        _, ys, rel = _sorted_block(x[block], y[block], mask[block])
        out = _test_block(ys, rel, design_of.ravel()[i : i + block.size], nulls, n_draws)
        r2[block], p[block], drop[block] = out
    return DisplacementTest(r2=r2, p_value=p, drop=drop)
