"""Human-readable terminal table for tracking endpoints (full precision stays in the written files)."""

from __future__ import annotations

import pandas as pd

from assaykit.formatting import sig
from assaykit.tracking.batch import AssaySpec


def format_endpoints(endpoints: pd.DataFrame, spec: AssaySpec) -> str:
    """Render one line per animal: the assay's display columns to 3-4 significant figures, then flags.

    Parameters
    ----------
    endpoints
        The endpoint table of a tracking run.
    spec
        The assay, whose ``display`` names the columns to show.

    Returns
    -------
    str
        An aligned text table.
    """
    table = pd.DataFrame({"animal": endpoints["animal"]})
    for column, heading in spec.display:
        values = endpoints[column]
        if column.endswith(("_entries", "transitions")):  # counts
            table[heading] = values.map(lambda v: "" if v != v else f"{v:.0f}")
        else:
            table[heading] = values.map(lambda v: sig(v, 4))
    table["flags"] = endpoints["flags"].fillna("").map(lambda f: f if len(f) <= 40 else f[:37] + "...")
    return table.to_string(index=False)
