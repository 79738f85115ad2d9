"""Training end to end: learning the toy sets, symmetry, determinism, divergence, bounded memory."""
import warnings

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion, mean_squared_error, r2_score

from mlp.engine import metrics
from mlp.run.config import MAX_HIDDEN_LAYERS, MAX_WIDTH, Config
from mlp.run.history import History
from mlp.run.signals import N_BINS, fixed_histogram
from mlp.run.trainer import Trainer


def train(config, steps, chunk=100):
    trainer = Trainer(config)
    for _ in range(steps // chunk):
        report = trainer.run(chunk)
    return trainer, report


@pytest.mark.parametrize("config", [
    Config(dataset="moons", hidden=(8, 8), lr=0.1, noise=0.1),
    Config(dataset="circle", hidden=(8, 8), lr=0.1, noise=0.1),
    Config(dataset="xor", hidden=(8, 8), lr=0.1, noise=0.1),
    Config(dataset="spiral", hidden=(16, 16, 16), optimizer="adam", lr=0.01, noise=0.05, n_samples=1000,
           features=("x1", "x2", "x1x2", "sin_x1", "sin_x2"), batch_size=20),
], ids=["moons", "circle", "xor", "spiral"])
def test_reaches_95_percent_test_accuracy_within_budget(config):
    _, report = train(config, 4000)
    assert report.test_metric >= 0.95, report.test_metric


def test_multiclass_softmax_learns_blobs():
    _, report = train(Config(dataset="blobs", n_classes=5, hidden=(8,), lr=0.1), 2000)
    assert report.confusion.shape == (5, 5)
    assert report.test_metric >= 0.95


def test_regression_learns_the_plane():
    _, report = train(Config(dataset="plane", output="linear", hidden=(4,), lr=0.03), 2000)
    assert report.test_metric > 0.95          # R²
    assert report.test_rmse < 0.1


def test_zero_init_never_breaks_symmetry():
    trainer, _ = train(Config(dataset="circle", init="zeros", activation="sigmoid", hidden=(5, 4), lr=0.5), 500)
    W1, W2, W3 = trainer.net.weights
    b1, b2, _ = trainer.net.biases
    assert np.abs(W3).max() > 1e-3                       # it did learn something
    for W, b in ((W1, b1), (W2, b2)):                    # every unit of a hidden layer is a copy
        np.testing.assert_array_equal(W, W[:, :1].repeat(W.shape[1], axis=1))
        np.testing.assert_array_equal(b, np.full_like(b, b[0, 0]))
    np.testing.assert_array_equal(W3, W3[:1].repeat(W3.shape[0], axis=0))


def test_random_init_breaks_symmetry():
    trainer, _ = train(Config(dataset="circle", init="xavier_normal", activation="sigmoid", hidden=(5, 4)), 100)
    W1 = trainer.net.weights[0]
    assert not np.allclose(W1, W1[:, :1])


def test_same_config_gives_bit_identical_runs():
    config = Config(dataset="spiral", hidden=(8, 8), batch_size=7, dropout=0.2, noise=0.2)
    a, ra = train(config, 300)
    b, rb = train(config, 300)
    assert np.array_equal(a.net.params, b.net.params)
    assert ra.train_loss == rb.train_loss
    c, _ = train(config.replace(seed=1), 300)
    assert not np.array_equal(a.net.params, c.net.params)


def test_divergence_is_reported_quietly_and_the_last_finite_weights_kept():
    config = Config(dataset="circle", hidden=(16, 16, 16), activation="relu", init="normal", init_gain=5.0,
                    lr=10.0, batch_size=500)
    trainer = Trainer(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # any NumPy RuntimeWarning fails the test
        report = trainer.run(200)
        again = trainer.run(10)
    assert report.diverged_at is not None and report.diverged_at <= 200
    assert report.step == report.diverged_at - 1
    assert np.isfinite(trainer.net.params).all()
    assert again.step == report.step                     # a diverged run stays put
    # a new learning rate is allowed to try again from the kept weights (these are too extreme to
    # recover, so it diverges again, still quietly); Reset, i.e. a new Trainer, starts afresh
    assert trainer.apply(config.replace(lr=1e-4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        retry = trainer.run(5)
    assert retry.step >= report.step and np.isfinite(trainer.net.params).all()
    assert Trainer(config.replace(lr=1e-4, init_gain=1.0)).run(50).diverged_at is None


def test_live_changes_keep_the_net_and_structural_ones_do_not():
    trainer = Trainer(Config())
    trainer.run(10)
    before = trainer.net.params.copy()
    assert trainer.apply(Config(lr=0.3, optimizer="adam", regularization="l2"))
    assert np.array_equal(trainer.net.params, before) and trainer.step == 10
    assert not trainer.apply(Config(hidden=(3,)))
    assert not trainer.apply(Config(noise=0.2))


def test_l2_shrinks_weights_and_clipping_bounds_the_step():
    plain, _ = train(Config(hidden=(8, 8), lr=0.1), 500)
    l2, _ = train(Config(hidden=(8, 8), lr=0.1, regularization="l2", reg_rate=0.05), 500)
    assert np.linalg.norm(l2.net.params[:l2.net.n_weights]) < 0.8 * np.linalg.norm(plain.net.params[:plain.net.n_weights])
    clipped = Trainer(Config(hidden=(8, 8), lr=0.5, clip_norm=0.01, optimizer="sgd"))
    before = clipped.net.params.copy()
    clipped.run(1)
    assert np.linalg.norm(clipped.net.params - before) <= 0.5 * 0.01 * (1 + 1e-5)


def test_signals_describe_the_last_step():
    config = Config(hidden=(6, 6), activation="relu", init="he_normal", batch_size=50)
    trainer = Trainer(config)
    before = trainer.net.params.copy()
    report = trainer.run(1)
    s = report.signals
    L = trainer.net.n_layers
    assert s.activation_hist.shape == (L, N_BINS) and s.gradient_hist.shape == (L, N_BINS)
    assert (s.activation_hist.sum(axis=1) == [50 * 6, 50 * 6, 50 * 2]).all()
    assert (s.gradient_hist.sum(axis=1) == [2 * 6, 6 * 6, 6 * 2]).all()
    for l, (W, W0) in enumerate(zip(trainer.net.weights, trainer.net._views(before, [(2, 6), (6, 6), (6, 2)])[0])):
        assert s.weight_norm[l] == pytest.approx(np.linalg.norm(W), rel=1e-5)
        assert s.update_ratio[l] == pytest.approx(np.linalg.norm(W - W0) / np.linalg.norm(W0), rel=1e-4)
    assert np.isnan(s.stuck_fraction[-1]) and 0 <= s.stuck_fraction[0] <= 1


def test_dead_relu_units_are_counted():
    trainer = Trainer(Config(hidden=(4,), activation="relu", batch_size=500))
    trainer.net.weights[0][:, :3] = 0.0           # three units get z = b = -1 for every point: dead
    trainer.net.biases[0][0, :3] = -1.0
    trainer.net.weights[0][:, 3] = 0.0
    trainer.net.biases[0][0, 3] = 1.0              # one unit always on
    report = trainer.run(1)
    assert report.signals.stuck_fraction[0] == pytest.approx(0.75)


def test_fixed_histogram_matches_numpy():
    values = np.random.default_rng(0).normal(size=1000)
    inside = values[(values >= -2) & (values < 2)]
    expected, _ = np.histogram(inside, bins=N_BINS, range=(-2, 2))
    counts = fixed_histogram(values, -2, 2)
    assert counts.sum() == 1000                                # outliers land in the end bins
    np.testing.assert_array_equal(counts[1:-1], expected[1:-1])


def test_history_is_bounded_and_keeps_the_whole_run():
    L = MAX_HIDDEN_LAYERS + 1
    history = History({"step": (), "loss": (), "grad_norm": (L,)}, capacity=1024)
    size = history.nbytes
    for step in range(100_000):
        history.append(step=step, loss=1.0 / (step + 1), grad_norm=np.full(L, step))
    assert history.nbytes == size and len(history) <= 1024
    steps = history.column("step")
    assert steps[0] == 0 and steps[-1] > 90_000
    assert np.all(np.diff(steps) == steps[1] - steps[0])      # evenly spaced


def test_a_deepest_widest_run_keeps_its_history_under_5_mb():
    trainer = Trainer(Config(hidden=(MAX_WIDTH,) * 3, n_samples=20, batch_size=10))
    assert trainer.history.nbytes < 5e6
    deep = Trainer(Config(hidden=(2,) * MAX_HIDDEN_LAYERS, n_samples=20))
    assert deep.history.nbytes < 5e6


def test_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    np.testing.assert_array_equal(metrics.confusion_matrix(y, p, 4), sk_confusion(y, p, labels=range(4)))
    t, q = rng.normal(size=100), rng.normal(size=100)
    assert metrics.r_squared(t, q) == pytest.approx(r2_score(t, q))
    assert metrics.rmse(t, q) == pytest.approx(np.sqrt(mean_squared_error(t, q)))
    assert metrics.predicted_labels(np.array([[0.7], [0.2]])).tolist() == [1, 0]


def test_step_back_returns_to_an_exact_earlier_state_and_replays_identically():
    config = Config(dataset="spiral", hidden=(8, 8), batch_size=16, dropout=0.1, optimizer="adam", lr=0.01)
    trainer = Trainer(config)
    trainer.run(30)
    at_30 = trainer.net.params.copy()
    trainer.run(10)
    after_40 = trainer.net.params.copy()
    assert trainer.step_back()
    assert trainer.step == 30 and np.array_equal(trainer.net.params, at_30)
    assert trainer.history.column("step")[-1] <= 30
    trainer.run(10)                                      # same batches, same dropout, same Adam state
    assert np.array_equal(trainer.net.params, after_40)


def test_a_snapshot_restored_later_replays_the_same_steps():
    config = Config(dataset="xor", hidden=(6, 6), batch_size=12, dropout=0.2, optimizer="momentum", lr=0.05)
    trainer = Trainer(config)
    trainer.run(7)                                       # mid-epoch, moments built up
    snap = trainer.snapshot()
    trainer.run(13)
    after_20 = trainer.net.params.copy()
    trainer.run(5)
    trainer.restore(snap)
    assert trainer.step == 7 and np.array_equal(trainer.net.params, snap.params)
    trainer.run(13)
    assert np.array_equal(trainer.net.params, after_20)
    trainer.restore(snap)                                # the snapshot is unchanged by being used
    trainer.run(13)
    assert np.array_equal(trainer.net.params, after_20)


def test_step_back_past_an_optimizer_change_brings_the_earlier_optimizer_back():
    config = Config(dataset="xor", hidden=(6,), batch_size=12, optimizer="sgd", lr=0.05)
    sgd_only = Trainer(config)
    sgd_only.run(10)
    trainer = Trainer(config)
    trainer.run(10)
    assert trainer.apply(config.replace(optimizer="adam"))
    trainer.run(10)
    assert trainer.step_back() and trainer.step == 10    # the state the Adam run started from
    assert trainer.step_back() and trainer.step == 0
    trainer.run(10)                                      # replays the SGD steps, as they were taken
    assert np.array_equal(trainer.net.params, sgd_only.net.params)


def test_a_hand_edit_is_undone_by_step_back_like_a_step():
    config = Config(dataset="xor", hidden=(6,), batch_size=12, optimizer="adam", lr=0.05)
    straight = Trainer(config)
    straight.run(10)
    trainer = Trainer(config)
    at_0 = trainer.net.params.copy()
    trainer.before_hand_edit()
    trainer.net.weights[0][1, 2] = 5.0                   # an edit at step 0: Back must undo it
    assert trainer.can_step_back
    assert trainer.step_back() and trainer.step == 0 and np.array_equal(trainer.net.params, at_0)
    assert not trainer.can_step_back
    trainer.run(10)
    at_10 = trainer.net.params.copy()
    trainer.before_hand_edit()
    trainer.net.biases[0][0, 1] = -1.5
    edited = trainer.net.params.copy()
    trainer.run(5)
    assert trainer.step_back() and trainer.step == 10 and np.array_equal(trainer.net.params, edited)
    assert trainer.step_back() and trainer.step == 10 and np.array_equal(trainer.net.params, at_10)
    assert trainer.step_back() and trainer.step == 0 and np.array_equal(trainer.net.params, at_0)
    assert not trainer.step_back()
    trainer.run(10)                                      # the edits left no trace: the same steps again
    assert np.array_equal(trainer.net.params, straight.net.params)


def test_an_edit_that_changes_nothing_leaves_nothing_to_undo():
    trainer = Trainer(Config())
    trainer.before_hand_edit()
    trainer.net.weights[0][0, 0] = trainer.net.weights[0][0, 0]
    assert not trainer.can_step_back and not trainer.step_back()


def test_step_back_without_history_says_no():
    trainer = Trainer(Config())
    assert not trainer.can_step_back and not trainer.step_back()


def test_the_tripwire_stops_at_the_first_large_gradient_and_names_the_layer():
    config = Config(hidden=(8, 8, 8), activation="relu", init="normal", init_gain=3.0, lr=0.001, batch_size=500)
    trainer = Trainer(config)
    norms = trainer.probe().signals.grad_norm
    wire = float(np.sort(norms)[-1]) * 0.5                # below the largest layer's norm: trips at once
    trainer.apply(config.replace(tripwire=wire))
    report = trainer.run(100)
    assert report.step == 1
    assert report.tripped_layer == int(np.argmax(report.signals.grad_norm))
    assert report.signals.grad_norm[report.tripped_layer] > wire
    quiet = Trainer(config.replace(tripwire=1e6)).run(20)
    assert quiet.tripped_layer is None and quiet.step == 20


def test_target_loss_is_reported_when_reached():
    trainer = Trainer(Config(dataset="gauss", hidden=(4,), lr=0.1, target_loss=0.01))
    reports = [trainer.run(50) for _ in range(10)]
    assert [r.reached_target for r in reports] == [r.train_loss <= 0.01 for r in reports]
    assert not reports[0].reached_target and reports[-1].reached_target
