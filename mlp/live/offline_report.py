"""The run's HTML report: the Playground's figures of the trainer as it is now, in one offline page.

No Streamlit here: the command line (mlp/__main__.py) writes the same report as the page's download.
The figures are the live page's own (frame.py), drawn uncompressed since no component expands them.
"""
from __future__ import annotations

from mlp import figures
from mlp.run.config import FIELDS
from mlp.figures.report_html import Section, report_html
from mlp.run.trainer import Readout, Trainer

from mlp.live.frame import Views, frame_figures

CAPTIONS = {
    "boundary": ("Output", "The net's prediction over the input plane, training points filled, test points hollow."),
    "network": ("The network", "Each square is one neuron's output over the input plane; links are weights "
                "(blue positive, orange negative, thicker = larger)."),
    "loss": ("Loss", "Training (solid) and test (dashed) loss over the steps."),
    "grad_norms": ("Gradient norm per layer over time", "‖dW‖ of each layer on a log scale (first layer "
                   "darkest, output lightest): lines far apart mean vanishing or exploding gradients."),
    "grad_by_layer": ("Gradient norm by layer, last step", "‖dW[l]‖ and mean |δ[l]| against the layer: "
                      "a falling line is vanishing, a rising one exploding."),
    "activations": ("Activations per layer", "How each layer's outputs were spread in the last step."),
    "gradients": ("Gradients per layer", "log₁₀|dW| of each layer's weight gradients in the last step."),
    "confusion": ("Confusion matrix", "Test points by true class (rows) and predicted class (columns)."),
}
HEIGHTS = {"boundary": 460, "network": 460, "activations": 260, "gradients": 260}


def _summary(trainer: Trainer, report: Readout) -> list[str]:
    c = trainer.config
    lines = [f"{report.step:,} steps ({report.epoch:,.1f} epochs) on the {c.dataset} data set.",
             f"Training loss {report.train_loss:.4f}, test loss {report.test_loss:.4f}."]
    if c.problem == "classification":
        lines.append(f"Test accuracy {report.test_metric:.1%}.")
    else:
        lines.append(f"Test RMSE {report.test_rmse:.4f} (R² = {report.test_metric:.3f}).")
    if report.diverged_at is not None:
        lines.append(f"The training diverged at step {report.diverged_at}: the last good weights are shown.")
    return lines


def run_report_html(trainer: Trainer, report: Readout | None = None) -> str:
    """The whole report as HTML text. `report` (with signals) is probed from the trainer when missing."""
    if report is None or report.signals is None or report.step != trainer.step:
        report = trainer.probe()
    figs = frame_figures(trainer, report, Views(show_test=True), compact=False)
    s = report.signals
    figs["grad_by_layer"] = figures.grad_norm_by_layer_figure(s.grad_norm, delta_mean_abs=s.delta_mean_abs)
    if report.confusion is not None:
        figs["confusion"] = figures.confusion_matrix_figure(
            report.confusion, [f"class {k}" for k in range(len(report.confusion))])
    sections = [Section(*CAPTIONS[name], figs[name], HEIGHTS.get(name, 340)) for name in CAPTIONS if name in figs]
    settings = [(f.label, f.key, trainer.config.to_query()[f.key]) for f in FIELDS]
    return report_html(title=f"Neural network playground: {trainer.config.dataset}, step {trainer.step:,}",
                       summary=_summary(trainer, report), settings=settings, sections=sections)
