"""A loaded weights file is a proposed change like any other (issue 21, item 2 and low item 8): a teacher's
locks hold against it, the page says why it was refused, the address bar shows what was loaded, and a
run that came from a file cannot rank on the challenge by the step counter it brought."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from mlp.classroom import wall
from mlp.run.checkpoint import save_trainer
from mlp.run.config import Config
from mlp.run.trainer import Trainer

from tests.weights_files import own_points

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LESSON = {"dataset": "xor", "lr": "0.1", "lock": "dataset,lr,activation,hidden,points"}


def start(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def upload(at, name, raw):
    at.file_uploader(key="export_upload").set_value((name, raw, "application/octet-stream")).run()


def probe_file() -> bytes:
    # the probe's file: `python -m mlp --set lr=5 --set activation=sigmoid --set hidden=64,64 --set dataset=spiral`
    trainer = Trainer(Config(lr=5.0, activation="sigmoid", hidden=(64, 64), dataset="spiral"))
    trainer.run(3)
    return save_trainer(trainer)


def test_a_file_that_changes_locked_settings_is_refused_and_says_which():
    at = start(**LESSON)
    run = at.session_state["run"]
    before, query = run.config, dict(at.query_params)
    upload(at, "probe.npz", probe_file())
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Did not load" in text
    for label in ("Dataset", "Learning rate", "Activation", "Hidden layers"):
        assert f"{label} is locked" in text, label
    assert at.session_state["run"].config == before and at.session_state["run"].trainer is run.trainer
    assert dict(at.query_params) == query                    # the address bar still holds the lesson's run


def test_a_file_with_other_points_is_refused_while_the_points_are_locked():
    at = start(dataset="user", lock="points")
    trainer = Trainer(Config(dataset="user"), data=own_points(80, seed=3))
    upload(at, "mine.npz", save_trainer(trainer))
    assert not at.exception
    assert any("points are locked" in e.value for e in at.error)
    assert at.session_state["run"].trainer is not None and at.session_state["run"].trainer.data is not trainer.data


def test_a_file_that_changes_only_unlocked_settings_loads_and_the_address_bar_shows_it():
    at = start(**LESSON)
    trainer = Trainer(Config(dataset="xor", lr=0.1, batch_size=25, seed=7, optimizer="adam"))
    trainer.run(11)
    upload(at, "mine.npz", save_trainer(trainer))
    assert not at.exception and not at.error
    run = at.session_state["run"]
    assert run.trainer.step == 11 and run.config == trainer.config and run.from_file
    assert at.query_params["batch_size"] == "25" and at.query_params["seed"] == "7"
    assert at.query_params["optimizer"] == "adam"
    assert set(at.query_params["lock"].split(",")) == set(LESSON["lock"].split(","))   # the rules stay in the link


def test_a_file_name_is_shown_as_text():
    at = start()
    upload(at, "[Sign in again](https://e.vil/x).npz", b"not weights")
    message = " ".join(e.value for e in at.error)
    assert "Could not load" in message and "](https://" not in message
    assert r"\[Sign in again\]\(https\://e.vil/x\)" in message.replace("\u2060", "")


def test_a_run_from_a_file_ranks_after_runs_trained_in_the_page():
    class Card:
        def __init__(self, name, reached):
            self.name, self.snapshot = name, {"reached": reached, "test_loss": 0.1}

    cards = [Card("file", {"step": 1, "n_params": 10, "from_file": True}), Card("honest", {"step": 900, "n_params": 50}),
             Card("not yet", None)]
    assert [c.name for c in wall.sort_cards(cards, "challenge")] == ["honest", "file", "not yet"]
