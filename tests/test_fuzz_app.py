"""Random sequences of widget actions on the pages (AppTest): every outcome is a message or a valid run.

Hypothesis draws which widget to touch and what to put in it, including values a browser would never
send (out of range, garbage text), since a hand-edited link or a future widget could. After every
action the page must have raised nothing, and the run it holds must have a valid config.
"""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

from mlp.run.config import FIELD, Config

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["app.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]
TIMEOUT = 60
pytestmark = pytest.mark.slow      # dozens of page runs per test: the full suite's, not the fast tier's

# one action = (which widget, as a fraction of the widgets on the page; what to do, as a seed)
ACTIONS = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 2**32 - 1)),
                   min_size=1, max_size=5)
TEXTS = ["", "0", "-3", "8,8,8", "4, 2", "1e309", "nan", "256,256,256,256,256,256", "abc", "999999",
         ",,,", "3;4", "<b>x</b>", " 7 ", "9" * 400, ",".join(["256"] * 40), ",".join(["300"] * 1000), "٣,𝟗",
         "😀", "[x](javascript:alert(1))", "1_0", "0x10", "-0", "1e-320"]


def widgets(at: AppTest) -> list:
    kinds = (at.button, at.selectbox, at.slider, at.select_slider, at.number_input, at.toggle, at.checkbox,
             at.text_input, at.multiselect, at.radio, at.segmented_control)
    return [w for kind in kinds for w in kind if not getattr(w, "disabled", False)]


def _config_choices(widget) -> list | None:
    """The values (not labels) a settings widget chooses from, when it draws a config field."""
    field = FIELD.get((widget.key or "").removeprefix("setting_"))
    return sorted(field.choices()) if field is not None and field.choices else None


def _as_value(label, current):
    """Choice widgets list their options as shown (labels); give back a value of the widget's type."""
    if current is None or isinstance(current, str):
        return label
    try:
        return type(current)(label)
    except (TypeError, ValueError):
        return current


def act(widget, rng: np.random.Generator) -> None:
    kind = type(widget).__name__
    options = getattr(widget, "options", None) or []
    if kind == "Button":
        widget.click()
    elif kind in ("Toggle", "Checkbox"):
        widget.set_value(not widget.value)
    elif kind == "TextInput":
        widget.set_value(TEXTS[rng.integers(len(TEXTS))])
    elif kind == "NumberInput":
        lo = widget.min if widget.min is not None else -1e6
        hi = widget.max if widget.max is not None else 1e6
        # typed values inside, at and beyond every limit, and the extremes a float can hold
        edges = [lo, hi, lo - 1, hi + 1, 0, 1e308, -1e308, 5e-324, -5e-324]
        value = rng.uniform(lo, hi) if rng.random() < 0.5 else float(rng.choice(edges))
        widget.set_value(int(min(max(value, -2**62), 2**62)) if isinstance(widget.value, int) else value)
    elif _config_choices(widget):
        values = _config_choices(widget)
        if isinstance(widget.value, (list, tuple)):
            widget.set_value([v for v in values if rng.random() < 0.5])
        else:
            widget.set_value(values[rng.integers(len(values))])
    elif kind == "Selectbox":              # labels are its values only when the current one shows as itself
        if options and isinstance(widget.value, str) and widget.value in options:
            widget.set_value(options[rng.integers(len(options))])
    elif kind == "Multiselect":
        widget.set_value([o for o in options if rng.random() < 0.5])
    elif kind == "Slider":
        if not isinstance(widget.value, (tuple, list)):
            value = rng.uniform(widget.proto.min, widget.proto.max)
            widget.set_value(type(widget.value)(value))
    elif isinstance(widget.value, (list, tuple)):       # a multi-choice segmented control: drop some
        widget.set_value([v for v in widget.value if rng.random() < 0.7])
    elif options and str(widget.value) in options:   # select slider, radio, segmented control
        widget.set_value(_as_value(options[rng.integers(len(options))], widget.value))


def assert_healthy(at: AppTest, page: str, history: list) -> None:
    assert not at.exception, f"{page} after {history}: {[e.value for e in at.exception]}"
    run = at.session_state["run"] if "run" in at.session_state else None
    if run is not None:
        assert isinstance(run.config, Config)
        assert Config.from_query(run.config.to_query()) == run.config


def check_page(page: str, actions) -> None:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run()
    assert_healthy(at, page, [])
    history = []
    for where, seed in actions:
        candidates = widgets(at)
        if not candidates:
            break
        widget = candidates[int(where * len(candidates))]
        history.append((type(widget).__name__, getattr(widget, "label", "?"), seed))
        act(widget, np.random.default_rng(seed))
        at.run()
        assert_healthy(at, page, history)


FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(ACTIONS)
def test_random_actions_on_the_playground(actions):
    check_page("app.py", actions)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.sampled_from(PAGES[1:]), ACTIONS)
def test_random_actions_on_the_labs(page, actions):
    check_page(page, actions)
