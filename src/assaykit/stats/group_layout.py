"""Where each group stands on a group figure, and its colour: a dose series, and a positive control set apart.

A pharmacology study gives a test compound at several doses beside a vehicle control and, often, a
reference drug of known effect (the positive control: diazepam beside a new anxiolytic). The design's
``compound`` column says which drug each group is of (:mod:`assaykit.stats.design`). The figures read the
dose series as one block (the control, then the doses, in shades of one blue that darken with the dose)
and set every other compound apart: after a gap and a dotted separator, labelled with its name, in its own
colour. Without a ``compound`` column, or with one compound only, the groups stand side by side in the
house palette, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assaykit.stats.group_lanes import CONTROL_COLOUR, GROUP_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The gap before a block of another compound, in group spacings.
GAP = 0.7
#: The dose series, lightest (lowest dose) to darkest (ColorBrewer Blues, 4 to 8 of 9).
SERIES_COLOURS = ("#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B")
#: The colours of the other compounds (Okabe-Ito, none of them a blue of the series).
OTHER_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000")
_SEPARATOR = "#9A9A9A"


@dataclass(frozen=True)
class GroupLayout:
    """The place and colour of each group of a figure, and the blocks of compounds.

    Attributes
    ----------
    positions
        The x of each group, in the figure's order.
    colours
        The colour of each group.
    blocks
        ``(compound, first x, last x)`` of each block of one compound, when the groups hold more than
        one; empty otherwise.
    series
        The compound of the dose series (the one with the most groups), ``""`` without compounds.
    compounds
        The compound of each group (``""`` for the control and groups without one).
    """

    positions: tuple[float, ...]
    colours: tuple[str, ...]
    blocks: tuple[tuple[str, float, float], ...] = ()
    series: str = ""
    compounds: tuple[str, ...] = ()

    def is_apart(self, index: int) -> bool:
        """Whether the group at ``index`` is of another compound than the dose series (set apart)."""
        return bool(self.blocks) and self.compounds[index] not in ("", self.series)


def group_layout(
    order: Sequence[str], control: str | None, compounds: Mapping[str, str] | None = None
) -> GroupLayout:
    """Place and colour the groups: the control and the dose series together, other compounds apart.

    Parameters
    ----------
    order
        The groups, left to right (:func:`assaykit.stats.inputs.group_order` puts the control first and
        keeps each compound's groups together, by dose).
    control
        The control group (grey, and of no compound).
    compounds
        The compound of each group (the design's ``compound`` column); None or one compound: no blocks.

    Returns
    -------
    GroupLayout
    """
    named = {str(g): str(c).strip() for g, c in (compounds or {}).items()}
    labels = ["" if g == control else named.get(g, "") for g in order]
    present = [c for c in labels if c]
    kinds = list(dict.fromkeys(present))
    if len(kinds) < 2:
        others = iter(GROUP_COLOURS * (len(order) // len(GROUP_COLOURS) + 1))
        colours = tuple(CONTROL_COLOUR if g == control else next(others) for g in order)
        return GroupLayout(tuple(float(i) for i in range(len(order))), colours, compounds=tuple(labels))
    series = max(kinds, key=lambda c: (present.count(c), -kinds.index(c)))
    doses = sum(1 for c in labels if c == series)
    shades = _shades(doses)
    apart = iter(OTHER_COLOURS * len(kinds))
    own = {c: next(apart) for c in kinds if c != series}
    positions: list[float] = []
    colours: list[str] = []
    blocks: list[list] = []
    x, seen = -1.0, 0
    for name, compound in zip(order, labels, strict=True):
        x += 1.0
        if compound and blocks and blocks[-1][0] != compound:
            x += GAP
        if compound and (not blocks or blocks[-1][0] != compound):
            blocks.append([compound, x, x])
        elif compound:
            blocks[-1][2] = x
        positions.append(x)
        if name == control:
            colours.append(CONTROL_COLOUR)
        elif compound == series:
            colours.append(shades[seen])
            seen += 1
        else:
            colours.append(own.get(compound, GROUP_COLOURS[0]))
    return GroupLayout(
        tuple(positions), tuple(colours), tuple((c, a, b) for c, a, b in blocks), series, tuple(labels)
    )


def _shades(n: int) -> list[str]:
    """``n`` blues of the series, spread over :data:`SERIES_COLOURS` from light to dark (cycled past 5)."""
    last = len(SERIES_COLOURS) - 1
    if n == 1:
        return [SERIES_COLOURS[2]]
    if n > last + 1:
        return [SERIES_COLOURS[i % (last + 1)] for i in range(n)]
    return [SERIES_COLOURS[round(i * last / (n - 1))] for i in range(n)]


def draw_blocks(ax: Axes, layout: GroupLayout) -> None:
    """Separate the blocks of compounds with dotted lines and name each above its groups.

    The separators (gid ``separator:<compound>``) stand in the gap before each block after the first;
    the names (gid ``compound:<compound>``) sit just above the axes, centred on their block.
    """
    if not layout.blocks:
        return
    from matplotlib.transforms import blended_transform_factory

    over = blended_transform_factory(ax.transData, ax.transAxes)
    for i, (compound, first, last) in enumerate(layout.blocks):
        if i:
            ax.axvline(
                first - 0.5 - GAP / 2, color=_SEPARATOR, linewidth=0.8, linestyle=":", zorder=1
            ).set_gid(f"separator:{compound}")
        ax.text(
            (first + last) / 2,
            1.01,
            compound,
            transform=over,
            ha="center",
            va="bottom",
            fontsize=8,
            fontstyle="italic" if compound != layout.series else "normal",
            color="#333333",
            gid=f"compound:{compound}",
        )
