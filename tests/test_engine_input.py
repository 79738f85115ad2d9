"""The engine's public API refuses bad input with one short message, never NumPy's wording.

Every refusal is a ValueError or TypeError whose message names the argument, says what it accepts
and what it got, and stays under MAX_MESSAGE characters however large the input was. The expected
shapes and choices come from the row-as-example convention and the registries, not from the code.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp
from mlp.engine.gradcheck import numerical_gradient, safe_steps
from mlp.engine.step import train_step

MAX_MESSAGE = 300


def refusal(excinfo, *names):
    """The message of a caught refusal, after checking its bound and that it names each of `names`."""
    message = str(excinfo.value)
    assert len(message) < MAX_MESSAGE, message
    for name in names:
        assert name in message, (name, message)
    return message


def small_net(**kw):
    """2 inputs, 3 softmax outputs, float64 (exact comparisons)."""
    return mlp.MLP([2, 4, 3], dtype="float64", seed=1, **kw)


X5 = np.arange(10, dtype=float).reshape(5, 2) / 10
Y5 = np.eye(3)[[0, 1, 2, 0, 1]]


# -- a 1-D point is one row -----------------------------------------------------------------------

def test_a_1d_point_is_one_row_in_forward_predict_and_layer_outputs():
    net = small_net()
    point = np.array([0.3, -0.7])
    row = net.forward(point[None, :])
    assert row.shape == (1, 3)
    np.testing.assert_array_equal(net.forward(point), row)
    np.testing.assert_array_equal(net.predict(point), row)
    np.testing.assert_array_equal(net.predict([0.3, -0.7]), row)
    for a, b in zip(net.layer_outputs(point), net.layer_outputs(point[None, :])):
        assert a.shape == b.shape == (1, b.shape[1])
        np.testing.assert_array_equal(a, b)


def test_a_1d_point_trains_like_its_row():
    nets = [small_net(), small_net()]
    point, target = np.array([0.3, -0.7]), np.array([0.0, 1.0, 0.0])
    train_step(nets[0], mlp.SGD(0.5), point, target)
    train_step(nets[1], mlp.SGD(0.5), point[None, :], target[None, :])
    np.testing.assert_array_equal(nets[0].params, nets[1].params)


def test_a_1d_x_of_another_length_is_refused_with_the_reshape_hint():
    net = mlp.MLP([1, 4, 1], output="linear")
    with pytest.raises(ValueError) as e:
        net.forward(np.linspace(-1, 1, 50))
    refusal(e, "X", "(m, 1)", "(50,)", "reshape(-1, 1)")


# -- a target of the wrong shape is refused, not broadcast -----------------------------------------

BAD_TARGETS = {
    "one column for three outputs": np.ones((5, 1)),
    "class labels": np.array([0, 1, 2, 0, 1]),
    "a column too many": np.ones((5, 4)),
    "a row short": np.eye(3)[[0, 1, 2, 0]],
    "one row for five points": np.array([0.0, 1.0, 0.0]),
    "3-D": np.ones((5, 3, 1)),
}


@pytest.mark.parametrize("Y", BAD_TARGETS.values(), ids=BAD_TARGETS.keys())
@pytest.mark.parametrize("call", ["backward", "loss", "train_step", "gradcheck"])
def test_a_wrong_shape_target_raises_instead_of_giving_gradients(call, Y):
    net = small_net()
    net.forward(X5)
    net.backward(Y5)
    grad_before, params_before = net.grad.copy(), net.params.copy()
    with pytest.raises(ValueError) as e:
        if call == "train_step":
            train_step(net, mlp.SGD(0.1), X5, Y)
        elif call == "gradcheck":
            mlp.gradcheck(net, X5, Y)
        else:
            getattr(net, call)(Y)
    refusal(e, "Y", "(5, 3)", str(np.shape(Y)))
    np.testing.assert_array_equal(net.grad, grad_before)
    np.testing.assert_array_equal(net.params, params_before)


def test_class_labels_get_the_one_hot_hint_and_values_the_column_hint():
    net = small_net()
    net.forward(X5)
    with pytest.raises(ValueError) as e:
        net.backward([0, 1, 2, 0, 1])
    refusal(e, "Y", "one_hot")
    reg = mlp.MLP([2, 3, 1], output="linear")
    reg.forward(X5)
    with pytest.raises(ValueError) as e:
        reg.loss(np.arange(5.0))
    refusal(e, "Y", "(5, 1)", "reshape(-1, 1)")


def test_a_1d_target_of_one_point_is_its_row():
    net = small_net()
    net.forward([0.3, -0.7])
    loss = net.loss([0.0, 1.0, 0.0])
    assert loss == pytest.approx(-math.log(net.forward([[0.3, -0.7]])[0, 1]))


def test_backward_and_loss_before_any_forward_say_so():
    for call in ("backward", "loss"):
        with pytest.raises(RuntimeError, match="forward"):
            getattr(small_net(), call)(Y5)


# -- wrong width, empty batch, non-finite values ---------------------------------------------------

@pytest.mark.parametrize("call", ["forward", "predict", "layer_outputs", "train_step", "gradcheck"])
def test_a_wrong_width_names_x_and_the_input_width(call):
    with pytest.raises(ValueError) as e:
        run_with_x(small_net(), call, np.ones((5, 3)))
    refusal(e, "X", "(m, 2)", "(5, 3)")


@pytest.mark.parametrize("call", ["forward", "predict", "layer_outputs", "train_step", "gradcheck"])
def test_an_empty_batch_is_refused(call):
    with pytest.raises(ValueError) as e:
        run_with_x(small_net(), call, np.ones((0, 2)))
    refusal(e, "X", "at least one row", "(0, 2)")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e39])      # 1e39 is beyond float32
@pytest.mark.parametrize("call", ["forward", "predict", "train_step"])
def test_non_finite_inputs_are_refused_with_where(call, bad):
    X = X5.copy()
    X[3, 1] = bad
    net = mlp.MLP([2, 4, 3])
    with pytest.raises(ValueError) as e:
        run_with_x(net, call, X)
    refusal(e, "X", "finite", "row 3, column 1")


def test_non_finite_targets_are_refused():
    net = small_net()
    net.forward(X5)
    Y = Y5.copy()
    Y[0, 0] = np.nan
    with pytest.raises(ValueError) as e:
        net.backward(Y)
    refusal(e, "Y", "finite", "row 0, column 0")


def test_text_and_ragged_inputs_are_refused_as_not_numbers():
    net = small_net()
    for X in (np.array([["a", "b"]]), [[1.0, 2.0], [3.0]], None, {"x": 1}):
        with pytest.raises((TypeError, ValueError)) as e:
            net.forward(X)
        refusal(e, "X", "numbers")


def run_with_x(net, call, X):
    if call == "train_step":
        return train_step(net, mlp.SGD(0.1), X, np.eye(3)[np.zeros(len(X), int)] if X.ndim == 2 else X)
    if call == "gradcheck":
        return mlp.gradcheck(net, X, np.eye(3)[np.zeros(len(X), int)])
    return getattr(net, call)(X)


# -- names get the list of choices ----------------------------------------------------------------

@pytest.mark.parametrize("argument, registry", [("activation", mlp.ACTIVATIONS), ("init", mlp.INITIALIZERS),
                                                ("output", mlp.OUTPUTS)])
@pytest.mark.parametrize("name", ["Tanh", "glorot", "", None, ["tanh"]])
def test_an_unknown_name_lists_every_choice(argument, registry, name):
    with pytest.raises(ValueError) as e:
        mlp.MLP([2, 3, 1], **{argument: name})
    refusal(e, argument, *[repr(choice) for choice in registry])


@pytest.mark.parametrize("argument, registry", [("activation", mlp.ACTIVATIONS), ("init", mlp.INITIALIZERS),
                                                ("output", mlp.OUTPUTS), ("optimizer", mlp.OPTIMIZERS)])
def test_registry_lookups_list_the_choices_and_stay_key_errors(argument, registry):
    with pytest.raises(KeyError) as e:          # old callers catching KeyError still do
        registry["nope"]
    assert isinstance(e.value, ValueError)
    refusal(e, argument, "'nope'", *[repr(choice) for choice in registry])
    assert registry.get("nope") is None and "nope" not in registry


# -- layer sizes ----------------------------------------------------------------------------------

def test_a_thousand_bad_widths_give_one_short_message():
    with pytest.raises(ValueError) as e:
        mlp.MLP([2] + [0] * 1000 + [2])
    message = refusal(e, "sizes", "whole numbers", "and 997 more")
    assert message.count("0 at") == 3


@pytest.mark.parametrize("sizes, shows", [([2, 0, 3], "0 at 1"), ([2, -4, 3], "-4 at 1"),
                                          ([2, 2.5, 3], "2.5 at 1"), ([2, "8", 3], "'8' at 1"),
                                          ([2, True, 3], "True at 1"), ([2, float("nan"), 1], "nan at 1")])
def test_a_bad_width_is_named_with_its_place(sizes, shows):
    with pytest.raises(ValueError) as e:
        mlp.MLP(sizes, output="linear")
    refusal(e, "sizes", shows)


@pytest.mark.parametrize("sizes", [5, "2,8,2", None, [[2, 8, 2]], [3]])
def test_sizes_must_be_a_list_of_at_least_two_widths(sizes):
    with pytest.raises((TypeError, ValueError)) as e:
        mlp.MLP(sizes)
    refusal(e, "sizes", "e.g. [2, 8, 2]")


def test_whole_float_widths_are_taken_as_ints():
    assert mlp.MLP([2.0, np.int64(8), 2]).sizes == (2, 8, 2)


def test_a_net_too_large_to_allocate_is_refused_before_allocating():
    with pytest.raises(ValueError) as e:
        mlp.MLP([2, 10**6, 10**6, 2])
    refusal(e, "sizes", "100,000,000")


@pytest.mark.parametrize("kw, names", [
    ({"dropout": 1.0}, ["dropout", "[0, 1)"]), ({"dropout": "0.5"}, ["dropout", "'0.5'"]),
    ({"seed": -1}, ["seed", "whole number"]), ({"seed": 1.5}, ["seed", "1.5"]),
    ({"dtype": "int32"}, ["dtype", "float64"]), ({"dtype": "nonsense"}, ["dtype", "float32"]),
    ({"init_gain": float("inf")}, ["init_gain", "finite"]), ({"bias_init": float("nan")}, ["bias_init", "nan"]),
    ({"output": "sigmoid"}, ["output", "one unit", "sizes"]),
])
def test_other_constructor_arguments(kw, names):
    with pytest.raises((TypeError, ValueError)) as e:
        mlp.MLP([2, 3, 2], **kw)
    refusal(e, *names)


# -- optimizers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("make, names", [
    (lambda: mlp.SGD(-1), ["lr", "> 0", "-1"]), (lambda: mlp.SGD(0), ["lr", "> 0"]),
    (lambda: mlp.SGD(float("nan")), ["lr", "nan"]), (lambda: mlp.SGD("a"), ["lr", "'a'"]),
    (lambda: mlp.Momentum(0.1, beta=1.5), ["beta", "[0, 1)", "1.5"]),
    (lambda: mlp.Momentum(0.1, beta=-0.1), ["beta", "[0, 1)"]),
    (lambda: mlp.Adam(0.1, beta1=1.0), ["beta1", "[0, 1)"]), (lambda: mlp.Adam(0.1, beta2=2), ["beta2", "[0, 1)"]),
    (lambda: mlp.Adam(0.1, eps=0), ["eps", "> 0"]), (lambda: mlp.Adam(None), ["lr", "None"]),
])
def test_optimizer_hyper_parameters(make, names):
    with pytest.raises((TypeError, ValueError)) as e:
        make()
    refusal(e, *names)


def test_an_optimizer_refuses_gradients_shaped_for_another_net():
    net, other = small_net(), mlp.MLP([2, 5, 3], dtype="float64")
    other.forward(X5)
    with pytest.raises(ValueError) as e:
        mlp.SGD(0.1).step(net, other.backward(Y5))
    refusal(e, "grads", "backward()")


def test_an_optimizer_takes_a_copied_gradient_like_the_nets_own():
    a, b = small_net(), small_net()
    for net in (a, b):
        net.forward(X5)
        net.backward(Y5)
    mlp.Adam(0.1).step(a, a.grads)
    mlp.Adam(0.1).step(b, [(dW.copy(), db.copy()) for dW, db in b.grads])
    np.testing.assert_array_equal(a.params, b.params)


# -- train_step, gradcheck, set_params ------------------------------------------------------------

@pytest.mark.parametrize("kw, names", [({"l2": -0.1}, ["l2", "≥ 0"]), ({"l1": float("inf")}, ["l1", "finite"]),
                                       ({"clip_norm": "1"}, ["clip_norm", "'1'"]),
                                       ({"last_good": np.zeros(3)}, ["last_good", "(27,)"])])
def test_train_step_options(kw, names):
    with pytest.raises((TypeError, ValueError)) as e:
        train_step(small_net(), mlp.SGD(0.1), X5, Y5, **kw)
    refusal(e, *names)


def test_train_step_and_step_need_a_net_and_an_optimizer():
    for call, names in [(lambda: train_step(small_net(), "sgd", X5, Y5), ["optimizer", "mlp.SGD", "'sgd'"]),
                        (lambda: train_step(None, mlp.SGD(0.1), X5, Y5), ["net", "mlp.MLP", "None"]),
                        (lambda: mlp.SGD(0.1).step([1.0, 2.0], []), ["net", "mlp.MLP"])]:
        with pytest.raises(TypeError) as e:
            call()
        refusal(e, *names)


def test_train_step_converts_arrays_to_the_nets_dtype():
    nets = [mlp.MLP([2, 4, 3], seed=3), mlp.MLP([2, 4, 3], seed=3)]
    train_step(nets[0], mlp.SGD(0.5), X5, Y5)                                       # float64, lists fine too
    train_step(nets[1], mlp.SGD(0.5), X5.astype(np.float32), Y5.astype(np.float32))
    np.testing.assert_array_equal(nets[0].params, nets[1].params)


def test_gradcheck_and_its_parts_check_their_arguments():
    net = small_net()
    for call, names in [(lambda: mlp.gradcheck(net, X5, Y5, h=0), ["h", "> 0"]),
                        (lambda: mlp.gradcheck("net", X5, Y5), ["net", "MLP"]),
                        (lambda: safe_steps(net, np.ones((5, 4))), ["X", "(m, 2)"]),
                        (lambda: numerical_gradient(net, X5, Y5, net.weights[0].copy()), ["param", "weights"])]:
        with pytest.raises((TypeError, ValueError)) as e:
            call()
        refusal(e, *names)


def test_set_params_needs_one_number_per_parameter():
    net = small_net()
    with pytest.raises(ValueError) as e:
        net.set_params(np.ones(3))
    refusal(e, "flat", "27", "3")


# -- anything at all ------------------------------------------------------------------------------

BAD_NAMES = st.one_of(st.sampled_from(["Tanh", "", "nope", "softmax"]), st.text(max_size=5), st.none(),
                      st.integers(-3, 3), st.lists(st.text(max_size=2), max_size=2))
NUMBERS = st.one_of(st.floats(0, 0.99), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-10**30, 10**30), st.booleans(), st.none(), st.text(max_size=3))
GOOD_WIDTHS = st.lists(st.integers(1, 5), min_size=2, max_size=4)
WIDTHS = st.one_of(GOOD_WIDTHS, GOOD_WIDTHS, GOOD_WIDTHS,         # mostly fine, to get past the first check
                   st.lists(st.one_of(st.integers(-2, 5), st.floats(-1, 5), st.text(max_size=2)), max_size=5),
                   st.integers(), st.none(), st.text(max_size=4))


def names(registry):
    return st.one_of(st.sampled_from(list(registry)), st.sampled_from(list(registry)), BAD_NAMES)


VALUES = st.one_of(st.floats(-10, 10), st.floats(-1e40, 1e40), st.sampled_from([math.nan, math.inf, -math.inf]))


@st.composite
def arrays(draw):
    """Arrays of any small shape and kind, now and then with a nan, inf or huge value; or lists."""
    rows = st.tuples(st.integers(0, 6), st.sampled_from([2, 2, 2, 1, 3]))
    shape = draw(st.one_of(rows, rows, st.tuples(st.integers(0, 4)),
                           st.lists(st.integers(0, 4), max_size=3).map(tuple)))
    kind = draw(st.sampled_from(["float"] * 5 + ["int", "bool", "str", "object", "list"]))
    values = draw(st.lists(VALUES, min_size=math.prod(shape), max_size=math.prod(shape)))
    a = np.array(values, float).reshape(shape)
    if kind == "int":
        return np.nan_to_num(a, posinf=1, neginf=-1).clip(-1e6, 1e6).astype(int)
    if kind == "bool":
        return a > 0
    if kind == "str":
        return a.astype(str)
    if kind == "object":
        return a.astype(object)
    return a.tolist() if kind == "list" else a


def answer_or_clear_refusal(call):
    """call()'s result, or None once its ValueError/TypeError proved short and saying what it got.

    Anything else (IndexError, ZeroDivisionError, a bare KeyError, ...) fails the test by itself.
    """
    try:
        return call()
    except (ValueError, TypeError) as e:
        message = str(e)
        assert 0 < len(message) < MAX_MESSAGE, message
        assert not message.startswith(("matmul", "could not broadcast", "operands could not")), message
        assert "; got " in message, message
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=WIDTHS, activation=names(mlp.ACTIVATIONS), output=names(mlp.OUTPUTS), init=names(mlp.INITIALIZERS),
       dropout=st.one_of(st.just(0.0), NUMBERS), seed=st.one_of(st.integers(0, 9), NUMBERS))
def test_any_constructor_arguments_give_a_net_or_a_clear_refusal(sizes, activation, output, init, dropout, seed):
    net = answer_or_clear_refusal(lambda: mlp.MLP(sizes, activation=activation, output=output, init=init,
                                                   dropout=dropout, seed=seed))
    if net is not None:
        assert net.sizes == tuple(sizes) and len(net.params) == sum((i + 1) * o for i, o in zip(sizes, sizes[1:]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(X=arrays(), Y=arrays(), call=st.sampled_from(["forward", "predict", "layer_outputs", "backward", "loss",
                                                     "train_step", "gradcheck", "set_params", "optimizer",
                                                     "optimizer_own"]),
       number=NUMBERS, output=st.sampled_from(["softmax", "sigmoid", "linear"]))
@pytest.mark.slow      # 200 generated cases through every entry point
def test_any_arrays_give_an_answer_or_a_clear_refusal(X, Y, call, number, output):
    net = mlp.MLP([2, 3, 1 if output == "sigmoid" else 2], output=output, dtype="float64")
    net.forward(X5)

    def go():
        if call == "train_step":
            train_step(net, mlp.SGD(0.1), X, Y, l2=number if isinstance(number, float) else 0.0)
        elif call == "gradcheck":
            mlp.gradcheck(net, X, Y)
        elif call in ("backward", "loss"):
            getattr(net, call)(Y)
        elif call == "set_params":
            net.set_params(X)
        elif call == "optimizer":
            mlp.Adam(0.1).step(net, [(X, Y)] * net.n_layers)
        elif call == "optimizer_own":
            net.backward(np.eye(net.sizes[-1])[[0, 0, 0, 0, 0]])
            mlp.Momentum(number, beta=number).step(net, net.grads)
        else:
            return getattr(net, call)(X)
    with np.errstate(all="ignore"):
        out = answer_or_clear_refusal(go)
    if call in ("forward", "predict") and out is not None:
        assert out.shape == (1 if np.ndim(X) == 1 else len(X), net.sizes[-1])
        assert np.isfinite(out).all()
