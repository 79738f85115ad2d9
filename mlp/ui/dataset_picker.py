"""TF Playground's data set pictures as the picker: a click on one chooses it.

The pictures and names come from the data set registry (through FIELDS' choices, the names the menu
shows); a click goes through `Run.propose` like any other settings change, so a teacher's lock on the
data set holds here too (the buttons are also drawn disabled).
"""
from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from mlp.run.config import FIELD
from mlp.engine.datasets import DATASETS, make_dataset
from mlp.figures import dataset_preview_svg
from mlp.run.own_points import USER_SETS

from mlp.ui import lesson_controls
from mlp.ui.state import Run

_HERE = Path(__file__).resolve().parent
PREVIEW_PX = 52
_CSS = f"""
.mlp-picker {{ display: grid; grid-template-columns: repeat(2, 1fr); gap: 6px; container-type: inline-size; }}
.mlp-set {{ display: flex; flex-direction: column; align-items: center; gap: 2px; padding: 3px 2px;
  border: 2px solid transparent; border-radius: 6px; background: none; cursor: pointer;
  font: inherit; font-size: 0.75rem; line-height: 1.1; color: inherit; min-width: 0; }}
.mlp-set img {{ width: {PREVIEW_PX}px; height: {PREVIEW_PX}px; display: block; }}
.mlp-set span {{ text-align: center; overflow-wrap: break-word; hyphens: manual; }}
/* a narrow DATA column (a 1000 px screen, or a sidebar beside the stage): smaller names, never "Exclusiv/e" */
@container (max-width: 132px) {{ .mlp-set {{ font-size: 0.64rem; letter-spacing: -0.01em; }} }}
.mlp-set:hover {{ border-color: #b8d4e8; }}
.mlp-set.mlp-chosen {{ border-color: #0877bd; font-weight: 600; }}
.mlp-set:disabled {{ cursor: not-allowed; opacity: 0.6; }}
"""
_picker = st.components.v2.component("mlp_dataset_picker", js=(_HERE / "dataset_picker.js").read_text("utf-8"),
                                     css=_CSS)
PICKED_KEY = "dataset_picker"


@functools.lru_cache(maxsize=64)
def previews(noise: float, data_seed: int, n_classes: int) -> tuple[dict, ...]:
    """Every generated data set at these settings as {name, label, help, svg}; immutable once made,
    so shared between sessions."""
    labels = FIELD["dataset"].choices()
    out = []
    for name, spec in DATASETS.items():
        if name in USER_SETS:         # the student's own points: nothing to preview here
            continue
        d = make_dataset(name, 200, noise, 0.5, data_seed, n_classes)
        out.append({"name": name, "label": labels[name], "help": spec.help,
                    "svg": dataset_preview_svg(d.X_train, d.y_train, problem=spec.problem, size=PREVIEW_PX)})
    return tuple(out)


def _picked(run: Run) -> None:
    picked = (st.session_state.get(PICKED_KEY) or {}).get("picked")
    if picked and picked.get("name") in DATASETS and picked["name"] not in USER_SETS:
        run.propose(dataset=picked["name"])


def dataset_picker(run: Run) -> None:
    """The pictures of every data set, the current one outlined; hidden or locked by a lesson link."""
    rules = lesson_controls.rules()
    if rules.hides("dataset") or rules.hides("gallery"):
        return
    c = run.config
    _picker(data={"sets": list(previews(c.noise, c.data_seed, c.n_classes)), "chosen": c.dataset,
                  "locked": rules.locks("dataset")},
            key=PICKED_KEY, on_picked_change=lambda: _picked(run))
