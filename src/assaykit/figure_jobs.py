"""Many figures drawn at once: a figure as a picklable job, drawn over every usable core.

A per-curve or per-animal figure is a pure function of its data, so a batch of them is a map. A
:class:`FigureJob` holds a module-level plot function and its arguments; :func:`draw_figures` calls them in
a process pool (:func:`assaykit.parallel.map_ordered`: the same files the plain loop writes, errors and
warnings as the loop raises them) with a progress callback; :func:`stage_figures` does it for the staged
files of a run's :class:`~assaykit.io.outputs.OutputSet`, so that the figures are written with the run's
other outputs, all or none. :func:`figure_bytes` and :func:`figures_bytes` draw figures into memory for
a report (small thumbnails: a lower resolution and a palette PNG, made from the figure's pixels). Within a
batch each process draws a plot function's figures on one figure, cleared between them
(:func:`assaykit.figure_reuse.reusing_figures`; the same files as new figures give).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.figure_reuse import release_figures, reusing_figures
from assaykit.parallel import MIN_ITEMS, map_ordered
from assaykit.plotting import figure_dpi

if TYPE_CHECKING:
    from assaykit.io.outputs import OutputSet

__all__ = [
    "PLOT_FORMATS",
    "FigureJob",
    "check_plot_format",
    "draw_figures",
    "figure_bytes",
    "figures_bytes",
    "small_png",
    "stage_figures",
    "write_figures",
]

#: Resolution of report thumbnails, dots per inch: a 4.5-inch figure is 450 pixels wide.
THUMBNAIL_DPI = 100
#: Colours of a palette PNG made by :func:`small_png`.
PALETTE_COLOURS = 256

#: Modules imported before a pool starts, so that forked workers share them instead of importing each.
_PRELOAD = (
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.mathtext",
    "PIL.PngImagePlugin",
)


def _warm_up(n_items: int) -> None:
    """Before a pool forks, load the fonts and build the mathtext grammar once here, not in every worker."""
    if n_items < MIN_ITEMS:
        return
    from assaykit.figure_layout import shared_mathtext

    shared_mathtext().parse("$10^{-9}$", 100)


@dataclass(frozen=True)
class FigureJob:
    """One figure to draw: ``func(*args, path=<file>, **kwargs)``.

    Parameters
    ----------
    func
        A module-level plot function that writes the figure to its ``path`` argument (the extension
        chooses the format) and returns the path, such as
        :func:`assaykit.binding.plots.plot_competition`. It must pickle (workers receive it by name).
    args, kwargs
        Its other arguments; they must pickle.
    """

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def draw(self, path: str | Path) -> Path:
        """Draw the figure into ``path`` (in this process) and return the path."""
        self.func(*self.args, path=Path(path), **self.kwargs)
        return Path(path)


def _draw(item: tuple[FigureJob, Path, int | None]) -> Path:
    job, path, dpi = item
    with figure_dpi(dpi):
        return job.draw(path)


def _draw_batch(item: tuple[FigureJob, Path, int | None]) -> Path:
    """:func:`_draw` one of a batch: the process keeps a figure of each size for the next one."""
    with reusing_figures():
        return _draw(item)


def _batch(
    func: Callable[[Any], Any],
    items: list[Any],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[Any]:
    """Map ``func`` over a batch of figures over every usable core (:func:`map_ordered`), with progress."""
    total = len(items)
    if progress is not None:
        progress(0, total)
    report = None if progress is None else (lambda done: progress(done, total))
    _warm_up(total)
    try:
        return map_ordered(func, items, progress=report, workers=workers, preload=_PRELOAD)
    finally:
        release_figures()  # the figures this process kept, when it drew (some of) the batch itself


def draw_figures(
    jobs: Sequence[FigureJob],
    paths: Sequence[str | Path],
    *,
    dpi: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Draw ``jobs[i]`` into ``paths[i]`` for every i, over every usable core.

    Parameters
    ----------
    jobs, paths
        The figures and their files, the same length; each folder must exist.
    dpi
        Resolution of raster figures; None for the house default (:data:`assaykit.plotting.DPI`).
    workers
        Worker processes; default :func:`assaykit.parallel.worker_count` (``ASSAYKIT_WORKERS``).
    progress
        Called as ``progress(done, total)``: first ``(0, total)``, then as figures are finished.

    Returns
    -------
    list of Path
        ``paths``, in order.

    Raises
    ------
    ValueError
        When ``jobs`` and ``paths`` differ in length.
    Exception
        What a plot function raised for the first figure (in order) that failed.
    """
    if len(jobs) != len(paths):
        raise ValueError(f"{len(jobs)} figure jobs but {len(paths)} paths")
    items = [(job, Path(path), dpi) for job, path in zip(jobs, paths, strict=True)]
    return _batch(_draw_batch, items, workers, progress)


def stage_figures(
    outputs: OutputSet,
    figures: Sequence[tuple[Path, FigureJob]],
    *,
    into: str = "--plot",
    dpi: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Draw figures into staged files of ``outputs``; they are written when the run is committed.

    Parameters
    ----------
    outputs
        The run's outputs; the folder of every target must have been added with
        :meth:`~assaykit.io.outputs.OutputSet.add_folder` under the option ``into``.
    figures
        ``(target file, job)`` pairs.
    into, dpi, workers, progress
        The folder's option, and as for :func:`draw_figures`.

    Returns
    -------
    list of Path
        The target files, in order.
    """
    with contextlib.ExitStack() as stack:
        # entered last to first: the stack closes them first to last, so the run lists them in order
        staged = [stack.enter_context(outputs.stage(target, into=into)) for target, _ in reversed(figures)]
        staged.reverse()
        draw_figures([job for _, job in figures], staged, dpi=dpi, workers=workers, progress=progress)
    return [target for target, _ in figures]


def small_png(data: bytes, colours: int = PALETTE_COLOURS) -> bytes:
    """Return a PNG re-encoded with a palette of at most ``colours`` colours (under half the bytes).

    A plot has few colours besides the shades its anti-aliased edges blend, so a palette of 256 keeps
    its look (each pixel moves by a few levels at most); the figure's white background has no
    transparency to lose. The resolution recorded in the file is kept.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        dpi = image.info.get("dpi")
        rgb = image.convert("RGB")
    return _palette_png(rgb, dpi, colours)


def _palette_png(rgb: Any, dpi: Any, colours: int = PALETTE_COLOURS) -> bytes:
    """Encode a PIL image as :func:`small_png` does (``dpi``: a pair, or None)."""
    from PIL import Image

    palette = rgb.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    # zlib's default level 6: Pillow's optimize (level 9) made the file 6% smaller in ten times the time
    palette.save(out, format="png", compress_level=6, **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


def figure_bytes(
    job: FigureJob, fmt: str = "png", *, dpi: int | None = THUMBNAIL_DPI, small: bool = True
) -> bytes:
    """Draw one figure into memory and return the bytes of its file, for embedding in a report.

    Parameters
    ----------
    job
        The figure.
    fmt
        ``"png"``, ``"svg"`` or ``"pdf"``.
    dpi
        Resolution of a PNG (default :data:`THUMBNAIL_DPI`); None for the house default.
    small
        Make a PNG a palette PNG (:func:`small_png`), under half the bytes at the same look.

    Returns
    -------
    bytes
        The file's content.
    """
    from assaykit.plotting import captured_pixels

    suffix = "." + str(fmt).lower().lstrip(".")
    small = small and suffix == ".png"
    with tempfile.TemporaryDirectory(prefix="assaykit-figure-") as folder:
        path = Path(folder) / f"figure{suffix}"
        # a palette PNG is made from the pixels: the figure's own PNG would be encoded to be decoded
        with captured_pixels() if small else contextlib.nullcontext([]) as pixels:
            _draw((job, path, dpi))
        if small and pixels:
            from PIL import Image

            rgba, size, at = pixels[-1]
            return _palette_png(
                Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("RGB"), (at, at)
            )
        data = path.read_bytes()  # a figure that was not written by save_figure
    return small_png(data) if small else data


def _bytes(item: tuple[FigureJob, str, int | None, bool]) -> bytes:
    job, fmt, dpi, small = item
    with reusing_figures():
        return figure_bytes(job, fmt, dpi=dpi, small=small)


def figures_bytes(
    jobs: Sequence[FigureJob],
    fmt: str = "png",
    *,
    dpi: int | None = THUMBNAIL_DPI,
    small: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[bytes]:
    """Return :func:`figure_bytes` of every job, in order, drawn over every usable core.

    ``workers`` and ``progress`` are as for :func:`draw_figures`; errors are raised as there.
    """
    return _batch(_bytes, [(job, fmt, dpi, small) for job in jobs], workers, progress)


#: The file formats of ``--plot-format``.
PLOT_FORMATS = ("png", "svg", "pdf")


def check_plot_format(plot_format: str) -> str:
    """Return ``plot_format`` (``png``, ``svg`` or ``pdf``, a leading dot allowed) in lower case.

    Raises
    ------
    AssayInputError
        When it is none of :data:`PLOT_FORMATS`.
    """
    from assaykit.errors import AssayInputError

    fmt = str(plot_format).lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        expected = ", ".join(PLOT_FORMATS)
        raise AssayInputError(f"unknown figure format '{plot_format}'; expected one of {expected}")
    return fmt


def write_figures(
    jobs: Sequence[tuple[str, FigureJob]],
    directory: str | Path,
    outputs: OutputSet | None = None,
    *,
    plot_format: str = "png",
    progress: Callable[[int, int], None] | None = None,
    stage: str = "figures",
) -> list[Path]:
    """Write ``(file stem, job)`` figures into the ``--plot`` folder ``directory``, over every usable core.

    Parameters
    ----------
    jobs
        The figures, each with its file stem (no extension; distinct).
    directory
        The folder; made if needed.
    outputs
        The run's outputs, to stage the figures in (written when it is committed); None to write them
        now, all or none.
    plot_format
        ``png`` (200 dpi), ``svg`` or ``pdf``: the files' format and extension.
    progress
        Called as ``progress(done, total)`` as figures are finished; told the ``stage`` first
        (:func:`assaykit.progress.start_stage`).
    stage
        The progress stage's label.

    Returns
    -------
    list of Path
        The figure files, in the order of ``jobs``.

    Raises
    ------
    AssayInputError
        For an unknown ``plot_format`` (before anything is drawn), or a folder or file that cannot be
        written.
    """
    from assaykit.io.outputs import run_outputs
    from assaykit.progress import start_stage

    fmt = check_plot_format(plot_format)
    directory = Path(directory)
    with run_outputs(outputs) as out:
        out.add_folder(directory, "--plot")
        if not jobs:
            return []
        start_stage(progress, stage)
        figures = [(directory / f"{stem}.{fmt}", job) for stem, job in jobs]
        return stage_figures(out, figures, progress=progress)
