"""Tests for mlp.engine.datasets: generators, the split, feature crosses, one-hot and the grid."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mlp.engine.datasets import (DATASETS, DOMAIN, FEATURES, Dataset, featurize, grid, make_dataset,
                          one_hot)

CLASSIFICATION = ["circle", "xor", "gauss", "spiral", "moons", "blobs"]
REGRESSION = ["plane", "multi_gauss"]
ALL = CLASSIFICATION + REGRESSION


def _all_points(ds: Dataset):
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


# ---------------------------------------------------------------------------------- registry


OWN = ["user", "user_classes", "user_values"]      # the student's own points (tests/test_userdata.py)


def test_registry_lists_every_set_in_display_order():
    assert list(DATASETS) == ALL + OWN
    for name, spec in DATASETS.items():
        assert spec.name == name
        assert spec.label and spec.help
        assert (spec.make is None) == (name in OWN)
    generated = {n: s for n, s in DATASETS.items() if s.make is not None}
    assert {n for n, s in generated.items() if s.problem == "classification"} == set(CLASSIFICATION)
    assert {n for n, s in generated.items() if s.problem == "regression"} == set(REGRESSION)
    assert all(DATASETS[n].n_classes == 2 for n in ["circle", "xor", "gauss", "spiral", "moons"])
    assert 3 <= DATASETS["blobs"].n_classes <= 5
    assert all(DATASETS[n].n_classes == 0 for n in REGRESSION)


# ---------------------------------------------------------------------- shapes, split, seeds


@pytest.mark.parametrize("name", ALL)
def test_shapes_dtypes_and_split(name):
    ds = make_dataset(name, n_samples=200, noise=0.2, train_fraction=0.8, seed=1)
    assert ds.X_train.shape == (160, 2) and ds.X_test.shape == (40, 2)
    assert ds.y_train.shape == (160,) and ds.y_test.shape == (40,)
    assert ds.X_train.dtype == np.float64 and ds.X_test.dtype == np.float64
    assert ds.problem == DATASETS[name].problem
    if ds.problem == "classification":
        assert ds.y_train.dtype == np.int64 and ds.y_test.dtype == np.int64
        _, y = _all_points(ds)
        # every class present, nothing outside 0..K-1
        assert set(np.unique(y)) == set(range(ds.n_classes))
    else:
        assert ds.y_train.dtype == np.float64 and ds.n_classes == 0


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_points_stay_in_the_playground_plane(name, noise):
    X, _ = _all_points(make_dataset(name, 300, noise, 0.5, seed=3))
    assert np.all(np.isfinite(X))
    assert np.all(X >= DOMAIN[0] - 0.5) and np.all(X <= DOMAIN[1] + 0.5)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_data_other_seed_other_data(name):
    a = make_dataset(name, 120, 0.1, 0.7, seed=42)
    b = make_dataset(name, 120, 0.1, 0.7, seed=42)
    c = make_dataset(name, 120, 0.1, 0.7, seed=43)
    for field in ["X_train", "y_train", "X_test", "y_test"]:
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("n, fraction, n_train", [(10, 0.5, 5), (200, 0.25, 50),
                                                  (10, 0.01, 1), (10, 0.99, 9)])
def test_split_sizes_keep_both_parts_non_empty(n, fraction, n_train):
    ds = make_dataset("circle", n, 0.0, fraction, seed=0)
    assert len(ds.X_train) == n_train and len(ds.X_test) == n - n_train


def test_split_is_shuffled_so_train_sees_both_classes():
    # the generators emit one class after the other; an unshuffled 50% split would be one class
    ds = make_dataset("circle", 100, 0.0, 0.5, seed=0)
    assert set(ds.y_train) == {0, 1} and set(ds.y_test) == {0, 1}


@pytest.mark.parametrize("k", [3, 4, 5])
def test_blobs_uses_n_classes(k):
    ds = make_dataset("blobs", 150, 0.0, 0.8, seed=5, n_classes=k)
    assert ds.n_classes == k
    assert set(np.unique(_all_points(ds)[1])) == set(range(k))


def test_binary_sets_ignore_n_classes():
    ds = make_dataset("xor", 50, 0.0, 0.5, seed=5, n_classes=5)
    assert ds.n_classes == 2


def test_bad_arguments_raise_readable_errors():
    with pytest.raises(ValueError, match="circle"):      # message lists the valid names
        make_dataset("donut", 100, 0.0, 0.5, seed=0)
    for fraction in [0.0, 1.0]:
        with pytest.raises(ValueError):
            make_dataset("circle", 100, 0.0, fraction, seed=0)
    with pytest.raises(ValueError):
        make_dataset("blobs", 100, 0.0, 0.5, seed=0, n_classes=6)
    with pytest.raises(ValueError):
        make_dataset("circle", 100, 0.9, 0.5, seed=0)


# ------------------------------------------------------------------ clean classes at noise 0


def _noise_free(name, n=400, seed=7, **kw):
    return _all_points(make_dataset(name, n, 0.0, 0.5, seed=seed, **kw))


def test_circle_is_split_by_radius():
    X, y = _noise_free("circle")
    inside = np.hypot(X[:, 0], X[:, 1]) < 3.0
    assert np.array_equal(y, inside.astype(int))


def test_xor_is_split_by_quadrant_with_a_margin():
    X, y = _noise_free("xor")
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    assert np.abs(X).min() > 0.1         # no point hugs an axis


def test_gauss_is_split_by_the_bisector_of_the_two_centres():
    X, y = _noise_free("gauss")
    centres = np.array([X[y == k].mean(axis=0) for k in (0, 1)])
    midpoint, direction = centres.mean(axis=0), centres[1] - centres[0]
    side = (X - midpoint) @ direction > 0
    assert np.array_equal(y, side.astype(int))


@pytest.mark.parametrize("k", [3, 4, 5])
def test_blobs_points_are_nearest_their_own_centroid(k):
    X, y = _noise_free("blobs", n_classes=k)
    centroids = np.array([X[y == c].mean(axis=0) for c in range(k)])
    nearest = np.argmin(((X[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    assert np.array_equal(nearest, y)


def _nearest_neighbour_labels(X, y):
    d = ((X[:, None, :] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return y[np.argmin(d, axis=1)]


@pytest.mark.parametrize("name", ["spiral", "moons"])
def test_curved_sets_are_clean_for_a_nearest_neighbour(name):
    X, y = _noise_free(name, n=600)
    # the two spiral arms meet at the origin, so only judge points away from it
    keep = np.hypot(X[:, 0], X[:, 1]) > 1.0
    assert np.array_equal(_nearest_neighbour_labels(X, y)[keep], y[keep])


@pytest.mark.parametrize("name, rule", [
    ("circle", lambda X: np.hypot(X[:, 0], X[:, 1]) < 3.0),
    ("xor", lambda X: X[:, 0] * X[:, 1] > 0),
    ("gauss", lambda X: X[:, 0] + X[:, 1] > 0),
])
def test_noise_makes_classes_overlap(name, rule):
    X, y = _all_points(make_dataset(name, 400, 0.5, 0.5, seed=7))
    agreement = np.mean(rule(X).astype(int) == y)
    assert 0.5 < agreement < 0.97


def test_noise_makes_curved_sets_overlap():
    for name in ["spiral", "moons"]:
        X, y = _all_points(make_dataset(name, 600, 0.5, 0.5, seed=7))
        assert np.mean(_nearest_neighbour_labels(X, y) == y) < 0.97


# ------------------------------------------------------------------------------ regression


@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_regression_targets_are_finite_and_bounded(name, noise):
    _, y = _all_points(make_dataset(name, 500, noise, 0.5, seed=2))
    assert np.all(np.isfinite(y))
    # TF Playground's formulas: plane (x1 + x2 + two noise offsets of at most 6·noise) / 10 with |x| <= 6;
    # multi_gauss a cone's height, at most 1
    bound = (12 + 12 * noise) / 10 if name == "plane" else 1.0
    assert np.all(np.abs(y) <= bound + 1e-12)
    assert y.max() - y.min() > 1.0       # spread out, not a constant


def _linear_fit_residual(X, y):
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return np.abs(A @ coef - y).max()


def test_plane_is_exactly_linear_without_noise_and_not_with_it():
    X, y = _all_points(make_dataset("plane", 300, 0.0, 0.5, seed=4))
    assert _linear_fit_residual(X, y) < 1e-9
    X, y = _all_points(make_dataset("plane", 300, 0.3, 0.5, seed=4))
    assert _linear_fit_residual(X, y) > 0.05


def test_multi_gauss_is_not_a_plane():
    X, y = _all_points(make_dataset("multi_gauss", 300, 0.0, 0.5, seed=4))
    assert _linear_fit_residual(X, y) > 0.3


# ------------------------------------------------------------------------- property test


@settings(max_examples=25, deadline=None)
@given(n=st.integers(10, 500), noise=st.floats(0.0, 0.5), fraction=st.floats(0.1, 0.9),
       seed=st.integers(0, 2**32 - 1), k=st.integers(3, 5))
def test_every_set_gives_finite_data_with_the_right_split(n, noise, fraction, seed, k):
    n_train = min(max(round(n * fraction), 1), n - 1)
    for name in ALL:
        ds = make_dataset(name, n, noise, fraction, seed, n_classes=k)
        assert len(ds.X_train) == len(ds.y_train) == n_train
        assert len(ds.X_test) == len(ds.y_test) == n - n_train
        X, y = _all_points(ds)
        assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
        if ds.problem == "classification":
            assert y.min() >= 0 and y.max() < ds.n_classes


# -------------------------------------------------------------------------------- features


def test_feature_registry_order_and_labels():
    assert list(FEATURES) == ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    assert [f.label for f in FEATURES.values()] == ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂",
                                                    "sin(X₁)", "sin(X₂)"]


def test_featurize_values_follow_the_formulas():
    X = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -np.pi / 2]])
    F = featurize(X, list(FEATURES))
    expected = np.array([
        [1.0, 2.0, 1.0, 4.0, 2.0, np.sin(1.0), np.sin(2.0)],
        [-3.0, 0.5, 9.0, 0.25, -1.5, np.sin(-3.0), np.sin(0.5)],
        [0.0, -np.pi / 2, 0.0, np.pi**2 / 4, 0.0, 0.0, -1.0],
    ])
    np.testing.assert_allclose(F, expected, atol=1e-12)


def test_featurize_uses_registry_order_not_argument_order():
    X = np.array([[2.0, 3.0]])
    assert featurize(X, ["x1x2", "x2", "x1"]).tolist() == [[2.0, 3.0, 6.0]]
    assert featurize(X, ["x2_sq", "x1_sq"]).tolist() == [[4.0, 9.0]]


def test_featurize_dtype_and_contiguity():
    X = np.asfortranarray(np.arange(12.0).reshape(6, 2))
    F = featurize(X, ["x1", "sin_x2"], dtype=np.float32)
    assert F.shape == (6, 2) and F.dtype == np.float32 and F.flags.c_contiguous
    assert featurize(X, ["x1"]).dtype == np.float64


def test_featurize_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="at least one"):
        featurize(X, [])
    with pytest.raises(ValueError, match="x1_sq"):        # lists the valid names
        featurize(X, ["x1", "x3"])


# ----------------------------------------------------------------------------- one_hot, grid


def test_one_hot():
    out = one_hot(np.array([2, 0, 1, 2]), 3)
    assert out.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert out.dtype == np.float64
    assert one_hot(np.array([1]), 4, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError):
        one_hot(np.array([0, 3]), 3)


def test_grid_layout_matches_a_heatmap():
    xs, ys, points = grid(5)
    assert xs.tolist() == [-6.0, -3.0, 0.0, 3.0, 6.0]
    assert ys.tolist() == [-6.0, -3.0, 0.0, 3.0, 6.0]
    assert points.shape == (25, 2)
    assert points[:2].tolist() == [[-6.0, -6.0], [-3.0, -6.0]]   # x varies fastest
    # a "prediction" that remembers its point, reshaped like the UI does
    px = points[:, 0].reshape(5, 5)
    py = points[:, 1].reshape(5, 5)
    for j in range(5):
        for i in range(5):
            assert px[j, i] == xs[i] and py[j, i] == ys[j]


def test_default_grid_covers_the_domain():
    xs, ys, points = grid()
    assert len(xs) == len(ys) == 100 and points.shape == (10_000, 2)
    assert (xs[0], xs[-1]) == DOMAIN and (ys[0], ys[-1]) == DOMAIN
