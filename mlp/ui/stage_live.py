"""The Playground's live part: the network and the output columns of the stage (mlp/ui/stage.py), the
counters in its top bar and the gradient views below; while playing, it trains and redraws only these
(play_loop.py).

Each rerun trains a batch of small chunks and sends one frame per chunk; the browser plays them back
at their times (plotly_live.js). mlp/live/pace.py says why reruns are few and batches many, with the
measured figures. The decision boundary, the view that shows the learning, gets every frame, the other
charts every CHARTS_EVERY-th, each as its changes from the frame before (mlp/live/payload.py), because
redrawing a Plotly chart costs the browser 20-50 ms on a small machine and the page must stay
responsive. The training steps themselves take about TRAIN_SHARE of the time.
"""
from __future__ import annotations

import streamlit as st

from mlp.figures import confusion_matrix_figure
from mlp.figures.legend import layers_legend_html, loss_legend_html, output_legend_html
from mlp.run.config import Config
from mlp.live.frame import Views, frame_figures, train_batch
from mlp.live.pace import RERUN_EVERY_S, TRAIN_SHARE
from mlp.notation import metric_text, whole_epochs
from mlp.engine.penalty import FORMULAS, weight_penalty
from mlp.run.trainer import Readout
from mlp.lab.gradient_flow import playground_verdict

from mlp.ui.class_session import keep_up, post_snapshot
from mlp.ui.play_loop import live_loop
from mlp.ui.lab_stage import growth_css
from mlp.ui.plotly_live import live_chart
from mlp.ui.state import Run
from mlp.ui.stuck_alarm import alarm_banner, watch_for
from mlp.ui.own_points_panel import click_on_plane, editing_points, rerun_page_if_edited
from mlp.ui.network_controls import NETWORK_HELP, NETWORK_TITLE, network_click, rerun_page_if_changed
from mlp.ui.views import current_views, output_toggles, view_toggles
from mlp.ui.weight_editor import show_selection

# Sized for one screen of 1280 x 720 (a projector): the network and the output side by side under the top bar.
CHART_HEIGHTS = {"network": 430, "boundary": 300, "loss": 96, "grad_norms": 300, "activations": 230,
                 "gradients": 230}
# A taller screen (a 1080p projector) grows the stage's charts by these shares of its height beyond 720 px:
# the output column stacks the loss chart on the boundary, so their shares add up to less than one (the
# rest of the column, metrics and toggles, keeps its height).
SCREEN_GROWTH = {"network": 0.7, "boundary": 0.55, "loss": 0.15}


def stage_growth_css() -> str:
    """CSS giving each stage chart its height at 1280 x 720 plus its share of any screen height beyond
    (the labs' rule too: lab_stage.growth_css)."""
    return growth_css({f"chart_{name}": (CHART_HEIGHTS[name], share) for name, share in SCREEN_GROWTH.items()})


GRAD_NORMS_HELP = ("Log scale; first layer darkest, output lightest: how big a step each layer's weights are asked "
                   "to take. dW = Aᵀδ carries the forward signal A as well as the error δ, so in a ReLU net the lines "
                   "can stay together even while δ vanishes or explodes: the Gradient flow lab shows δ itself. A "
                   "dotted “0: dead” floor holds layers that get no gradient at all.")


def _train_batch(run: Run, views: Views, watch) -> list[dict[str, dict]]:
    batch = train_batch(run.trainer, views, run.pace.frames_per_batch(), run.steps_per_frame,
                        TRAIN_SHARE * RERUN_EVERY_S, watch)
    run.played(batch.report, batch.steps_per_frame, batch.stopped)
    return batch.frames


def _counters(r: Readout, place) -> None:
    """Epoch and step, beside the Play button (`place`: a placeholder in the top bar)."""
    with place.container(key="counters"):
        # the step gets the wider column: it runs to 7 digits ("1,234,567") in a long run
        epoch, step = st.columns([1, 1.25], gap="small")
        epoch.metric("Epoch", f"{whole_epochs(r.epoch):,}", help="Whole passes over the training set so far.")
        step.metric("Step", f"{r.step:,}", help="Minibatch updates so far.")


def _losses(r: Readout, c: Config) -> None:
    cols = st.columns(3)
    data_only = "The data loss (mean cross-entropy or squared error), without the weight penalty."
    cols[0].metric("Training loss", metric_text(r.train_loss), help=data_only)
    cols[1].metric("Test loss", metric_text(r.test_loss), help=data_only)
    if c.problem == "classification":
        cols[2].metric("Test accuracy", f"{r.test_metric:.1%}")
    else:
        cols[2].metric("Test RMSE", metric_text(r.test_rmse), help=f"R² = {metric_text(r.test_metric)}")


def _banners(r: Readout, c: Config, penalty: float) -> None:
    """What stopped the run, and what the losses leave out (`penalty`: the weight penalty now)."""
    if c.regularization in FORMULAS:
        st.caption(f"The losses are the data loss alone. The {c.regularization.upper()} penalty "
                   f"{FORMULAS[c.regularization]} (λ = {c.reg_rate:g}, weights only, biases exempt) is "
                   f"{penalty:.3g} now: training minimises {r.train_loss:.3g} + {penalty:.3g} = "
                   f"{r.train_loss + penalty:.3g}.")
    if r.diverged_at is not None:
        st.error(f"**The training diverged: step {r.diverged_at:,} overflowed** (NaN/∞), so the counter stops at "
                 f"{r.diverged_at - 1:,}. "
                 "This is what an exploding gradient looks like: the learning rate or the initial weights are "
                 "too large. The last good weights are kept; lower the learning rate to carry on, or press Reset.",
                 icon=":material/error:")
    if r.tripped_layer is not None:
        layer = r.tripped_layer + 1
        norm = r.signals.grad_norm[r.tripped_layer]
        st.warning(f"**Tripwire at step {r.step}**: layer {layer}'s gradient norm ‖dW‖ = {norm:.3g} is above "
                   f"{c.tripwire:g} (drawn in red below). Use *Back* to look at the steps before it, "
                   "or raise the tripwire to go on.", icon=":material/bolt:")
    if r.reached_target:
        st.success(f"Reached the target: training loss {r.train_loss:.4f} ≤ {c.target_loss:g}. Paused.",
                   icon=":material/flag:")


def _chart(revision: int, frames: list[dict[str, dict]], name: str, on_click=None, plane_clicks: bool = False) -> None:
    if name in frames[-1]:
        figs = [f[name] for f in frames if name in f]
        live_chart(figs, key=f"chart_{name}", height=CHART_HEIGHTS[name], revision=revision,
                   on_click=on_click, plane_clicks=plane_clicks)


def _network_column(run: Run, frames, watch) -> None:
    st.markdown(NETWORK_TITLE, help=NETWORK_HELP)
    _chart(run.frame, frames, "network", on_click=lambda payload: network_click(run, payload))
    show_selection()
    c = run.config
    said = playground_verdict(run.report.signals, c)
    if said is not None:       # silent on a healthy net; the strip under the network shows it layer by layer
        st.warning(said[1], icon=":material/trending_down:" if said[0] in ("vanishing", "decaying")
                   else ":material/trending_up:")
    _banners(run.report, c, weight_penalty(run.trainer.net, c.regularization, c.reg_rate))
    alarm_banner(run, watch, "playground")


def _output_column(run: Run, frames) -> None:
    st.markdown("**OUTPUT**", help="The net's prediction over the input plane, with the training points; the "
                                   "curves are the data loss, training (solid) and test (dashed), and the test "
                                   "accuracy (dotted green, on the right-hand axis from 0 to 1).")
    _losses(run.report, run.config)
    _chart(run.frame, frames, "loss")
    st.html(loss_legend_html("test accuracy" if run.config.problem == "classification" else None))
    editing = editing_points()
    _chart(run.frame, frames, "boundary", on_click=(lambda payload: click_on_plane(run, payload)) if editing else None,
           plane_clicks=editing)
    st.html(output_legend_html(run.config.problem, run.config.n_output_classes))
    output_toggles()


def _gradient_views(run: Run, frames) -> None:
    """Below the stage: how big a step each layer takes, and the layers' histograms."""
    left, right = st.columns(2)
    with left:
        st.markdown("**Gradient norm per layer** ‖dW‖ over time", help=GRAD_NORMS_HELP)
        st.html(layers_legend_html(run.trainer.net.n_layers, run.report.tripped_layer))
        _chart(run.frame, frames, "grad_norms")
    with right:
        view_toggles()
        if run.config.problem == "classification" and run.report.confusion is not None:
            with st.expander("Confusion matrix (test set)"):
                names = [f"class {k}" for k in range(len(run.report.confusion))]
                live_chart(confusion_matrix_figure(run.report.confusion, names), key="chart_confusion",
                           height=300, revision=run.frame)
    if "activations" in frames[-1]:
        st.markdown("**Activations** of each layer in the last step, and its **gradients** (log₁₀|dW|).")
        _chart(run.frame, frames, "activations")
        _chart(run.frame, frames, "gradients")


def live_playground(run: Run, counters) -> None:
    """The part of the page that animates: the network, the output and the gradient views, and the
    counters in `counters` (a placeholder in the top bar)."""

    def compute():
        views = current_views()
        watch = watch_for(run, "playground")      # the run's trainer may be new since the last rerun
        if run.playing:
            return watch, _train_batch(run, views, watch)
        if run.report is None or run.report.step != run.trainer.step or run.report.signals is None:
            run.probe()
        return watch, [frame_figures(run.trainer, run.report, views, watch=watch)]

    def draw(computed) -> None:
        watch, frames = computed
        post_snapshot(run, watch)         # to the class wall, when this session joined a class
        keep_up(run)                      # a lesson's step moved while playing: the whole page follows
        rerun_page_if_changed()
        rerun_page_if_edited()
        _counters(run.report, counters)
        network, output = st.columns([5, 3.4], gap="medium")
        with network:
            _network_column(run, frames, watch)
        with output:
            _output_column(run, frames)
        _gradient_views(run, frames)

    st.html(stage_growth_css())
    live_loop(run, compute, draw)
