"""The methods paragraph of an EPM or light-dark box run, written from its protocol and what it read.

Every sentence comes from the run's resolved protocol (:attr:`TrackingRun.protocol
<assaykit.tracking.workflow.TrackingRun>`: the preset's arena and options merged with the command line), its
unit and input (pose keypoints or one tracked point, zone polygons or labels) and its endpoint table, so a
changed setting changes the paragraph and no step is described that did not run (no keypoint cleaning
without pose files, no posture sentence without head dips or stretched-attend postures in the table).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from assaykit.methods import MethodsText, Sentence, assaykit_version, compose, count, join_words, number

if TYPE_CHECKING:
    from assaykit.tracking.workflow import TrackingRun

__all__ = ["tracking_methods"]

_ASSAY = {
    "epm": ("Elevated plus-maze", ("pellow1985", "walf2007")),
    "ldb": ("Light-dark box", ("crawley1980", "bourin2003")),
}


def _data_sentence(run: TrackingRun, version: str) -> Sentence:
    flags = run.endpoints["flags"].fillna("").astype(str)
    not_analysed = flags.str.startswith("error:") | flags.str.split(";").map(lambda f: "unusable" in f)
    name, _ = _ASSAY.get(run.protocol.assay, (run.protocol.assay, ()))
    kind = "pose-estimation keypoints" if run.pose else "tracked positions"
    formats = f" ({join_words(run.formats)} files)" if run.formats else ""
    text = (
        f"{name} sessions were analysed with assaykit {version} (protocol '{run.protocol.name}'): "
        f"{count(len(run.endpoints), 'animal')}, from {kind}{formats}"
    )
    if not_analysed.any():
        n_bad = count(int(not_analysed.sum()), "animal")
        text += f"; {n_bad} could not be analysed or had too little usable track"
    return Sentence(text)


def _arena_text(run: TrackingRun) -> str:
    proto = run.protocol
    table = dict(proto.arena_table or {})
    if proto.options.get("zones"):
        return f"the zone polygons of {Path(str(proto.options['zones'])).name}, drawn over the video frame"
    if proto.zone_tables:
        return "the zone polygons listed in the protocol"
    if run.arena is None:
        return "the zone each frame was labelled with by the tracking software"
    if proto.assay == "epm" and table:
        centre, length, width = (
            number(table.get(k, 0)) for k in ("center_size_cm", "arm_length_cm", "arm_width_cm")
        )
        return (
            f"the maze's geometry: a {centre} × {centre} cm centre and arms {length} cm long and {width} cm "
            f"wide, the open arms along {table.get('open_axis', 'x')}"
        )
    if proto.assay == "ldb" and table:
        width, depth, divider = (number(table.get(k, 0)) for k in ("width_cm", "depth_cm", "divider_cm"))
        return (
            f"the box's geometry: {width} × {depth} cm, divided {divider} cm from the low-x wall, the light "
            f"compartment on the {table.get('light_side', 'high')}-x side"
        )
    return "the protocol's arena"


def _zones_sentence(run: TrackingRun) -> Sentence:
    kinds = join_words(sorted(set(run.arena.kinds))) if run.arena is not None else ""
    listed = f" ({kinds})" if kinds else ""
    return Sentence(f"Zones{listed} came from {_arena_text(run)}")


def _scale_sentence(run: TrackingRun) -> Sentence | None:
    px = run.protocol.options.get("px_per_cm")
    if run.arena is None:
        return None
    if run.unit == "px":
        return Sentence(
            "The positions had no scale (pixels without px_per_cm), so zones were tested in pixels and "
            "distances, speeds and postures were not computed"
        )
    if px is not None and run.image_coordinates:
        return Sentence(f"Pixel coordinates were converted to cm at {number(px)} px/cm")
    return None


def _cleaning_sentence(run: TrackingRun) -> Sentence:
    options = run.protocol.options
    gap = int(options["max_gap_frames"])
    fill = (
        f"runs of up to {count(gap, 'frame')} without a position were filled by linear interpolation"
        if gap > 0
        else "missing positions were not interpolated"
    )
    if not run.pose:
        return Sentence(f"Before the zones were scored, {fill}")
    cleaning = run.protocol.cleaning
    steps = []
    if cleaning.confidence is not None:
        steps.append(
            f"keypoints with a confidence score (likelihood) below {number(cleaning.confidence)} were removed"
        )
    smooth = None
    cites: tuple[str, ...] = ()
    if cleaning.median_window is not None:
        smooth = f"each keypoint was smoothed by a rolling median over {cleaning.median_window} frames"
    elif cleaning.savgol_window is not None:
        smooth = (
            f"each keypoint was smoothed by a Savitzky-Golay filter ({cleaning.savgol_window} frames, order "
            f"{cleaning.savgol_order})"
        )
        cites = ("savitzky1964",)
    if smooth and cleaning.smooth_first:
        steps += [smooth + " before interpolation", fill]
    else:
        steps += [fill] + ([smooth] if smooth else [])
    return Sentence(f"Pose data were cleaned in this order: {'; '.join(steps)}", cites)


def _entry_sentence(run: TrackingRun) -> Sentence:
    criterion = run.protocol.criterion
    parts = run.protocol.options.get("bodypart")
    if run.pose:
        chosen = (
            f"the keypoints {join_words(str(parts).split(','))}" if parts else "every keypoint of the file"
        )
        if criterion.rule.kind == "all-points":
            where = (
                f"an animal was in a zone when all of {chosen} were in it (the all-four-paws rule of "
                "manual scoring)"
            )
        elif criterion.rule.kind == "fraction":
            share = number(100 * criterion.rule.fraction)
            where = f"an animal was in a zone when at least {share}% of {chosen} were in it"
        else:
            where = f"an animal's position was the centroid of {chosen}"
    else:
        where = "an animal's position was its tracked point"
    cites = ("pellow1985", "walf2007") if run.pose and criterion.rule.kind != "point" else ()
    text = f"Entry criterion: {where}"
    if run.unit == "cm" and criterion.hysteresis_cm > 0:
        text += (
            f"; it left a zone only once more than {number(criterion.hysteresis_cm)} cm beyond the zone's "
            "border (a zone exit threshold, so that flicker across a border is not an entry)"
        )
    if criterion.min_time_s > 0:
        text += f"; visits shorter than {number(criterion.min_time_s)} s were not counted as entries"
    return Sentence(text, cites)


def _session_sentence(run: TrackingRun) -> Sentence:
    options = run.protocol.options
    start = options.get("start_s")
    begin = "the first frame" if start is None else f"{number(start)} s"
    if options.get("end_s") is not None:
        window = f"from {begin} to {number(options['end_s'])} s (inclusive)"
    else:
        window = f"over the {number(options['duration_s'])} s from {begin}"
    text = f"Each session was scored {window}"
    if options.get("start_zone"):
        text += f"; an animal not in the {options['start_zone']} zone at its first frame was flagged"
    lost = float(options["max_lost"])
    text += (
        f"; the endpoints of an animal whose track was lost for more than {number(100 * lost)}% of it "
        "were left blank"
    )
    return Sentence(text)


def _endpoint_sentence(run: TrackingRun) -> Sentence | None:
    columns = set(run.endpoints.columns)
    if run.protocol.assay == "epm":
        said = [
            "time in the open arms as a percentage of the time in the open and closed arms",
            "open-arm entries as a percentage of all arm entries",
            "total arm entries",
            "the latency to the first open-arm entry",
        ]
        cites: tuple[str, ...] = ("pellow1985", "walf2007")
    elif run.protocol.assay == "ldb":
        said = [
            "the latency to enter the light compartment",
            "time in the light as a percentage of the time in the light and dark compartments",
            "light entries and transitions between the compartments",
        ]
        cites = ("crawley1980", "bourin2003")
    else:
        return None
    if "distance_cm" in columns and run.unit == "cm":
        said.append("distance travelled")
    return Sentence(f"Endpoints per animal were {join_words(said)}", cites)


def _posture_sentence(run: TrackingRun) -> Sentence | None:
    table = run.endpoints
    if run.protocol.assay != "epm" or "head_dips" not in table or not pd.notna(table["head_dips"]).any():
        return None
    o: dict[str, Any] = dict(run.protocol.options)
    return Sentence(
        "From the pose keypoints, a head dip was the head more than "
        f"{number(o['head_dip_min_cm'])} cm (and at most {number(o['head_dip_max_cm'])} cm) beyond an open "
        f"arm's outer edge for at least {number(o['head_dip_min_s'])} s, and a stretched-attend posture a "
        f"nose-to-tail-base length above the animal's mean + {number(o['sap_sd'])} SD while the tail base "
        f"moved slower than {number(o['sap_max_speed_cm_s'])} cm/s (over {number(o['speed_window_s'])} s) "
        f"for at least {number(o['sap_min_s'])} s (assaykit's operational thresholds)",
        ("rodgers1995", "walf2007"),
    )


def tracking_methods(run: TrackingRun) -> MethodsText:
    """Write the methods paragraph of an EPM or light-dark box run.

    Parameters
    ----------
    run
        A finished run (:func:`assaykit.tracking.workflow.run_tracking`).

    Returns
    -------
    MethodsText
        The paragraph (the animals and input, zones, scale, cleaning of the track or of pose keypoints,
        entry criterion, session window, endpoints, postures when scored) and the full citations.
    """
    return compose(
        [
            _data_sentence(run, assaykit_version()),
            _zones_sentence(run),
            _scale_sentence(run),
            _cleaning_sentence(run),
            _entry_sentence(run),
            _session_sentence(run),
            _endpoint_sentence(run),
            _posture_sentence(run),
        ]
    )
