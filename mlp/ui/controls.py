"""The settings widgets, generated from the config's field table.

Every widget's label, help text, range and choices come from `mlp.run.config.FIELDS` (whose choices come
from the engine's registries), so nothing here repeats them. The config is the one source of truth:
before drawing, each widget's state is set from it; a change goes through `Run.propose`, and a
refused change puts the widget back and shows why.
"""
from __future__ import annotations

import streamlit as st

from mlp.run.config import FIELD, MAX_HIDDEN_LAYERS, MAX_WIDTH
from mlp.run.own_points import USER_SETS

from mlp.ui import lesson_controls
from mlp.ui.state import Run
from mlp.ui.own_points_panel import data_upload, session_points

# TF Playground's learning rates; any other value can be typed in.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)      # TF Playground's menu of λ

SECTIONS = {
    "Data": ("dataset", "n_classes", "noise", "train_fraction", "n_samples", "data_seed"),
    "Network": ("activation", "output", "init", "init_gain", "bias_init", "seed"),
    "Training": ("optimizer", "lr", "momentum", "beta1", "beta2", "batch_size", "schedule", "schedule_period",
                 "schedule_factor", "regularization", "reg_rate", "dropout", "clip_norm", "tripwire",
                 "target_loss"),
}


SECTION_EXTRAS = {"Data": ("features",), "Network": ("hidden",)}     # drawn below a section's fields
# On the Playground these are drawn on the stage (mlp/ui/stage.py), not in the sidebar.
ON_STAGE = ("noise", "lr", "activation", "regularization", "reg_rate")


def relevant(key: str, run: Run) -> bool:
    """Hide settings that do nothing with the current choices."""
    c = run.config
    generated = c.dataset not in USER_SETS
    return {
        "n_classes": c.dataset == "blobs",
        "noise": generated,
        "n_samples": generated,
        "momentum": c.optimizer == "momentum",
        "beta1": c.optimizer == "adam",
        "beta2": c.optimizer == "adam",
        "schedule_period": c.schedule != "constant",
        "schedule_factor": c.schedule != "constant",
        "reg_rate": c.regularization != "none",
    }.get(key, True)


# Init gains a lab offers on a slider: log-like steps with the interesting values near 1.
GAINS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.41, 1.5, 2.0, 3.0, 5.0, 10.0)


def parse_widths(text: str) -> tuple[int, ...]:
    """"4, 4" -> (4, 4); ValueError with a sentence a student can act on."""
    try:
        return tuple(int(t) for t in text.replace(" ", "").split(",") if t)
    except ValueError:
        raise ValueError(f"hidden layer widths must be whole numbers separated by commas; got {text!r}") from None


def field_widget(name: str, value, *, key: str, on_change, args=(), container=st, label: str | None = None,
                 extra_choices=(), disabled: bool = False):
    """The widget of config field `name`, showing `value`: every page's settings are drawn by this.

    Label, help, range and choices come from FIELDS (choices from the registries). The config stays
    the source of truth: the widget's state is set from `value` before drawing. `on_change(*args,
    new_value)` gets the new value (None for a cleared number box; hidden widths as text). A teacher's
    link can hide it (nothing drawn, returns None) or lock it (drawn disabled); `disabled` draws it
    disabled too (a setting that does nothing now). Data sets of the student's own points are offered
    only if current or in `extra_choices`.
    """
    f = FIELD[name]
    allowed = lesson_controls.rules().control(name, f"{f.help} Comma-separated, e.g. 4, 4." if f.kind == "ints" else f.help)
    if allowed is None:           # hidden by the teacher's link
        return None
    st.session_state[key] = ", ".join(map(str, value)) if f.kind == "ints" else value
    common = dict(key=key, on_change=lambda: on_change(*args, st.session_state[key]),
                  **{**allowed, "disabled": allowed["disabled"] or disabled})
    text = label or f.label
    if f.kind == "choice":
        options = {k: v for k, v in f.choices().items()
                   if name != "dataset" or k not in USER_SETS or k == value or k in extra_choices}
        return container.selectbox(text, list(options), format_func=options.get, **common)
    if name == "lr":              # TF Playground's log-scale steps, plus the current value if typed in
        return container.select_slider(text, sorted({*LEARNING_RATES, value}), format_func=lambda v: f"{v:g}",
                                       **common)
    if name == "reg_rate":        # TF Playground's steps (a linear 0..10 slider cannot hit 0.001), plus the value
        return container.select_slider(text, sorted({*REG_RATES, value}), format_func=lambda v: f"{v:g}",
                                       **common)
    if name == "init_gain":
        options = sorted({g for g in GAINS if f.lo <= g <= f.hi} | {value})
        return container.select_slider(text, options, format_func=lambda v: f"{v:g}", **common)
    if f.kind == "ints":
        return container.text_input(text, **common)
    if f.kind == "int":
        return container.number_input(text, int(f.lo), int(f.hi), step=1, **common)
    if f.kind == "float" and f.hi - f.lo > 100:       # a slider cannot hit small values of a wide range
        return container.number_input(text, float(f.lo), float(f.hi), format="%g", **common)
    if f.kind == "float":
        # %g: the digits a value needs (0.999 reads 0.999, not 1.00; 0.5 reads 0.5)
        return container.slider(text, float(f.lo), float(f.hi), step=(f.hi - f.lo) / 100, format="%g", **common)
    raise ValueError(f"no widget for field kind {f.kind!r}")


def settings_key(key: str) -> str:
    """The session-state key of config field `key`'s widget."""
    return f"setting_{key}"


def settings_apply(run: Run, key: str, value) -> None:
    """A settings widget's new value, proposed to the run (the student's own points switched to)."""
    if value is None:             # a cleared number box: nothing to apply
        return
    if key == "dataset" and value in USER_SETS:
        run.use_points(session_points())              # the session's own points (offered only if any)
        return
    run.propose(**{key: value})


def _widget(key: str, run: Run) -> None:
    value = getattr(run.config, key)
    points = session_points() if key == "dataset" else None
    field_widget(key, value, key=settings_key(key), on_change=settings_apply, args=(run, key),
                 extra_choices=(points.dataset_name,) if points is not None else ())


def typed_learning_rate(run: Run) -> None:
    """A box for any learning rate, beside the steps of the learning-rate slider; hidden or locked with it."""
    allowed = lesson_controls.rules().control("lr", "Any value from 0.00001 to 10.")
    if allowed:
        f = FIELD["lr"]
        field_key = settings_key("lr_typed")
        st.session_state[field_key] = run.config.lr
        st.number_input("…or type a learning rate", min_value=f.lo, max_value=f.hi, format="%.5g", key=field_key,
                        on_change=lambda: settings_apply(run, "lr", st.session_state[field_key]), **allowed)


def problem_caption(run: Run) -> None:
    c = run.config
    kind = "regression" if c.problem == "regression" else f"classification, {c.n_output_classes} classes"
    st.caption(f"Problem type: {kind}")


def features_widget(run: Run) -> None:
    f, wkey = FIELD["features"], settings_key("features")
    allowed = lesson_controls.rules().control("features", f.help)
    if allowed is None:
        return
    options = f.choices()
    st.session_state[wkey] = list(run.config.features)
    st.pills(f.label, list(options), selection_mode="multi", format_func=options.get, key=wkey,
             on_change=lambda: settings_apply(run, "features", st.session_state[wkey]), **allowed)


NEW_LAYER_WIDTH = 4          # the width of a first hidden layer added to a net without one


def one_layer_more(hidden: tuple[int, ...]) -> tuple[int, ...]:
    """TF Playground's + over the layers: one more hidden layer, as wide as the last (the same for the
    sidebar's button and the network's)."""
    return (*hidden, hidden[-1] if hidden else NEW_LAYER_WIDTH)


def hidden_layers_widget(run: Run) -> None:
    """TF Playground's + / − layer buttons and a width per layer."""
    rules, hidden = lesson_controls.rules(), list(run.config.hidden)
    if rules.hides("hidden"):
        return
    locked = rules.locks("hidden")
    st.markdown(f"**Hidden layers: {len(hidden)}**", help=FIELD["hidden"].help)
    add, remove = st.columns(2)
    add.button("+ layer", width="stretch", disabled=locked or len(hidden) >= MAX_HIDDEN_LAYERS,
               on_click=lambda: run.propose(hidden=one_layer_more(tuple(hidden))),
               help=rules.control("hidden", "Add a hidden layer (as wide as the last one).")["help"])
    remove.button("− layer", width="stretch", disabled=locked or not hidden,
                  on_click=lambda: run.propose(hidden=tuple(hidden[:-1])),
                  help=rules.control("hidden", "Remove the last hidden layer.")["help"])
    wkey = settings_key("hidden")
    st.session_state[wkey] = ", ".join(map(str, hidden))
    st.text_input("Widths, first to last", key=wkey, on_change=_hidden_typed, args=(run,),
                  **rules.control("hidden", f"Units per hidden layer, separated by commas, each 1 to {MAX_WIDTH}; "
                                            "e.g. 8, 8, 4."))


def _hidden_typed(run: Run) -> None:
    try:
        widths = parse_widths(st.session_state[settings_key("hidden")])
    except ValueError as err:
        run.refuse([str(err)])
        return
    run.propose(hidden=widths)


def settings_sidebar(run: Run, skip: tuple[str, ...] = ()) -> None:
    """The run's settings, in the sidebar, grouped as TF Playground groups them; `skip` the ones the
    page draws elsewhere."""
    rules = lesson_controls.rules()
    with st.sidebar:
        for title, keys in SECTIONS.items():
            keys = tuple(k for k in keys if k not in skip)
            if all(rules.hides(key) for key in (*keys, *SECTION_EXTRAS.get(title, ()))):
                continue          # the teacher's link hid all of it
            with st.expander(title, expanded=title != "Training"):
                for key in keys:
                    if relevant(key, run):
                        _widget(key, run)
                if title == "Data":
                    problem_caption(run)
                    features_widget(run)
                    data_upload(run)
                if title == "Network":
                    hidden_layers_widget(run)
                if title == "Training":
                    typed_learning_rate(run)
