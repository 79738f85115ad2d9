"""The student's own data: the CSV parser (a message for every kind of bad input), edits, training on it,
and the Playground's upload and click handling (AppTest)."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from streamlit.testing.v1 import AppTest

from mlp.run.config import Config
from mlp.engine.datasets import DATASETS, DOMAIN, make_dataset
from mlp.run.trainer import Trainer
from mlp.run.own_points import (MAX_POINTS, MIN_POINTS, TEMPLATE_CSV, UserDataError, UserPoints,
                          config_for_points, parse_csv)

ROOT = Path(__file__).resolve().parent.parent


def problems_of(data, problem="auto") -> list[str]:
    with pytest.raises(UserDataError) as err:
        parse_csv(data, problem)
    assert err.value.problems and all(isinstance(p, str) and p for p in err.value.problems)
    return err.value.problems


def rows(*lines: str) -> str:
    return "\n".join(lines) + "\n"


GOOD = ("0,0,0", "1,1,1", "2,0,0", "0,2,1")           # four points, two classes


# ----------------------------------------------------------------------------- bad input, one by one


@pytest.mark.parametrize("data, expected", [
    ("", "the file is empty"),
    (b"  \n\n ", "the file is empty"),
    ("x1,x2,label\n", "a header but no data rows"),
    (b"\xff\xfe1,2,0\n", "not UTF-8 text (byte 0xff at position 0"),
    (b"PK\x03\x04\x14\x00\x06\x00", "holds NUL bytes"),
    (rows(*GOOD, "1,abc,0"), "row 5: x2 is 'abc', not a number"),
    (rows(*GOOD, "1,2"), "row 5 has 2 values, expected 3"),
    (rows(*GOOD, "1,2,0,7"), "row 5 has 4 values, expected 3"),
    (rows(*GOOD, ",2,0"), "row 5: x1 is empty"),
    (rows(*GOOD, "nan,2,0"), "row 5: x1 is 'nan', not a finite number"),
    (rows(*GOOD, "1,-inf,0"), "row 5: x2 is '-inf', not a finite number"),
    (rows(*GOOD, "1,1e999,0"), "row 5: x2 is '1e999', not a finite number"),
    (rows(*GOOD, "1e300,1,0"), "row 5: x1 is '1e300', too large"),
    (rows("0,0,0", "1,1,1", "2,2,0"), "the file has 3 points; at least 4 are needed"),
    (rows("1,2", "3,4", "5,6", "7,8"), "every row has 2 values; expected 3 columns"),
    (rows("1,2,red", "3,4,blue", "5,6,red", "7,8,blue"),
     "column 3 (label or target) holds no numbers (row 1 has 'red'); class names must be written as numbers"),
])
def test_every_kind_of_bad_input_has_its_own_message(data, expected):
    problems = problems_of(data)
    assert any(expected in p for p in problems), problems


def test_row_numbers_are_the_lines_a_student_sees():
    # header on line 1, a blank line 3: the bad value sits on line 6 of the file
    text = "x1,x2,label\n0,0,0\n\n1,1,1\n2,0,0\n3,zz,1\n0,2,1\n"
    assert text.splitlines()[5] == "3,zz,1"
    assert problems_of(text) == ["row 6: x2 is 'zz', not a number"]


def test_every_bad_row_is_listed_in_file_order():
    text = rows(*GOOD, "1,a,0", "b,1,0", "1,1", "2,2,nan")
    assert problems_of(text) == ["row 5: x2 is 'a', not a number", "row 6: x1 is 'b', not a number",
                                 "row 7 has 2 values, expected 3 (x1, x2, label or target)",
                                 "row 8: label or target is 'nan', not a finite number"]


def test_a_flood_of_bad_rows_is_listed_up_to_a_limit_and_counted():
    problems = problems_of(rows(*GOOD, *(["1,x,0"] * 100)))
    assert len(problems) == 21 and problems[-1] == "…and 80 more problems like these"


def test_too_many_points():
    text = rows(*(f"{i % 10},{i % 7},{i % 2}" for i in range(MAX_POINTS + 1)))
    assert any(f"the file has {MAX_POINTS + 1} points; at most {MAX_POINTS}" in p for p in problems_of(text))
    points, _ = parse_csv(rows(*(f"{i % 10},{i % 7},{i % 2}" for i in range(MAX_POINTS))))
    assert len(points) == MAX_POINTS


def test_a_huge_file_is_refused_before_reading():
    assert any("MB" in p for p in problems_of(b"1,2,0\n" * 300_000))


def test_classification_labels_must_be_whole_numbers_0_to_4():
    text = rows("0,0,1", "1,1,0", "2,2,2.5", "3,3,7", "4,4,-1")
    assert problems_of(text, "classification") == [
        "labels must be whole numbers 0–4 for classification; found 2.5 on row 3",
        "labels must be whole numbers 0–4 for classification; found 7 on row 4",
        "labels must be whole numbers 0–4 for classification; found -1 on row 5"]


# ----------------------------------------------------------------------------- what a good file gives


def test_the_template_reads_as_eight_points_of_two_classes():
    points, notes = parse_csv(TEMPLATE_CSV.encode())
    assert len(points) == 8 and points.problem == "classification" and points.n_classes == 2
    assert points.X[0].tolist() == [-4.0, 3.0] and points.y.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert any("2 classes" in n for n in notes)


def test_semicolons_with_decimal_commas_and_tabs():
    for text in ("x1;x2;label\n1,5;-2,25;0\n0;0;1\n1;1;0\n2;2;1\n", "1.5\t-2.25\t0\n0\t0\t1\n1\t1\t0\n2\t2\t1\n"):
        points, _ = parse_csv(text)
        assert points.X[0].tolist() == [1.5, -2.25] and points.y.tolist() == [0, 1, 0, 1]


def test_a_utf8_byte_order_mark_and_windows_line_ends_are_fine():
    points, _ = parse_csv("\ufeffx1,x2,label\r\n0,0,0\r\n1,1,1\r\n2,2,0\r\n3,3,1\r\n".encode())
    assert points.y.tolist() == [0, 1, 0, 1]


@pytest.mark.parametrize("text, problem, n_classes", [
    (rows("0,0,0", "1,1,1", "2,2,2", "3,3,1"), "classification", 3),
    (rows("0,0,0", "1,1,1", "2,2,0.5", "3,3,1"), "regression", 0),
    (rows(*(f"{i},{i},{i}" for i in range(6))), "regression", 0),        # 6 whole numbers: too many classes
])
def test_auto_detects_classes_or_values_and_says_so(text, problem, n_classes):
    points, notes = parse_csv(text)
    assert (points.problem, points.n_classes) == (problem, n_classes)
    assert notes
    if problem == "regression":
        assert "regression" in notes[0] and "Classes" in notes[0]


def test_minus_one_and_one_labels_are_renumbered_in_order():
    points, notes = parse_csv(rows("0,0,-1", "1,1,1", "2,2,1", "3,3,-1"))
    assert points.y.tolist() == [0, 1, 1, 0]
    assert any("-1 → 0, 1 → 1" in n for n in notes)


def test_the_user_can_insist_on_values():
    points, _ = parse_csv(rows("0,0,0", "1,1,1", "2,2,1", "3,3,0"), "regression")
    assert points.problem == "regression" and points.y.dtype == np.float64


def test_points_outside_the_plane_are_moved_and_scaled_keeping_their_shape():
    X = np.array([[0, 0], [100, 0], [100, 50], [20, 40], [60, 10]], dtype=float)
    text = rows(*(f"{a},{b},{i % 2}" for i, (a, b) in enumerate(X)))
    points, notes = parse_csv(text)
    assert points.X.min() >= DOMAIN[0] and points.X.max() <= DOMAIN[1]
    # the shape is kept: every distance shrinks by the same factor, with no reflection
    d_before = np.linalg.norm(X[:, None] - X[None], axis=-1)
    d_after = np.linalg.norm(points.X[:, None] - points.X[None], axis=-1)
    ratio = d_after[d_before > 0] / d_before[d_before > 0]
    assert np.allclose(ratio, ratio[0]) and np.allclose(ratio[0], 5.5 / 50)
    assert np.all(np.diff(points.X[:2, 0]) > 0)
    assert any("outside the plane" in n and "scaled by 0.11" in n for n in notes)


def test_points_inside_the_plane_are_left_alone():
    points, notes = parse_csv(rows("-6,6,0", "0.25,-1.5,1", "6,-6,0", "1,1,1"))
    assert points.X.tolist() == [[-6, 6], [0.25, -1.5], [6, -6], [1, 1]]
    assert not any("outside" in n for n in notes)


def test_large_targets_are_divided_into_the_colour_range():
    points, notes = parse_csv(rows("0,0,-20", "1,1,50", "2,2,0.5", "3,3,10"), "regression")
    assert points.y.tolist() == [-0.4, 1.0, 0.01, 0.2]
    assert any("divided by 50" in n for n in notes)


@settings(max_examples=60, deadline=None)
@given(X=st.lists(st.tuples(st.floats(-6, 6), st.floats(-6, 6)), min_size=MIN_POINTS, max_size=60),
       data=st.data(), problem=st.sampled_from(["classification", "regression"]))
def test_a_good_file_round_trips_exactly(X, data, problem):
    n = len(X)
    values = st.integers(0, 4) if problem == "classification" else st.floats(-1, 1)
    y = data.draw(st.lists(values, min_size=n, max_size=n))
    points = UserPoints(np.array(X), np.array(y), problem)
    again, _ = parse_csv(points.to_csv().encode(), problem)
    assert again == points


GARBAGE = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    st.text(alphabet="0123456789-+.,;\t\n eEnaif\"x", max_size=400),
    st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.floats(), st.floats()),
             max_size=30).map(lambda rs: "\n".join(",".join(map(repr, r)) for r in rs)),
)


@settings(max_examples=400, deadline=None)
@given(GARBAGE, st.sampled_from(["auto", "classification", "regression"]))
def test_garbage_gives_messages_or_valid_points_never_a_crash(data, problem):
    try:
        points, notes = parse_csv(data, problem)
    except UserDataError as err:
        assert err.problems and all(isinstance(p, str) and p for p in err.problems)
        return
    assert MIN_POINTS <= len(points) <= MAX_POINTS
    assert np.all(np.isfinite(points.X)) and points.X.min() >= DOMAIN[0] and points.X.max() <= DOMAIN[1]
    assert np.all(np.isfinite(points.y))
    if points.problem == "classification":
        assert points.y.min() >= 0 and points.y.max() <= 4
    else:
        assert np.abs(points.y).max() <= 1
    assert all(isinstance(n, str) for n in notes)


# ----------------------------------------------------------------------------- edits


def binary_points(n=20) -> UserPoints:
    rng = np.random.default_rng(0)
    return UserPoints(rng.uniform(-5, 5, size=(n, 2)), np.arange(n) % 2, "classification")


def test_adding_a_point_puts_it_where_clicked_with_its_class():
    points = binary_points()
    more = points.added(1.25, -2.5, 1)
    assert len(more) == len(points) + 1
    assert more.X[-1].tolist() == [1.25, -2.5] and more.y[-1] == 1
    assert np.array_equal(more.X[:-1], points.X)
    assert points.added(99, -99, 0).X[-1].tolist() == [6, -6]         # clamped onto the plane


def test_a_new_class_makes_it_a_multi_class_set():
    points = binary_points().added(0, 0, 2)
    assert (points.n_classes, points.dataset_name) == (3, "user_classes")
    with pytest.raises(UserDataError, match="whole number 0 to 4"):
        points.added(0, 0, 5)


def test_removing_takes_the_nearest_point_within_reach():
    points = binary_points()
    target = points.X[7]
    fewer = points.removed_near(target[0] + 0.05, target[1] - 0.05)
    assert len(fewer) == len(points) - 1
    assert not any(np.array_equal(row, target) for row in fewer.X)
    with pytest.raises(UserDataError, match="no point at"):
        UserPoints([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], [0, 1, 0, 1, 0], "classification").removed_near(-4, 4)


def test_the_last_few_points_cannot_be_removed():
    points = UserPoints([[0, 0], [1, 1], [2, 2], [3, 3]], [0, 1, 0, 1], "classification")
    with pytest.raises(UserDataError, match=f"at least {MIN_POINTS} points"):
        points.removed_near(0, 0)


# ----------------------------------------------------------------------------- configs and training


@pytest.mark.parametrize("points, output, dataset, new_output, layer_out", [
    (binary_points(), "sigmoid", "user", None, 1),
    (binary_points().added(0, 0, 3), "sigmoid", "user_classes", "softmax", 4),
    (UserPoints(np.zeros((5, 2)), np.linspace(-1, 1, 5), "regression"), "softmax", "user_values", "linear", 1),
])
def test_the_config_follows_the_points(points, output, dataset, new_output, layer_out):
    config = Config(dataset="circle", output=output, hidden=(3,))
    changes = points.config_changes(config)
    assert changes["dataset"] == dataset and changes.get("output") == new_output
    fitted = config.replace(**changes)
    assert fitted.problem == points.problem and fitted.n_output_classes == points.n_classes
    assert fitted.layer_sizes == (2, 3, layer_out)


def test_a_link_naming_own_data_without_points_falls_back_with_a_message():
    config = Config(dataset="user_values", output="linear", lr=0.1)
    fitted, messages = config_for_points(config, None)
    assert fitted.dataset == "circle" and fitted.output == "softmax" and fitted.lr == 0.1
    assert messages and "cannot carry" in messages[0]
    assert config_for_points(Config(dataset="xor"), None) == (Config(dataset="xor"), [])
    fitted, messages = config_for_points(Config(dataset="user"), binary_points().added(0, 0, 2))
    assert (fitted.dataset, fitted.n_classes, messages) == ("user_classes", 3, [])


def test_own_points_split_by_the_configs_fraction_and_seed():
    points = binary_points(40)
    config = Config(dataset="user", train_fraction=0.7, data_seed=3)
    d = points.dataset(config)
    assert (len(d.X_train), len(d.X_test)) == (28, 12)
    together = np.concatenate([d.X_train, d.X_test])
    assert sorted(map(tuple, together)) == sorted(map(tuple, points.X))       # every point, once
    assert np.array_equal(points.dataset(config).X_train, d.X_train)           # same seed, same split
    assert not np.array_equal(points.dataset(config.replace(data_seed=4)).X_train, d.X_train)


def test_a_clicked_point_always_trains_and_moves_no_other_point():
    """The test points are hidden by default: a point added by a click must land in the training part,
    whatever the seed, and the points that were there keep their parts."""
    points = binary_points(40)
    for seed in range(12):
        config = Config(dataset="user", train_fraction=0.5, data_seed=seed)
        before = points.dataset(config)
        after = points.added(1.25, -2.5, 1).added(-3.0, 4.0, 0).dataset(config)
        assert after.X_train.tolist() == before.X_train.tolist() + [[1.25, -2.5], [-3.0, 4.0]]
        assert after.y_train.tolist() == before.y_train.tolist() + [1, 0]
        assert after.X_test.tolist() == before.X_test.tolist()


def test_a_placed_point_stays_placed_when_another_is_removed():
    points = binary_points(10).added(2.0, 2.0, 1)
    fewer = points.removed_near(*points.X[3])
    assert fewer.placed.tolist() == [False] * 9 + [True]
    assert [2.0, 2.0] in fewer.dataset(Config(dataset="user")).X_train.tolist()
    assert fewer != UserPoints(fewer.X, fewer.y, fewer.problem)          # the same points, not placed


def test_points_placed_by_hand_only_still_leave_one_to_test():
    corners = [(-4.0, -4.0), (4.0, -4.0), (4.0, 4.0), (-4.0, 4.0)]
    points = UserPoints(np.zeros((0, 2)), np.zeros(0), "classification")
    for k, (a, b) in enumerate(corners):
        points = points.added(a, b, k % 2)
    d = points.dataset(Config(dataset="user"))
    assert d.X_test.tolist() == [[-4.0, -4.0]]                          # the oldest
    assert d.X_train.tolist() == [[4.0, -4.0], [4.0, 4.0], [-4.0, 4.0]]
    one_free = UserPoints(points.X, points.y, points.problem, [True, True, False, True])
    d = one_free.dataset(Config(dataset="user"))
    assert d.X_test.tolist() == [[4.0, 4.0]] and len(d.X_train) == 3


@pytest.mark.parametrize("fraction, seed", [(0.5, 0), (0.8, 3), (0.3, 11)])
def test_the_first_edit_of_a_generated_set_keeps_its_split(fraction, seed):
    config = Config(dataset="xor", n_samples=60, train_fraction=fraction, data_seed=seed)
    data = make_dataset("xor", 60, config.noise, fraction, seed)
    copied = UserPoints.from_dataset(data, config).dataset(config)
    assert np.array_equal(copied.X_train, data.X_train) and np.array_equal(copied.y_train, data.y_train)
    assert np.array_equal(copied.X_test, data.X_test) and np.array_equal(copied.y_test, data.y_test)


def test_generated_sets_split_as_before_the_refactor():
    # the split of a generated set is a permutation of the generator's points drawn after them
    d = make_dataset("xor", 50, 0.0, 0.5, seed=9)
    rng = np.random.default_rng(9)
    X, y = DATASETS["xor"].make(50, 0.0, rng, 2)
    order = rng.permutation(50)
    assert np.array_equal(d.X_train, X[order][:25]) and np.array_equal(d.y_test, y[order][25:])


def test_the_trainer_learns_a_separable_set_of_own_points():
    rng = np.random.default_rng(1)
    left = rng.normal([-30, 10], 4, size=(60, 2))         # outside the plane: they get scaled
    right = rng.normal([30, 10], 4, size=(60, 2))
    text = rows(*(f"{a},{b},0" for a, b in left), *(f"{a},{b},1" for a, b in right))
    points, _ = parse_csv(text)
    config = Config(dataset="circle", hidden=(4,), lr=0.1, batch_size=10, seed=2)
    config = config.replace(**points.config_changes(config))
    trainer = Trainer(config, data=points.dataset(config))
    before = trainer.probe()
    report = trainer.run(300)
    assert report.test_metric >= 0.95 and report.train_loss < before.train_loss / 3


def test_the_trainer_refuses_points_that_do_not_fit_the_config():
    points = binary_points().added(0, 0, 2)
    with pytest.raises(ValueError, match="3 classes"):
        Trainer(Config(dataset="user"), data=points.dataset(Config(dataset="user")))


# ----------------------------------------------------------------------------- the Playground page


def start(query=None, points=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if points is not None:
        at.session_state["user_points"] = points
    return at.run()


def uploader(at):
    return next(u for u in at.file_uploader if u.label == "Upload a CSV file")


def test_uploading_a_good_csv_trains_on_it():
    at = start({"output": "sigmoid"})
    uploader(at).set_value(("mine.csv", TEMPLATE_CSV.encode(), "text/csv")).run()
    assert not at.exception
    run = at.session_state["run"]
    assert run.config.dataset == "user" and run.config.output == "sigmoid"
    d = run.trainer.data
    assert len(d.X_train) + len(d.X_test) == 8
    assert any("Training on your 8 points" in i.value for i in at.info)
    box = at.selectbox(key="setting_dataset")
    assert box.value == "user" and "Your data (2 classes)" in box.options


def test_a_bad_csv_lists_every_problem_and_the_run_goes_on():
    at = start()
    at.button(key="step").click().run()
    run = at.session_state["run"]
    trainer = run.trainer
    uploader(at).set_value(("bad.csv", rows(*GOOD, "1,abc,0", "2,2").encode(), "text/csv")).run()
    assert not at.exception
    message = at.error[0].value
    assert "row 5: x2 is 'abc', not a number" in message and "row 6 has 2 values" in message
    assert at.session_state["run"].trainer is trainer and trainer.step == 1 and run.config.dataset == "circle"


def test_own_points_in_the_session_appear_in_the_dataset_choice():
    at = start({"dataset": "user"}, points=binary_points(30))
    assert not at.exception and not at.warning
    run = at.session_state["run"]
    assert run.config.dataset == "user" and len(run.trainer.data.X_train) == 15
    box = at.selectbox(key="setting_dataset")
    assert "Your data (2 classes)" in box.options
    assert not any(n.label == "Noise" for n in at.slider)           # nothing to generate, nothing to set
    box.set_value("xor").run()
    assert at.session_state["run"].config.dataset == "xor"
    assert "Your data (2 classes)" in at.selectbox(key="setting_dataset").options   # still there to go back
    at.selectbox(key="setting_dataset").set_value("user").run()
    assert at.session_state["run"].config.dataset == "user" and not at.exception


def test_a_link_to_own_data_without_points_says_so_and_shows_the_default():
    at = start({"dataset": "user_classes", "n_classes": "4"})
    assert not at.exception
    assert at.session_state["run"].config.dataset == "circle"
    assert any("cannot carry" in w.value for w in at.warning)


def test_the_gradient_flow_lab_opens_a_link_to_own_data_on_a_set_it_can_make_and_says_so():
    """A link cannot carry a student's points: the lab opens on the Circle set with its own output
    (softmax, not the link's regression output) and the message names what happened."""
    from mlp.ui.gradient_flow_page import KEY
    at = AppTest.from_file(str(ROOT / "pages" / "1_Gradient_flow.py"), default_timeout=60)
    at.query_params["dataset"] = "user_values"
    at.query_params["output"] = "linear"
    at.run()
    assert not at.exception
    config = at.session_state[KEY].run.config
    assert (config.dataset, config.output) == ("circle", "softmax")
    assert any("own data points" in w.value and "Circle" in w.value for w in at.warning)


def _click_app():
    """The click handler with a fake click payload, inside a real script run."""
    import streamlit as st

    from mlp.ui.state import current_run
    from mlp.ui.own_points_panel import click_on_plane
    run = current_run()
    for payload in st.session_state.pop("clicks", []):
        click_on_plane(run, payload)


def test_clicks_add_and_remove_points():
    at = AppTest.from_function(_click_app, default_timeout=60).run()
    generated = at.session_state["run"].trainer.data
    first = generated.X_train[0]
    at.session_state["edit_points_class"] = 1
    at.session_state["clicks"] = [{"x": -5.5, "y": 5.5, "on": "output", "at": 1}]
    at.run()
    run = at.session_state["run"]
    points = at.session_state["user_points"]
    assert run.config.dataset == "user" and len(points) == 501     # the circle set, copied, plus one
    assert [-5.5, 5.5] in points.X.tolist() and points.y[points.X.tolist().index([-5.5, 5.5])] == 1
    d = run.trainer.data
    assert len(d.X_train) + len(d.X_test) == 501
    assert [-5.5, 5.5] in d.X_train.tolist()                      # drawn: the training points always are
    assert np.array_equal(d.X_train[:-1], generated.X_train)       # and no other point changed its part
    at.session_state["clicks"] = [{"x": float(first[0]), "y": float(first[1]), "on": "train", "at": 2},
                                  {"x": "junk"}, None, {"x": 1, "y": 1}]
    at.run()
    assert not at.exception
    points = at.session_state["user_points"]
    assert len(points) == 501           # one removed, then one added by the last (valid) click on the plane
    assert first.tolist() not in points.X.tolist() and [1.0, 1.0] in points.X.tolist()


@pytest.mark.parametrize("part", ["train", "test"])
def test_removing_a_point_removes_it_and_moves_no_other(part):
    """Issue 23 item 1: a click on one point of a 500-point generated set took a test point and redrew
    the training scatter as another sample. Only the clicked point goes; every other keeps its part
    and its place in it."""
    config = Config(dataset="xor", n_samples=500, train_fraction=0.5, data_seed=0)
    data = make_dataset("xor", 500, config.noise, 0.5, 0)
    shown = data.X_train if part == "train" else data.X_test
    target = shown[17]
    # a point of the other part right beside the clicked one must not be taken instead
    other = data.X_test if part == "train" else data.X_train
    X_other = np.array(other)
    X_other[0] = target + 0.01
    data = type(data)(**{**data.__dict__, ("X_test" if part == "train" else "X_train"): X_other})
    fewer = UserPoints.from_dataset(data, config).removed_near(target[0] + 0.02, target[1], config, part=part)
    after = fewer.dataset(config)
    keep = [row for row in shown.tolist() if row != target.tolist()]
    if part == "train":
        assert after.X_train.tolist() == keep and after.X_test.tolist() == X_other.tolist()
    else:
        assert after.X_test.tolist() == keep and after.X_train.tolist() == data.X_train.tolist()
    # a second removal and an addition still move nothing else
    again = fewer.removed_near(*after.X_train[3], config, part="train").added(1.0, 1.0, 1).dataset(config)
    assert again.X_train.tolist() == after.X_train[:3].tolist() + after.X_train[4:].tolist() + [[1.0, 1.0]]
    assert again.X_test.tolist() == after.X_test.tolist()
