"""Save & export: download the run's files, or load a saved weights file and carry on from it.

The files are made when a button is clicked (Streamlit calls the function on its own thread), not on
every rerun, and from a private copy of the trainer (saved and loaded back), so building the report
never shares the running net's buffers. While playing they are offered only after a Pause: a file is
a snapshot of one exact step.
"""
from __future__ import annotations

import streamlit as st

from mlp.run.checkpoint import MAX_FILE_BYTES, CheckpointError, load_trainer, save_trainer
from mlp.run.run_files import data_csv, history_csv, settings_json, standalone_script
from mlp.live.offline_report import run_report_html
from mlp.text_safety import literal
from mlp.run.trainer import Trainer

from mlp.ui.state import Run

UPLOAD_KEY = "export_upload"
MAX_UPLOAD_MB = MAX_FILE_BYTES // 1_000_000    # no weights file the playground writes is larger
MESSAGE_KEY = "export_message"


def _copy(run: Run) -> Trainer:
    return load_trainer(save_trainer(run.trainer))


def _load(run: Run) -> None:
    """Replace the run by the uploaded file's; a bad file, or one the teacher's locks refuse, leaves the
    run as it was and says why (the file's name and every reason shown as text, never as markup)."""
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    name = literal(upload.name)
    try:
        trainer = load_trainer(upload.getvalue())
    except CheckpointError as err:
        st.session_state[MESSAGE_KEY] = ("error", f"Could not load **{name}**: {literal(str(err))}. "
                                                  "The current run is unchanged.")
        return
    refused = run.load(trainer)
    if refused:
        st.session_state[MESSAGE_KEY] = ("error", f"Did not load **{name}**: {literal('; '.join(refused))}. "
                                                  "The current run is unchanged.")
        return
    st.session_state[MESSAGE_KEY] = ("success", f"Loaded **{name}**: step {trainer.step:,}. "
                                                "Press Play to carry on exactly where it stopped.")


def export_panel(run: Run) -> None:
    """Download buttons for the run's files and an uploader for a saved weights file."""
    name = f"playground-{run.config.dataset}-step{run.trainer.step}"
    if run.playing:
        st.caption("Pause to save or export: each file is a snapshot of one step.")
    files = [      # (key, label, file name, type, what makes it, help)
        ("weights", "Weights (.npz)", f"{name}.npz", "application/octet-stream", lambda: save_trainer(run.trainer),
         "The whole run (settings, weights, optimizer, data, history): load it here again to carry on."),
        ("data", "Data (CSV)", f"{name}-data.csv", "text/csv", lambda: data_csv(run.trainer),
         "The training and test points with their labels."),
        ("history", "History (CSV)", f"{name}-history.csv", "text/csv", lambda: history_csv(run.trainer),
         "Loss, accuracy and per-layer gradient norms over the steps."),
        ("script", "NumPy script (.py)", f"{name}-predict.py", "text/x-python", lambda: standalone_script(run.trainer),
         "The trained net as a short Python file that needs only NumPy."),
        ("report", "Report (HTML)", f"{name}-report.html", "text/html", lambda: run_report_html(_copy(run)),
         "Settings and interactive charts in one file that opens offline."),
        ("settings", "Settings (JSON)", f"{name}-settings.json", "application/json", lambda: settings_json(run.trainer),
         "The run's settings (not its points or weights): `python -m mlp --config` trains them again."),
    ]
    for key, label, file_name, mime, make, help_text in files:
        st.download_button(label, data=make, file_name=file_name, mime=mime, help=help_text, on_click="ignore",
                           disabled=run.playing, width="stretch", icon=":material/download:", key=f"export_{key}")
    st.file_uploader("Load a weights file", type=["npz"], key=UPLOAD_KEY, on_change=_load, args=(run,),
                     max_upload_size=MAX_UPLOAD_MB,
                     help="A .npz saved here (or by `python -m mlp`): the run continues from its step.")
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, text = message
        (st.error if kind == "error" else st.success)(text)
