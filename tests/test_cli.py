"""The command-line trainer, run as a teacher would: `python -m mlp ...` in a subprocess."""
import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlp.run.checkpoint import load_trainer
from mlp.run.config import Config
from mlp.run.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mlp", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_link_trains_and_writes_every_file(tmp_path):
    done = cli("--url", "http://localhost:8501/?dataset=xor&lr=0.1&hidden=5,3&batch_size=20", "--steps", "30",
               "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "30/30 steps" in done.stderr and "[" + "#" * 30 + "]" in done.stderr      # the progress bar
    out = tmp_path / "run"
    assert sorted(p.name for p in out.iterdir()) == ["data.csv", "history.csv", "predict.py", "report.html",
                                                    "settings.json", "weights.npz"]
    trainer = load_trainer((out / "weights.npz").read_bytes())
    expected = Config(dataset="xor", lr=0.1, hidden=(5, 3), batch_size=20)
    assert trainer.config == expected and trainer.step == 30
    assert Config.from_json((out / "settings.json").read_text()) == expected
    straight = Trainer(expected)
    straight.run(30)
    assert np.array_equal(trainer.net.params, straight.net.params)
    history = list(csv.DictReader((out / "history.csv").open()))
    assert [int(r["step"]) for r in history] == list(range(31))       # the start, then every step
    assert len(list(csv.DictReader((out / "data.csv").open()))) == expected.n_samples
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    predicted = subprocess.run([sys.executable, str(out / "predict.py"), "2", "2"], capture_output=True, text=True,
                               timeout=60)
    assert predicted.returncode == 0 and predicted.stdout.startswith("x1,x2,p_class0,p_class1")


def test_a_settings_file_with_changes_and_then_a_resume_continue_the_same_run(tmp_path):
    config = Config(dataset="moons", hidden=(6,), optimizer="adam", lr=0.01, dropout=0.1, batch_size=16)
    (tmp_path / "settings.json").write_text(config.replace(hidden=(2,)).to_json())
    first = cli("--config", "settings.json", "--set", "hidden=6", "--steps", "25", "--out", "a", "--no-report",
                "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr == "" and not (tmp_path / "a" / "report.html").exists()
    second = cli("--resume", "a/weights.npz", "--steps", "15", "--every", "5", "--out", "b", "--no-report",
                 cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    resumed = load_trainer((tmp_path / "b" / "weights.npz").read_bytes())
    straight = Trainer(config)
    straight.run(40)
    assert resumed.config == config and resumed.step == 40
    assert np.array_equal(resumed.net.params, straight.net.params)
    steps = [int(r["step"]) for r in csv.DictReader((tmp_path / "b" / "history.csv").open())]
    assert steps[:26] == list(range(26)) and steps[26:] == [30, 35, 40]


def test_the_settings_file_it_writes_is_what_config_reads_back(tmp_path):
    first = cli("--url", "http://x/?dataset=spiral&hidden=6,4&activation=relu&optimizer=adam&lr=0.003&seed=7",
                "--set", "features=x1,x2,sin_x1", "--steps", "10", "--out", "a", "--no-report", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = cli("--config", "a/settings.json", "--steps", "10", "--out", "b", "--no-report", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    expected = Config(dataset="spiral", hidden=(6, 4), activation="relu", optimizer="adam", lr=0.003, seed=7,
                      features=("x1", "x2", "sin_x1"))
    a, b = (load_trainer((tmp_path / run / "weights.npz").read_bytes()) for run in "ab")
    assert a.config == b.config == expected
    assert np.array_equal(a.net.params, b.net.params)        # the same settings train the same net
    assert (tmp_path / "b" / "settings.json").read_text() == (tmp_path / "a" / "settings.json").read_text()


def test_a_resume_may_change_the_learning_rate(tmp_path):
    assert cli("--steps", "5", "--out", "a", "--no-report", "--quiet", cwd=tmp_path).returncode == 0
    done = cli("--resume", "a/weights.npz", "--set", "lr=0.3", "--steps", "5", "--out", "b", "--no-report",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert load_trainer((tmp_path / "b" / "weights.npz").read_bytes()).config.lr == 0.3


def test_a_diverging_run_stops_early_and_still_writes_its_files(tmp_path):
    done = cli("--set", "lr=10", "--set", "init_gain=10", "--set", "hidden=16,16,16", "--set", "activation=relu",
               "--set", "batch_size=500", "--steps", "500", "--out", "run", "--no-report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "diverged" in done.stderr
    assert load_trainer((tmp_path / "run" / "weights.npz").read_bytes()).diverged_at is not None


@pytest.mark.parametrize("args, message", [
    (["--set", "lr=banana"], "learning rate must be a number"),
    (["--set", "hidden=4,0"], "layer width must be"),
    (["--set", "colour=red"], "unknown setting 'colour'"),
    (["--set", "lr"], "KEY=VALUE"),
    (["--url", "http://x/?lr=0.1&bogus=1"], "unknown settings: bogus"),
    (["--url", "http://x/?dataset=plane"], "regression problem"),
    (["--config", "missing.json"], "cannot read missing.json"),
    (["--config", "bad.json"], "not valid JSON"),
    (["--resume", "bad.json"], "not a weights file"),
    (["--steps", "-3"], "--steps must be"),
    (["--steps", "many"], "invalid int value"),
    (["--config", "bad.json", "--url", "http://x/"], "not allowed with"),
    (["--url", "http://x/?dataset=user"], "a student's own points"),
    (["--out", "bad.json/inside"], "cannot create the folder"),
])
def test_bad_input_gets_a_message_and_exit_code_2(tmp_path, monkeypatch, capsys, args, message):
    # in-process (a subprocess per case is slow); the subprocess test below checks the real exit
    from mlp.__main__ import main
    (tmp_path / "bad.json").write_text("{lr: 0.1")
    monkeypatch.chdir(tmp_path)
    try:
        code = main([*args, "--no-report"])
    except SystemExit as exit_:          # argparse's own refusals
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_bad_input_exits_2_without_a_traceback_from_the_shell(tmp_path):
    done = cli("--set", "lr=banana", "--set", "features=", cwd=tmp_path)
    assert done.returncode == 2
    assert "learning rate must be a number" in done.stderr and "choose at least one input feature" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "runs").exists()
