"""The Playground's Save & export panel (AppTest): the downloads are offered; a weights file loads or is refused."""
import io
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from mlp.run.checkpoint import save_trainer
from mlp.run.config import Config
from mlp.run.trainer import Trainer

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LABELS = ["Weights (.npz)", "Data (CSV)", "History (CSV)", "NumPy script (.py)", "Report (HTML)", "Settings (JSON)"]


def start() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def upload(at, name, content):
    at.file_uploader(key="export_upload").set_value((name, content, "application/octet-stream")).run()


def step_metric(at) -> str:
    return next(m for m in at.metric if m.label == "Step").value


def test_every_download_is_offered():
    at = start()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.label in LABELS]     # the data section has its own
    assert [b.label for b in buttons] == LABELS
    assert all(not b.proto.disabled for b in buttons)


def test_a_saved_run_loads_and_carries_on_exactly():
    config = Config(dataset="xor", hidden=(5, 3), lr=0.1, optimizer="momentum", batch_size=16)
    saved = Trainer(config)
    saved.run(37)
    raw = save_trainer(saved)
    at = start()
    upload(at, "xor.npz", raw)
    assert not at.exception and not at.error
    run = at.session_state["run"]
    assert run.config == config and run.trainer.step == 37 and step_metric(at) == "37"
    assert at.query_params["dataset"] == "xor" and at.query_params["hidden"] == "5,3"     # the link follows
    assert any("step 37" in s.value for s in at.success)
    next(b for b in at.button if b.label == "Step").click().run()
    saved.run(1)
    assert step_metric(at) == "38"
    assert np.array_equal(at.session_state["run"].trainer.net.params, saved.net.params)


def test_a_bad_file_is_refused_and_the_run_survives():
    at = start()
    next(b for b in at.button if b.label == "Step").click().run()
    run = at.session_state["run"]
    trainer, params = run.trainer, run.trainer.net.params.copy()
    upload(at, "notes.npz", b"these are not weights")
    assert not at.exception
    assert any("not a weights file" in e.value for e in at.error)
    hostile = io.BytesIO()
    np.savez(hostile, params=np.array([{"run": "code"}], dtype=object))
    upload(at, "hostile.npz", hostile.getvalue())
    assert any("pickle" in e.value for e in at.error)
    assert at.session_state["run"].trainer is trainer and trainer.step == 1 and step_metric(at) == "1"
    assert np.array_equal(trainer.net.params, params)
