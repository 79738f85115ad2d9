"""The student's own data in the Playground: upload a CSV, switch to it, click points on and off the plane.

The points live in st.session_state[USER_POINTS] (they cannot travel in a link); the config names them
by data set, as it names a generated set. Every change of the points restarts the run on them, keeping
every other setting, as changing the data does in TF Playground.
"""
from __future__ import annotations

import streamlit as st

from mlp.text_safety import literal
from mlp.engine.datasets import DATASETS
from mlp.figures.palette import CLASS_COLOURS
from mlp.run.own_points import (FORMAT_NOTE, MAX_CLASSES, PROBLEMS, TEMPLATE_CSV, USER_SETS, UserDataError, UserPoints,
                          parse_csv)

from mlp.ui import lesson_controls
from mlp.ui.state import USER_POINTS, Run

UPLOAD_KEY = "user_upload"
PROBLEM_KEY = "user_problem"
MESSAGES_KEY = "user_messages"     # (kind, lines) from the last upload: kind "error" or "info"
EDIT_KEY = "view_edit_points"
CLASS_KEY = "edit_points_class"
VALUE_KEY = "edit_points_value"
EDIT_PROBLEMS_KEY = "edit_points_problems"
EDITED_KEY = "edit_points_edited"  # a click changed the data: the whole page must show it
MAX_UPLOAD_MB = 1
# Each class's chip edged in its colour on the plot (Streamlit's named colours were brown and royal blue)
CHIP_CSS = "<style>" + "".join(
    f".st-key-{CLASS_KEY} button:nth-of-type({k + 1}) {{ border-left: 7px solid {colour}; }}"
    for k, colour in enumerate(CLASS_COLOURS)) + "</style>"


def session_points() -> UserPoints | None:
    return st.session_state.get(USER_POINTS)


def receive_upload(run: Run, data: bytes, problem: str = "auto") -> bool:
    """Read an uploaded file: on success train on its points; else list every problem (the run goes on)."""
    try:
        points, notes = parse_csv(data, problem)
    except UserDataError as err:
        st.session_state[MESSAGES_KEY] = ("error", ["The file was not used:"] + err.problems)
        return False
    if not run.use_points(points):
        st.session_state[MESSAGES_KEY] = ("error", ["The file was not used:"] + run.problems)
        return False
    kind = "classes" if points.problem == "classification" else "values"
    st.session_state[MESSAGES_KEY] = ("info", [f"Training on your {len(points)} points ({kind})."] + notes)
    return True


def _uploaded(run: Run) -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:                   # the file was removed from the box: the data stays
        st.session_state.pop(MESSAGES_KEY, None)
        return
    receive_upload(run, file.getvalue(), st.session_state.get(PROBLEM_KEY, "auto"))


def data_upload(run: Run) -> None:
    """The sidebar's "Your own data": upload, what was read or what is wrong, template, download."""
    rules = lesson_controls.rules()
    allowed = rules.control("points", FORMAT_NOTE, locked_by=("dataset",))
    if allowed is None:
        return
    st.markdown("**Your own data**", help=FORMAT_NOTE)
    st.radio("The third column holds", list(PROBLEMS), format_func=PROBLEMS.get, key=PROBLEM_KEY, horizontal=True,
             on_change=_uploaded, args=(run,),
             **rules.control("points", "Detect: whole numbers 0–4 are classes, anything else a value to predict.",
                             locked_by=("dataset",)))
    st.file_uploader("Upload a CSV file", type=["csv", "txt", "tsv"], key=UPLOAD_KEY, on_change=_uploaded,
                     args=(run,), max_upload_size=MAX_UPLOAD_MB, **allowed)
    kind, lines = st.session_state.get(MESSAGES_KEY, (None, []))
    if lines:
        text = lines[0] + "\n\n" + "\n".join(f"- {literal(line)}" for line in lines[1:])
        (st.error if kind == "error" else st.info)(text)
    left, right = st.columns(2)
    left.download_button("Template", TEMPLATE_CSV, "points_template.csv", "text/csv", on_click="ignore",
                         icon=":material/download:", help=FORMAT_NOTE)
    points = session_points()
    if points is not None:
        right.download_button("Your points", points.to_csv(), "my_points.csv", "text/csv", on_click="ignore",
                              icon=":material/download:",
                              help="Your points as they are now (after any scaling and clicks), as CSV.")


# -- clicking points on and off the plane ----------------------------------------------------------


def click_on_plane(run: Run, payload) -> None:
    """A click on the decision-boundary chart: {"x", "y", "on": the trace clicked}.

    On a point ("train" or "test" trace): remove the nearest point of that part; every other point keeps
    its part and its place. Elsewhere ("output", the
    heatmap): add a point of the chosen class or value; it trains, so it is drawn where it was clicked
    (UserPoints.dataset). The first edit of a generated set copies its points (train and test, each kept
    in its part) into the session's own data.
    """
    try:
        x, y, on = float(payload["x"]), float(payload["y"]), str(payload.get("on", ""))
    except (TypeError, KeyError, ValueError, AttributeError):
        return                                   # not a click on the plane
    own = run.config.dataset in USER_SETS and session_points() is not None
    base = session_points() if own else UserPoints.from_dataset(run.trainer.data, run.config)
    try:
        if on in ("train", "test"):
            points = base.removed_near(x, y, run.config, part=on)
        elif base.problem == "classification":
            points = base.added(x, y, st.session_state.get(CLASS_KEY) or 0)
        else:
            points = base.added(x, y, float(st.session_state.get(VALUE_KEY, 0.0)))
    except UserDataError as err:
        st.session_state[EDIT_PROBLEMS_KEY] = err.problems
        return
    st.session_state.pop(EDIT_PROBLEMS_KEY, None)
    if run.use_points(points):
        st.session_state[EDITED_KEY] = True


def rerun_page_if_edited() -> None:
    """Call inside the live fragment, where a click on the plane arrives: after an edit, rerun the whole
    page, since the data column, the sidebar and the Play button must show the new data too."""
    if st.session_state.pop(EDITED_KEY, False):
        st.rerun(scope="app")


def edit_controls(run: Run) -> bool:
    """The "Edit points" toggle and what a click adds, one under the other (the stage's narrow DATA
    column); True while editing."""
    allowed = lesson_controls.rules().control(
        "points", "Click the plane to add a point, click a point to remove it. The first edit turns the current "
                  "set into your own data; every edit restarts the run.", locked_by=("dataset",))
    if allowed is None:
        return False
    editing = st.toggle("Edit points", key=EDIT_KEY, **allowed)
    if not editing or allowed["disabled"]:
        return False
    c = run.config
    if c.problem == "classification":
        # a two-class set offers its two classes; a set of several classes (Blobs, your own) one more too
        several = c.n_output_classes > 2 or DATASETS[c.dataset].classes_from_config
        options = list(range(min(c.n_output_classes + several, MAX_CLASSES)))
        if st.session_state.get(CLASS_KEY) not in options:
            st.session_state[CLASS_KEY] = 0
        st.html(CHIP_CSS)
        # pills wrap in the narrow column where a segmented control would run out of it
        st.pills("Add class", options, key=CLASS_KEY, required=True, format_func=lambda k: f"class {k}",
                 help="The class of the points a click adds, edged in its colour on the plot"
                      + (" (one more class turns the problem into one with more classes)." if several else "."))
    else:
        st.slider("Add value", -1.0, 1.0, 0.5, 0.1, key=VALUE_KEY, help="The target value a click adds.")
    d = run.trainer.data
    st.caption(f"{len(d.X_train) + len(d.X_test)} points ({len(d.X_train)} to train, {len(d.X_test)} to test). "
               "Click the plane to add a point, click a point to remove it.")
    for problem in st.session_state.get(EDIT_PROBLEMS_KEY, []):
        st.warning(literal(problem))
    return True


def editing_points() -> bool:
    """Whether the "Edit points" toggle is on and allowed, before it is drawn (the output chart above it
    must know whether its clicks edit points)."""
    allowed = lesson_controls.rules().control("points", locked_by=("dataset",))
    return bool(allowed and not allowed["disabled"] and st.session_state.get(EDIT_KEY, False))
