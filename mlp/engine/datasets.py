"""Toy data sets, input feature crosses and the decision-boundary grid.

Every set lives in TensorFlow Playground's input plane, x1, x2 in DOMAIN = [-6, 6], so a single
grid (see `grid`) draws the decision boundary of any of them. Generators take a
`numpy.random.Generator` and draw everything from it (scikit-learn gets an int seed drawn from
it), so the same seed always gives bit-identical data.

`noise` is TF Playground's 0-50% slider as a fraction in [0, 0.5], with its meaning in each of its sets
(src/dataset.ts): circle, xor and the two regression sets read the label at a point the noise moved
(the boundary blurs, the points stay), gauss widens its clouds, spiral moves its points; moons and
blobs (this app's own) move their points. With noise = 0 every binary classification set is cleanly
separable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

Array = np.ndarray

DOMAIN = (-6.0, 6.0)
MAX_NOISE = 0.5
MULTICLASS_RANGE = (3, 5)   # how many blobs the "blobs" set accepts (inclusive)

# Shapes live well inside DOMAIN so that noise, not the frame, decides where points go.
_RADIUS = 5.0


# ----------------------------------------------------------------------------------------------
# Helpers shared by the generators


def _sk_seed(rng: np.random.Generator) -> int:
    """An int seed for scikit-learn's `random_state`, drawn from `rng` to keep one seed chain."""
    return int(rng.integers(0, 2**31 - 1))


def _in_domain(X: Array) -> Array:
    # Heavy noise can push a few points past the frame; clamp them so every point stays on the
    # fixed plotting grid instead of silently disappearing off the chart.
    return np.ascontiguousarray(np.clip(X, *DOMAIN), dtype=np.float64)


def _split_counts(n: int, k: int) -> list[int]:
    """n points dealt to k classes as evenly as possible, e.g. (7, 2) -> [4, 3]."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _clean_clusters(n: int, centres: Array, std: float, noise: float,
                    rng: np.random.Generator) -> tuple[Array, Array]:
    """Gaussian clusters via make_blobs around `centres` (k, 2); returns X (n, 2), y (n,).

    At noise 0 each cluster's spread is capped at 45% of the closest centre distance, so no
    point can cross the bisector between two centres: classes are separable by construction.
    Noise then adds an isotropic Gaussian of std 3*noise (1.5 at the 50% setting).
    """
    from sklearn.datasets import make_blobs     # here, not above: see _moons
    X, y = make_blobs(n_samples=n, centers=centres, cluster_std=std, random_state=_sk_seed(rng))
    gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=-1)
    cap = 0.45 * gaps[gaps > 0].min()
    offset = X - centres[y]
    dist = np.linalg.norm(offset, axis=1, keepdims=True)
    offset *= np.minimum(1.0, cap / np.maximum(dist, 1e-12))
    X = centres[y] + offset + rng.normal(0.0, 3.0 * noise, size=(n, 2))
    return X, y.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Classification generators: (n_samples, noise, rng, n_classes) -> X (n, 2), y (n,) int64


def _label_noise(n: int, noise: float, scale: float, rng: np.random.Generator) -> Array:
    """(n, 2) offsets uniform in +-scale*noise. As in TF Playground's circle, xor and regression sets,
    they move the point a label is *read at*, not the point drawn: noise blurs the boundary."""
    return rng.uniform(-scale, scale, size=(n, 2)) * noise


def _circle(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    """A disc (r < 2.5) inside a ring (3.5 < r < 5), as in TF Playground: the class is whether the point,
    moved by the noise (uniform, +-5·noise a coordinate), lies within r = 2.5, so at noise 0 the disc is
    class 1 and the ring class 0, and noise flips the labels nearest the gap."""
    n_in, n_out = _split_counts(n, 2)
    r = np.concatenate([rng.uniform(0.0, 0.5 * _RADIUS, n_in),
                        rng.uniform(0.7 * _RADIUS, _RADIUS, n_out)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    read_at = X + _label_noise(n, noise, _RADIUS, rng)
    y = (np.hypot(read_at[:, 0], read_at[:, 1]) < 0.5 * _RADIUS).astype(np.int64)
    return _in_domain(X), y


def _xor(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    """Class 1 where x1 and x2 share a sign, read (as in TF Playground) at the point moved by the noise
    (uniform, +-5·noise a coordinate); points sit 0.3 off the axes so noise 0 is clean."""
    X = rng.uniform(-_RADIUS, _RADIUS, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)       # the margin: no point sits on the class boundary
    read_at = X + _label_noise(n, noise, _RADIUS, rng)
    y = (read_at[:, 0] * read_at[:, 1] >= 0).astype(np.int64)
    return _in_domain(X), y


def _gauss(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    """Two Gaussian clouds, class 1 around (2, 2), class 0 around (-2, -2), each coordinate's variance
    0.5 + 7·noise (TF Playground's 0.5 at 0% to 4 at 50%). At noise 0 the rare point past the bisector
    (4 standard deviations out, about 1 in 30,000) is pulled back, so the classes are separable."""
    centres = np.array([[-2.0, -2.0], [2.0, 2.0]])
    y = np.concatenate([np.zeros(c, np.int64) + k for k, c in enumerate(_split_counts(n, 2))])
    offset = rng.standard_normal((n, 2)) * np.sqrt(0.5 + 7.0 * noise)
    if noise == 0:
        gap = 2.0 * np.sqrt(2.0)                  # from a centre to the bisector
        along = offset @ np.array([1.0, 1.0]) / np.sqrt(2.0) * np.where(y == 1, -1.0, 1.0)   # towards the other
        too_far = along > 0.9 * gap
        offset[too_far] *= (0.9 * gap / along[too_far])[:, None]
    return _in_domain(centres[y] + offset), y


def _spiral(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    """Two interleaved arms, 1.75 turns out to r = 5, as in TF Playground: the points of an arm evenly
    spaced along it, each coordinate moved by uniform noise of +-noise (+-0.5 at 50%); class 0 is class 1
    turned by half a turn."""
    counts = _split_counts(n, 2)
    parts, labels = [], []
    for label, (count, turn) in enumerate(zip(counts, (np.pi, 0.0))):
        s = np.arange(count) / count         # position along the arm, centre -> rim
        r = _RADIUS * s
        t = 1.75 * 2 * np.pi * s + turn
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(count, label, np.int64))
    X = np.concatenate(parts)
    X += rng.uniform(-1.0, 1.0, size=(n, 2)) * noise
    return _in_domain(X), np.concatenate(labels)


def _moons(n: int, noise: float, rng: np.random.Generator, n_classes: int = 2):
    """scikit-learn's two moons, centred and scaled by 3.5 to span about x1 in [-5, 5]."""
    # scikit-learn is imported by the two sets that use it: it brings SciPy and pandas, 1.5 s of every
    # start of the command line and of a server, most of which never draw moons or blobs
    from sklearn.datasets import make_moons
    # make_moons' own Gaussian noise, in moon units: 0.3 at the 50% setting is a messy overlap.
    X, y = make_moons(n_samples=n, noise=0.6 * noise, random_state=_sk_seed(rng))
    X = (X - np.array([0.5, 0.25])) * 3.5
    return _in_domain(X), y.astype(np.int64)


def _blobs(n: int, noise: float, rng: np.random.Generator, n_classes: int = 3):
    """n_classes (3..5) Gaussian blobs on a circle of radius 3.5, the first at the top."""
    lo, hi = MULTICLASS_RANGE
    if not lo <= n_classes <= hi:
        raise ValueError(f"blobs needs n_classes between {lo} and {hi}, got {n_classes}")
    angle = np.pi / 2 + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    X, y = _clean_clusters(n, centres, std=0.8, noise=noise, rng=rng)
    return _in_domain(X), y


# ----------------------------------------------------------------------------------------------
# Regression generators: X uniform over DOMAIN, y (n,) float64 roughly in [-1, 1] plus noise

# (x1, x2, sign) of each bump: a checkerboard of signs, as TF Playground's regressGaussian has them.
_BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                   [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
_BUMP_RADIUS = 2.0


def _noisy_inputs(X: Array, noise: float, rng: np.random.Generator) -> Array:
    # TF Playground's regression noise: the target is read at the point moved by uniform +-6·noise a
    # coordinate (the point drawn stays where it is).
    return X + _label_noise(len(X), noise, DOMAIN[1], rng)


def _plane(n: int, noise: float, rng: np.random.Generator, n_classes: int = 0):
    """Target (x1 + x2) / 10 (-1.2 to 1.2 over DOMAIN), read at the noisy point: TF Playground's reg-plane."""
    X = rng.uniform(*DOMAIN, size=(n, 2))
    y = _noisy_inputs(X, noise, rng).sum(axis=1) / 10.0
    return np.ascontiguousarray(X), y


def _multi_gauss(n: int, noise: float, rng: np.random.Generator, n_classes: int = 0):
    """Six signed cones (height +-1, falling to 0 at distance 2) in two rows, read at the noisy point;
    where cones meet the one largest in size wins: TF Playground's reg-gauss."""
    X = rng.uniform(*DOMAIN, size=(n, 2))
    at = _noisy_inputs(X, noise, rng)
    d = np.sqrt(((at[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=-1))      # (n, 6)
    heights = np.clip(1.0 - d / _BUMP_RADIUS, 0.0, 1.0) * _BUMPS[:, 2]
    y = heights[np.arange(n), np.abs(heights).argmax(axis=1)]
    return np.ascontiguousarray(X), y


# ----------------------------------------------------------------------------------------------
# Registry of data sets


@dataclass(frozen=True)
class DatasetSpec:
    name: str            # short key, used in URLs
    label: str           # what the UI shows
    problem: str         # "classification" or "regression"
    n_classes: int       # 2 for binary sets, the default (3) for "blobs", 0 for regression
    make: Callable | None  # (n_samples, noise, rng, n_classes) -> (X (n, 2), y (n,)); None: the
                           # student's own points, which live in their session (mlp/run/own_points.py)
    help: str            # one plain sentence for a tooltip
    classes_from_config: bool = False   # the config's n_classes says how many classes it has


DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (
    DatasetSpec("circle", "Circle", "classification", 2, _circle,
                "A disc of one class surrounded by a ring of the other."),
    DatasetSpec("xor", "Exclusive or", "classification", 2, _xor,
                "The class depends on whether x1 and x2 have the same sign."),
    DatasetSpec("gauss", "Gaussian", "classification", 2, _gauss,
                "Two round clouds of points, one per class."),
    DatasetSpec("spiral", "Spiral", "classification", 2, _spiral,
                "Two spiral arms wound around each other, one per class."),
    DatasetSpec("moons", "Moons", "classification", 2, _moons,
                "Two interlocking half-moons, one per class."),
    DatasetSpec("blobs", "Blobs", "classification", MULTICLASS_RANGE[0], _blobs,
                "Three to five round clouds of points, each its own class.", classes_from_config=True),
    DatasetSpec("plane", "Plane", "regression", 0, _plane,
                "The target rises steadily from one corner of the plane to the other."),
    DatasetSpec("multi_gauss", "Multi Gaussian", "regression", 0, _multi_gauss,
                "The target is a landscape of six hills and valleys."),
    # The student's own points (uploaded or clicked): one entry per shape of problem, so that the
    # config alone still says what the output layer looks like.
    DatasetSpec("user", "Your data (2 classes)", "classification", 2, None,
                "Your own points, from a CSV file or clicked onto the plane."),
    DatasetSpec("user_classes", "Your data (3–5 classes)", "classification", MULTICLASS_RANGE[0], None,
                "Your own points, from a CSV file or clicked onto the plane.", classes_from_config=True),
    DatasetSpec("user_values", "Your data (values)", "regression", 0, None,
                "Your own points and target values, from a CSV file or clicked onto the plane."),
)}


@dataclass(frozen=True)
class Dataset:
    X_train: Array   # (m_train, 2) float64 raw coordinates
    y_train: Array   # (m_train,) int64 labels or float64 targets
    X_test: Array    # (m_test, 2)
    y_test: Array    # (m_test,)
    problem: str
    n_classes: int   # 0 for regression


def train_size(n: int, train_fraction: float) -> int:
    """How many of n points the training part gets: round(n * train_fraction), at least 1, at most n - 1."""
    return min(max(round(n * train_fraction), 1), n - 1)


def split_dataset(X: Array, y: Array, problem: str, n_classes: int, train_fraction: float,
                  rng: np.random.Generator) -> Dataset:
    """Shuffle points X (n, 2), y (n,) with `rng` and split them into train and test parts.

    The train part has train_size(n, train_fraction) points; the rest is the test part. Labels become
    int64, targets float64.
    """
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 samples to have a train and a test part, got {n}")
    y = np.asarray(y).astype(np.int64 if problem == "classification" else np.float64)
    # Generators emit points grouped by class; shuffle so both parts get every class.
    order = rng.permutation(n)
    X, y = np.asarray(X, dtype=np.float64)[order], y[order]
    n_train = train_size(n, train_fraction)
    return Dataset(X_train=X[:n_train], y_train=y[:n_train], X_test=X[n_train:],
                   y_test=y[n_train:], problem=problem, n_classes=n_classes)


def make_dataset(name: str, n_samples: int, noise: float, train_fraction: float, seed: int,
                 n_classes: int = 3) -> Dataset:
    """Generate data set `name`, shuffle it and split it into train and test parts (`split_dataset`).

    `n_classes` only matters for "blobs".
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    if DATASETS[name].make is None:
        raise ValueError(f"the {name} set has no generator: its points are your own (mlp.run.own_points)")
    if n_samples < 2:
        raise ValueError(f"need at least 2 samples to have a train and a test part, got {n_samples}")
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE}, got {noise}")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")

    spec = DATASETS[name]
    k = n_classes if spec.classes_from_config else spec.n_classes
    rng = np.random.default_rng(seed)
    X, y = spec.make(n_samples, noise, rng, k)
    return split_dataset(X, y, spec.problem, k, train_fraction, rng)


# ----------------------------------------------------------------------------------------------
# Input features (TF Playground's feature toggles)


@dataclass(frozen=True)
class FeatureSpec:
    name: str        # key used in configs and URLs
    label: str       # what the UI shows
    fn: Callable     # X (m, 2) -> (m,) column
    help: str


FEATURES: dict[str, FeatureSpec] = {spec.name: spec for spec in (
    FeatureSpec("x1", "X₁", lambda X: X[:, 0], "The horizontal coordinate."),
    FeatureSpec("x2", "X₂", lambda X: X[:, 1], "The vertical coordinate."),
    FeatureSpec("x1_sq", "X₁²", lambda X: X[:, 0] ** 2, "The horizontal coordinate squared."),
    FeatureSpec("x2_sq", "X₂²", lambda X: X[:, 1] ** 2, "The vertical coordinate squared."),
    FeatureSpec("x1x2", "X₁X₂", lambda X: X[:, 0] * X[:, 1],
                "The product of the two coordinates."),
    FeatureSpec("sin_x1", "sin(X₁)", lambda X: np.sin(X[:, 0]),
                "The sine of the horizontal coordinate."),
    FeatureSpec("sin_x2", "sin(X₂)", lambda X: np.sin(X[:, 1]),
                "The sine of the vertical coordinate."),
)}


def featurize(X: Array, names: Iterable[str], dtype=np.float64) -> Array:
    """X (m, 2) raw -> (m, len(names)) with the chosen columns.

    Columns come in registry order whatever the order of `names`, so a network's input layer
    means the same thing however the toggles were clicked. Returns one C-contiguous array.
    """
    chosen = {names} if isinstance(names, str) else set(names)
    if not chosen:
        raise ValueError("choose at least one input feature")
    unknown = sorted(chosen - FEATURES.keys())
    if unknown:
        raise ValueError(f"unknown feature(s) {', '.join(unknown)}; "
                         f"choose from: {', '.join(FEATURES)}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2), got {X.shape}")
    columns = [spec.fn(X) for name, spec in FEATURES.items() if name in chosen]
    return np.ascontiguousarray(np.column_stack(columns), dtype=dtype)


def one_hot(y: Array, n_classes: int, dtype=np.float64) -> Array:
    """Integer labels y (m,) in 0..n_classes-1 -> (m, n_classes) rows with a single 1."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (m,), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    return np.eye(n_classes, dtype=dtype)[y.astype(np.intp)]


OUTPUT_RESOLUTION = 100     # the output picture's grid a side: the net is evaluated on its r² points


def grid(resolution: int = OUTPUT_RESOLUTION) -> tuple[Array, Array, Array]:
    """The decision-boundary grid over DOMAIN.

    Returns xs (r,), ys (r,) and points (r*r, 2), row-major with x varying fastest, so
    `predictions.reshape(r, r)[j, i]` belongs to (xs[i], ys[j]): the layout a Plotly heatmap's z
    expects.
    """
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    xs = np.linspace(*DOMAIN, resolution)
    ys = np.linspace(*DOMAIN, resolution)
    xx, yy = np.meshgrid(xs, ys)          # xx[j, i] = xs[i], yy[j, i] = ys[j]
    points = np.column_stack([xx.ravel(), yy.ravel()])
    return xs, ys, points
