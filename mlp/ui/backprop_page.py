"""Streamlit glue of the Backprop page: its state, settings, the equations with numbers, the check.

The numbers come from mlp.lab.backprop (engine side); this module only lays them out. Settings are
drawn by the shared `field_widget` (mlp/ui/controls.py) from the config's FIELDS table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from mlp.lab import backprop
from mlp.run.config import Config
from mlp.engine.datasets import FEATURES
from mlp.figures.backprop_figures import batch_figure, gradcheck_figure, step_network_figure
from mlp.notation import number_text

from mlp.ui import lesson_controls, page_link
from mlp.ui.controls import field_widget, parse_widths
from mlp.ui.lab_stage import growth_css
from mlp.ui.plotly_live import live_chart
from mlp.ui.state import config_from_link, proposal, write_url

STATE_KEY = "lab_backprop"
PAGE = "Backprop, step by step"   # its title, as page_setup and the link notice name it
# The main view's charts at 1280 x 720, and their shares of a taller screen's extra height.
MAIN_CHARTS = {"bp_step_network": (430, 0.9), "bp_batch_chart": (300, 0.6)}


# -- state -------------------------------------------------------------------------------------------
@dataclass
class BackpropLab:
    config: Config
    problems: list[str] = field(default_factory=list)
    checks: list[backprop.LayerCheck] = field(default_factory=list)     # what the page shows now

    def change(self, **changes) -> None:
        """Through the one proposal every page makes (state.proposal); here a chosen output also picks
        a data set it suits, and the net must stay small enough to print."""
        if "output" in changes:
            changes["dataset"] = backprop.dataset_for_output(changes.get("dataset", self.config.dataset), changes["output"])
        config, self.problems = proposal(self.config, **changes)
        self.problems = self.problems or backprop.size_problems(config)
        if not self.problems:
            self.config = config


def current_lab() -> BackpropLab:
    """This session's lab, from the link: its preset (`?preset=relu-2-4-4-2`) or the default one, with the
    link's settings on top. The address bar then holds the settings, so a copied link reproduces the page."""
    if STATE_KEY not in st.session_state:
        name, problems = page_link.preset_from_link(backprop.PRESETS, backprop.DEFAULT_PRESET)
        base = backprop.preset_config(name)
        config, more = config_from_link(base)
        too_big = backprop.size_problems(config)
        if too_big:
            config, more = base, more + too_big + [f"so the page opens on {page_link.slug(name)}"]
        page_link.remember_notice(PAGE, problems + more + lesson_controls.link_problems())
        st.session_state[STATE_KEY] = BackpropLab(config)
    state = st.session_state[STATE_KEY]
    write_url(state.config)
    return state


def _set(state: BackpropLab, name: str, value) -> None:
    if name == "hidden":
        try:
            value = parse_widths(value)
        except ValueError as err:
            state.problems = [str(err)]
            return
    state.change(**{name: value})


def settings_popover(state: BackpropLab, container) -> None:
    """The network's settings, behind one button of the bar."""
    if lesson_controls.rules().hides("settings"):
        return
    with container.popover("The network", icon=":material/tune:", width="stretch",
                           help="Data, activation, output, initialization, seed, hidden layers"):
        for name in ("dataset", "activation", "output", "init", "seed"):
            field_widget(name, getattr(state.config, name), key=f"bp_{name}", on_change=_set, args=(state, name))
        field_widget("hidden", state.config.hidden, key="bp_hidden", on_change=_set, args=(state, "hidden"),
                     label=f"Hidden layers (at most {backprop.MAX_HIDDEN_LAYERS}, each up to {backprop.MAX_WIDTH} wide)")


def _apply_preset(state: BackpropLab, name: str) -> None:
    state.config, state.problems = backprop.preset_config(name), []


def preset_buttons(state: BackpropLab) -> None:
    allowed = lesson_controls.rules().control("presets")
    if allowed is None:
        return
    for col, name in zip(st.columns(len(backprop.PRESETS)), backprop.PRESETS):
        col.button(name, key=f"bp_preset_{name}", width="stretch", on_click=_apply_preset, args=(state, name),
                   type="primary" if backprop.preset_config(name) == state.config else "secondary", **allowed)


# -- numbers as LaTeX ----------------------------------------------------------------------------------
def tex_number(v: float, digits: int = 3) -> str:
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def tex_matrix(a, digits: int = 3, highlight_row: int | None = None) -> str:
    """A bmatrix of the numbers of a (a vector is one row), rounded; `highlight_row` in red."""
    rows = np.atleast_2d(np.asarray(a, dtype=np.float64))
    lines = []
    for r, row in enumerate(rows):
        cells = [tex_number(v, digits) for v in row]
        if r == highlight_row:
            cells = [rf"\textcolor{{#d62728}}{{{c}}}" for c in cells]
        lines.append(" & ".join(cells))
    return r"\begin{bmatrix}" + r" \\ ".join(lines) + r"\end{bmatrix}"


def _under(tex: str, label: str) -> str:
    return rf"\underbrace{{{tex}}}_{{{label}}}"


def _equation(generic: list[str], lhs: str, lines: list[str]) -> None:
    """The batch equation (and any formula under it) on the left; beside it, one example's numbers,
    one step per line: lhs = lines[0] = lines[1] ... (a line can hold several matrices)."""
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        st.latex(r"\begin{gathered}" + r" \\[4pt] ".join(generic) + r"\end{gathered}")
    with right:
        st.latex(r"\begin{aligned}" + lhs + r" &= " + r" \\[10pt] &= ".join(lines) + r"\end{aligned}")


def _small(tex: str) -> str:
    return rf"{{\small {tex}}}"


# -- sections ------------------------------------------------------------------------------------------
def example_choice(n: int, container) -> int:
    """Which example's numbers the page follows (0-based)."""
    return container.radio("Example i whose numbers are shown", list(range(n)), horizontal=True, key="bp_example",
                           format_func=lambda k: f"{k + 1}",
                           help="Each row of X is one example; pick which row to follow.")


def batch_table(state: BackpropLab, X, y) -> None:
    """The m points as a table: one column per input the net sees, and the class or target."""
    kind = "target" if state.config.problem == "regression" else "class"
    # one column per input the net sees (the chosen features, not always x₁ and x₂)
    inputs = {FEATURES[name].label: X[:, j] for j, name in enumerate(state.config.features)}
    table = pd.DataFrame({"i": [k + 1 for k in range(len(X))], **inputs, kind: y})
    st.dataframe(table.style.format(precision=3), hide_index=True, width="stretch")
    st.caption(f"Y is the {kind} as the output layer sees it"
               + (" (one-hot: a 1 in the column of the class)." if state.config.output == "softmax" else "."))


def main_view(state: BackpropLab, steps: backprop.Steps, X, y, i: int) -> None:
    """One example's forward and backward numbers on the network, beside where the batch lies."""
    left, right = st.columns([3, 1.3], gap="medium")
    with left:
        st.markdown(f"**Example {i + 1} on the network**: each unit's output a (forward), its error δ (backward, red)",
                    help="Links are weights: blue positive, orange negative, thicker = larger |W|; hover one for "
                         "its value. The tabs hold the same numbers as equations.")
        live_chart(step_network_figure(steps.W, steps.A, steps.delta, i), key="bp_step_network",
                   height=MAIN_CHARTS["bp_step_network"][0])
    with right:
        st.markdown(f"**The batch** (m = {len(X)}), example {i + 1} ringed")
        live_chart(batch_figure(backprop.batch_points(state.config, len(X)), y, i, problem=state.config.problem),
                   key="bp_batch_chart", height=MAIN_CHARTS["bp_batch_chart"][0])
    st.html(growth_css(MAIN_CHARTS))


def shapes_section(steps: backprop.Steps) -> None:
    rows = backprop.shape_table([steps.A[0].shape[1]] + [steps.W[l].shape[1] for l in range(1, steps.L + 1)], steps.m)
    names = {"W": "W[l]", "b": "b[l]", "Z": "Z[l]", "A": "A[l]", "delta": "δ[l]", "dW": "dW[l]", "db": "db[l]"}
    table = pd.DataFrame([{"l": "0 (A[0] = X)" if l == 0 else str(l),
                           **{names[k]: (f"{r[k][0]} × {r[k][1]}" if k in r else "") for k in names}}
                          for l, r in enumerate(rows)])
    st.table(table.set_index("l"))


def forward_section(steps: backprop.Steps, i: int, formula: backprop.Formula, output_tex: str, output: str) -> None:
    k, L = i + 1, steps.L
    for l in range(1, L + 1):
        st.markdown(f"**Layer {l}**" + (" (output)" if l == L else ""))
        a, W, b = steps.A[l - 1][i], steps.W[l], steps.b[l]
        _equation([rf"Z^{{[{l}]}} = A^{{[{l - 1}]}} W^{{[{l}]}} + b^{{[{l}]}}"], rf"z^{{[{l}]}}_{k}",
                  [_under(tex_matrix(a), rf"a^{{[{l - 1}]}}_{k}") + _under(tex_matrix(W), rf"W^{{[{l}]}}")
                   + rf" + b^{{[{l}]}}",
                   tex_matrix(a @ W) + " + " + _under(tex_matrix(b), rf"b^{{[{l}]}}"),
                   tex_matrix(steps.Z[l][i])])
        if l < L:
            generic = [rf"A^{{[{l}]}} = \varphi(Z^{{[{l}]}})", _small(rf"\varphi(z) = {formula.phi_tex}")]
        else:
            generic = [rf"A^{{[{l}]}} = \mathrm{{{output}}}(Z^{{[{l}]}})", _small(output_tex)]
        name = r"\varphi" if l < L else rf"\mathrm{{{output}}}"
        _equation(generic, rf"a^{{[{l}]}}_{k}", [rf"{name}\left({tex_matrix(steps.Z[l][i])}\right)",
                                                 tex_matrix(steps.A[l][i])])


def backward_section(steps: backprop.Steps, i: int, formula: backprop.Formula) -> None:
    k, L, m = i + 1, steps.L, steps.m
    st.markdown("**Output error** — the loss's derivative and the output function's cancel, leaving A − Y")
    _equation([rf"\delta^{{[{L}]}} = A^{{[{L}]}} - Y"], rf"\delta^{{[{L}]}}_{k}",
              [_under(tex_matrix(steps.A[L][i]), rf"a^{{[{L}]}}_{k}") + " - "
               + _under(tex_matrix(steps.Y[i]), f"y_{k}"),
               tex_matrix(steps.delta[L][i])])
    for l in range(L, 0, -1):
        if l < L:
            st.markdown(f"**Layer {l}** — δ flows back through W[{l + 1}] and φ'")
            back = steps.delta[l + 1][i] @ steps.W[l + 1].T
            _equation([rf"\delta^{{[{l}]}} = (\delta^{{[{l + 1}]}} W^{{[{l + 1}]\top}}) \odot \varphi'(Z^{{[{l}]}})",
                       _small(rf"\varphi'(z) = {formula.dphi_tex}")], rf"\delta^{{[{l}]}}_{k}",
                      [r"\left(" + _under(tex_matrix(steps.delta[l + 1][i]), rf"\delta^{{[{l + 1}]}}_{k}")
                       + _under(tex_matrix(steps.W[l + 1].T), rf"W^{{[{l + 1}]\top}}") + r"\right) \odot "
                       + rf"\varphi'(z^{{[{l}]}}_{k})",
                       tex_matrix(back) + r" \odot "
                       + _under(tex_matrix(steps.gate[l][i]), rf"\varphi'(z^{{[{l}]}}_{k})"),
                       tex_matrix(steps.delta[l][i])])
        else:
            st.markdown(f"**Layer {l}** — its gradients")
        _equation([rf"dW^{{[{l}]}} = \tfrac{{1}}{{m}} A^{{[{l - 1}]\top}} \delta^{{[{l}]}}",
                   _small(rf"= \tfrac{{1}}{{m}} \textstyle\sum_i a^{{[{l - 1}]\top}}_i \delta^{{[{l}]}}_i")],
                  rf"a^{{[{l - 1}]\top}}_{k} \delta^{{[{l}]}}_{k}",
                  [tex_matrix(steps.A[l - 1][i].reshape(-1, 1)) + tex_matrix(steps.delta[l][i]),
                   _under(tex_matrix(steps.dW_term(l, i)), rf"\text{{example {k}'s share}}")
                   + rf" \\[10pt] dW^{{[{l}]}} &= \text{{mean of the {m} examples' shares}} = "
                   + tex_matrix(steps.dW[l])])
        _equation([rf"db^{{[{l}]}} = \tfrac{{1}}{{m}} \textstyle\sum_i \delta^{{[{l}]}}_i"], rf"db^{{[{l}]}}",
                  [rf"\tfrac{{1}}{{{m}}}\,\text{{column sums of }}"
                   + _under(tex_matrix(steps.delta[l], highlight_row=i), rf"\delta^{{[{l}]}}\text{{, row {k} in red}}"),
                   tex_matrix(steps.db[l])])


def _check_table(checks: list[backprop.LayerCheck]):
    table = pd.DataFrame([{
        "layer": c.layer,
        "‖dW‖ by backprop": float(np.linalg.norm(c.analytic)),
        "‖dW‖ numerical": float(np.linalg.norm(c.numeric)),
        "worst relative error": c.error,
        "check": "passes" if c.passed else "FAILS",
    } for c in checks]).set_index("layer")

    def colour(row):
        style = "color: #d62728; font-weight: bold" if row["check"] == "FAILS" else "color: #1a7f37"
        return [style if col in ("worst relative error", "check") else "" for col in row.index]
    return table.style.apply(colour, axis=1).format({"worst relative error": number_text}, precision=6)


def gradcheck_section(state: BackpropLab, net, X, Y, formula: backprop.Formula) -> None:
    broken = st.toggle("Break the derivative", key="bp_broken",
                       help=f"Run backprop on a copy of the net whose φ' is wrong ({formula.mistake}). "
                            "The net above, and every other page, keep the right one.")
    if broken:
        st.latex(rf"\text{{On a copy: }}\varphi'(z) = {formula.wrong_tex}"
                 rf"\quad\text{{instead of}}\quad {formula.dphi_tex}")
        st.caption(f"The mistake: {formula.mistake}.")
    state.checks = backprop.gradient_check(net, X, Y, broken=broken)
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(_check_table(state.checks), width="stretch")
        failed = [c.layer for c in state.checks if not c.passed]
        if failed:
            st.error(f"**The check fails in layer{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))}**: "
                     "backprop's gradient disagrees with the slope of the loss itself.", icon="✖")
        else:
            st.success(f"**The check passes**: backprop agrees with the finite differences in every layer "
                       f"(relative error below {number_text(backprop.PASS_BELOW)}).", icon="✔")
        st.markdown("A failing check looks like this: relative errors near 1 instead of 10⁻⁷ and below, in every "
                    "layer whose δ went through the wrong φ' — while the output layer still passes, because "
                    "δ[L] = A[L] − Y uses no φ' at all.")
    with right:
        live_chart(gradcheck_figure([c.error for c in state.checks], backprop.PASS_BELOW), key="bp_check_chart", height=260)
    with st.expander("The gradients entry by entry: backprop next to finite differences"):
        # dW and db on lines of their own: side by side, a layer's four matrices ran off the right edge
        for c in state.checks:
            st.latex(r"\begin{aligned}"
                     + rf"dW^{{[{c.layer}]}}: \;& " + _under(tex_matrix(c.analytic, 5), r"\text{backprop}") + r"\quad"
                     + _under(tex_matrix(c.numeric, 5), r"\text{numerical}") + r" \\[8pt] "
                     + rf"db^{{[{c.layer}]}}: \;& " + _under(tex_matrix(c.analytic_b, 5), r"\text{backprop}")
                     + r"\quad" + _under(tex_matrix(c.numeric_b, 5), r"\text{numerical}") + r"\end{aligned}")
