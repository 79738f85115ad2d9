"""One animation frame: train a few steps, then every live chart's figure as a plain dict.

No Streamlit here, so the benchmark (bench/frame_cost.py) measures exactly what a page sends.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from mlp import figures
from mlp.engine.datasets import FEATURES, OUTPUT_RESOLUTION, featurize, grid
from mlp.lab.gradient_flow import backward_profile
from mlp.run.signals import collect_signals
from mlp.run.stuck_units import StuckWatch, stuck_units
from mlp.run.trainer import Readout, Trainer

from mlp.live.paced_batch import paced_batch

BOUNDARY_RESOLUTION = OUTPUT_RESOLUTION
# While playing, the boundary's grid is this many cells a side, drawn smoothed by the browser: a
# quarter of the bytes and of the forward pass, twenty times a second (bench/browser_frames.py: KB/s).
PLAYING_BOUNDARY_RESOLUTION = OUTPUT_RESOLUTION // 2
# Each neuron's thumbnail is a grid of this many cells a side; with more than MANY_NEURONS drawn, a
# coarser one (bytes per frame). TF Playground draws its neurons at 10 x 10.
NEURON_RESOLUTION = 24
MANY_NEURONS, MANY_NEURONS_RESOLUTION = 24, 12
# While playing, every neuron at this resolution, drawn smoothed: the network view is sent ten times a
# second, and each layer's maps are rescaled to their own range every frame, so their codes change
# everywhere and compress little (24 x 24 made it the heaviest chart on the wire).
PLAYING_NEURON_RESOLUTION = 12
PLAYING_MANY_NEURONS_RESOLUTION = 8      # with more than MANY_NEURONS drawn (TF Playground: 10)


@functools.lru_cache(maxsize=32)
def _grid_inputs(resolution: int, features: tuple[str, ...], dtype: str):
    """(xs, ys, featurized grid points) for a resolution and feature set; read-only, shared."""
    xs, ys, points = grid(resolution)
    inputs = featurize(points, features, np.dtype(dtype))
    inputs.flags.writeable = False
    return xs, ys, inputs


@dataclass(frozen=True)
class Views:
    """Which optional charts a frame includes."""
    network: bool = True
    histograms: bool = True
    show_test: bool = False
    discretize: bool = False
    log_loss: bool = False


def boundary_figure(trainer: Trainer, views: Views, compact: bool = True,
                    resolution: int = BOUNDARY_RESOLUTION) -> dict:
    """The Output chart; at a resolution below BOUNDARY_RESOLUTION, drawn smoothed."""
    c, data = trainer.config, trainer.data
    xs, ys, inputs = _grid_inputs(resolution, c.features, trainer.net.dtype.name)
    P = trainer.net.predict_unchecked(inputs)      # the grid inputs are built here, in the net's dtype
    if c.problem == "regression":
        z = P[:, 0]
    elif P.shape[1] == 1:
        z = P[:, 0]
    elif P.shape[1] == 2:
        z = P[:, 1]
    else:
        z = P.argmax(axis=1).astype(np.float64)
    r = resolution
    return figures.decision_boundary_figure(
        xs, ys, z.reshape(r, r), data.X_train, data.y_train,
        data.X_test if views.show_test else None, data.y_test if views.show_test else None,
        problem=c.problem, n_classes=c.n_output_classes, discretize=views.discretize, compact=compact,
        smooth=r < BOUNDARY_RESOLUTION)


def network_view_figure(trainer: Trainer, compact: bool = True, stuck=None, controls: bool = False,
                        playing: bool = False, signals=None) -> dict:
    """The network view of the trainer's net; with `controls` (the Playground), every feature in the
    first column (the unused ones faded, a click switches one) and the + / - buttons on the network.
    playing: its neurons at PLAYING_NEURON_RESOLUTION, drawn smoothed. signals: the last step's layer
    signals; with two hidden layers or more, each one's share of the backward error is written under it."""
    c, net = trainer.config, trainer.net
    drawn = sum(min(n, figures.MAX_DRAWN_UNITS) for n in net.sizes) + (len(FEATURES) - net.sizes[0]) * controls
    g = NEURON_RESOLUTION if drawn <= MANY_NEURONS else MANY_NEURONS_RESOLUTION
    if playing:
        g = min(g, PLAYING_NEURON_RESOLUTION if drawn <= MANY_NEURONS else PLAYING_MANY_NEURONS_RESOLUTION)
    xs, ys, inputs = _grid_inputs(g, c.features, net.dtype.name)
    hidden = [a.T.reshape(-1, g, g) for a in net.layer_outputs_unchecked(inputs)]
    backward = backward_profile(signals) if signals is not None and len(c.hidden) >= 2 else None
    if not controls:
        fig = figures.network_figure(net.sizes, net.weights, [inputs.T.reshape(-1, g, g)] + hidden,
                                     feature_labels=[FEATURES[f].label for f in c.features], compact=compact,
                                     stuck=stuck)
    else:
        every = _grid_inputs(g, tuple(FEATURES), net.dtype.name)[2]
        fig = figures.network_figure(net.sizes, net.weights, [every.T.reshape(-1, g, g)] + hidden,
                                     feature_labels=[f.label for f in FEATURES.values()], compact=compact,
                                     stuck=stuck, biases=net.biases, inputs=[f in c.features for f in FEATURES],
                                     controls=True, backward=backward)
    if playing:         # one image pixel a cell, scaled smoothly by the browser (as the boundary's)
        for trace in fig["data"]:
            if trace.get("type") == "heatmap":
                trace["zsmooth"] = "fast"
    return fig


def frame_figures(trainer: Trainer, report: Readout, views: Views, compact: bool = True,
                  watch: StuckWatch | None = None, observe: bool = True,
                  playing: bool = False) -> dict[str, dict]:
    """Every live chart of the Playground for the trainer's current state, keyed by chart name.

    watch: shown this state's dead and saturated units first (unless not observe: a frame between
    two that are; mlp/run/stuck_units.py); the network view outlines the ones it flags.
    playing: a frame of a playing batch: the boundary and the neurons on coarser grids, drawn smoothed.
    """
    stuck = None
    if watch is not None:
        stuck = (watch.observe(trainer.step, stuck_units(trainer.net, trainer.X_train), trainer.config.activation)
                 if observe else watch.flagged())
    h = trainer.history
    steps = h.column("step")
    classification = trainer.config.problem == "classification"
    out = {
        "boundary": boundary_figure(trainer, views, compact,
                                    PLAYING_BOUNDARY_RESOLUTION if playing else BOUNDARY_RESOLUTION),
        "loss": figures.loss_curves_figure(
            steps, h.column("train_loss"), h.column("test_loss"), log_y=views.log_loss,
            metric=h.column("test_metric") if classification else None,
            metric_name="test accuracy" if classification else None, light=True, compact=compact, small=True),
        "grad_norms": figures.grad_norms_over_time_figure(steps, h.column("grad_norm"),
                                                          highlight_layer=report.tripped_layer, light=True,
                                                          compact=compact),
    }
    if views.network:
        out["network"] = network_view_figure(trainer, compact, stuck, controls=True, playing=playing,
                                             signals=report.signals)
    s = report.signals
    if views.histograms and s is not None:
        out["activations"] = figures.layer_histograms_figure(s.activation_hist, s.activation_edges,
                                                             title_prefix="activations", compact=compact,
                                                             open_ends=s.activation_open_ends)
        out["gradients"] = figures.layer_histograms_figure(s.gradient_hist, s.gradient_edges,
                                                           title_prefix="gradients", log_x_label="log₁₀|dW|",
                                                           compact=compact, open_ends=(True, True))
    return out


def _with_signals(trainer: Trainer, report: Readout, took: bool) -> Readout:
    """report with its last step's layer signals, as trainer.run(signals=True) would have made them."""
    if report.signals is not None or not took:
        return report
    return dataclasses.replace(report, signals=collect_signals(trainer.net, trainer.last_good))


@dataclass
class Batch:
    """What one rerun of a playing page sends: frames[i] maps chart name -> figure."""
    frames: list[dict[str, dict]]
    report: Readout                      # the state after the last frame
    steps_per_frame: int                # adapted, for the next batch
    stopped: bool                       # diverged, tripwire or target: the page pauses


def train_batch(trainer: Trainer, views: Views, n_frames: int, steps_per_frame: int, budget_s: float,
                watch: StuckWatch | None = None) -> Batch:
    """Train n_frames small chunks; every chunk gets a decision boundary, every pace.CHARTS_EVERY-th
    and the last one every chart (the last also shows `watch` its state, as frame_figures does), all
    as frame_figures draws them while playing (coarser grids, drawn smoothed).

    Steps per chunk are steered so the training of the whole batch takes about budget_s (the
    evaluation and figures of a frame cost the same however many steps it holds). A batch whose
    frames cost more than pace.BATCH_BUDGET_S together ends early, with the frame that would overrun.
    """
    last_run = {}           # the report of the frame being made, and whether it took steps

    def train(n: int, full: bool) -> tuple[bool, float]:
        # a frame with the boundary alone needs no layer signals (histograms, ‖dW‖): half the frames
        # skip them, and their losses are not recorded (the curves are sent with the others' frames)
        step_before = trainer.step
        report = trainer.run(n, signals=full)
        last_run.update(report=report, took=trainer.step > step_before)
        return (report.diverged_at is not None or report.tripped_layer is not None or report.reached_target,
                trainer.seconds_per_step)

    def figures_of(every_chart: bool, last: bool) -> dict[str, dict]:
        if not every_chart:
            return {"boundary": boundary_figure(trainer, views, resolution=PLAYING_BOUNDARY_RESOLUTION)}
        # a batch that ends early ends on a frame without signals: its last frame has every chart
        last_run["report"] = _with_signals(trainer, last_run["report"], last_run["took"])
        return frame_figures(trainer, last_run["report"], views, watch=watch, observe=last, playing=True)

    batch = paced_batch(n_frames, steps_per_frame, train, figures_of, budget_s)
    return Batch(batch.frames, last_run["report"], batch.steps_per_frame, batch.stopped)
