"""TensorFlow Playground links opened on the Playground page (Streamlit's AppTest).

A link from TensorFlow Playground with its address replaced by this app's and `#` by `?` arrives as
query params; the page must run with the link's meaning (the settings asserted here are what the link
says on TensorFlow Playground's page), say what it could not take over, leave the address bar in this
app's keys, and offer the run back in Share. The paste box takes a whole link, `#` and all.
"""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.run import tfp_link
from mlp.run.config import Config

from .test_tfp_link import BASE

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def start(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def tfp(**changes) -> dict[str, str]:
    return {**BASE, **changes}


def _config(at: AppTest) -> Config:
    return at.session_state["run"].config


def _notice(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def _address(at: AppTest) -> dict[str, str]:
    return {k: at.query_params[k][-1] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in at.query_params}


def _hidden(at: AppTest) -> frozenset[str]:
    return at.session_state["classroom_rules"].rules.hide


# (TensorFlow Playground's params, what they mean here, hidden controls, view toggles, named in the message)
TABLE = [
    pytest.param(tfp(activation="relu", dataset="spiral", regularization="L1", regularizationRate="0.003",
                     learningRate="0.01", batchSize="20", noise="15", networkShape="4,2,2", percTrainData="70",
                     seed="0.58835", xTimesY="true", xSquared="true", ySquared="true", sinX="true", sinY="true"),
                 dict(dataset="spiral", activation="relu", regularization="l1", reg_rate=0.003, lr=0.01,
                      batch_size=20, noise=0.15, hidden=(4, 2, 2), train_fraction=0.7, n_samples=500,
                      output="sigmoid", init="tfp_uniform", bias_init=0.1,
                      features=("x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2")),
                 set(), dict(view_test=False, view_discretize=False), [], id="published spiral"),
    pytest.param(tfp(problem="regression", regDataset="reg-gauss", networkShape="8,8", showTestData="true",
                     discretize="true", noise_hide="true", percTrainData_hide="true", numHiddenLayers_hide="true",
                     showTestData_hide="false"),
                 dict(dataset="multi_gauss", output="linear", n_samples=1200, hidden=(8, 8)),
                 {"noise", "train_fraction", "hidden"}, dict(view_test=True, view_discretize=True), [],
                 id="regression with hidden controls"),
    pytest.param(tfp(networkShape="", dataset="xor", initZero="true", x="false", y="false", xTimesY="true"),
                 dict(hidden=(), dataset="xor", init="zeros", bias_init=0.0, features=("x1x2",)),
                 set(), dict(view_test=False, view_discretize=False), [], id="no hidden layer, zero init"),
    pytest.param(tfp(learningRate="fast", activation="swish", cosX="true", collectStats="true", noise="80"),
                 dict(lr=0.03, activation="tanh", noise=0.0, features=("x1", "x2")),
                 set(), dict(view_test=False, view_discretize=False),
                 ["learningRate", "swish", "cosX", "collectStats", "noise=80"], id="bad values and unmappable keys"),
    pytest.param({**tfp(learningRate="0.3"), "lr": "0.1", "optimizer": "adam"},
                 dict(lr=0.1, optimizer="adam"), set(), dict(view_test=False, view_discretize=False),
                 ["lr=0.1", "learningRate=0.3"], id="mixed keys: this app's win"),
]


@pytest.mark.parametrize("params, meant, hidden, views, named", TABLE)
def test_a_tensorflow_playground_link_opens_its_experiment(params, meant, hidden, views, named):
    at = start(params)
    config = _config(at)
    for key, value in meant.items():
        assert getattr(config, key) == value, key
    assert _hidden(at) == hidden
    for key, value in views.items():
        assert at.session_state[key] is value
    notice = _notice(at)
    for word in named:
        assert word in notice
    if not named:
        assert "TensorFlow Playground" not in notice
    # the address bar now holds the same experiment in this app's own keys
    address = _address(at)
    assert not tfp_link.is_tfp(address)
    assert Config.from_query(address) == config


def _tfp_link_in_share(at: AppTest) -> str:
    """The link Share offers: the "Open in TensorFlow Playground" button's, also shown for copying."""
    buttons = [b.proto for b in at.get("link_button") if b.proto.label == "Open in TensorFlow Playground"]
    assert len(buttons) == 1
    assert buttons[0].url in [c.value for c in at.code]
    return buttons[0].url


def test_round_trip_in_share_and_in_again_keeps_the_experiment():
    first = start(tfp(activation="sigmoid", dataset="gauss", noise="25", networkShape="5,3", percTrainData="60",
                      learningRate="0.1", regularization="L2", regularizationRate="0.01", seed="abc",
                      showTestData="true", sinY="true", batchSize_hide="true"))
    url = _tfp_link_in_share(first)
    second = start(tfp_link.params_of_link(url))
    assert _config(second) == _config(first)
    assert second.session_state["view_test"] is True
    assert _hidden(second) == _hidden(first) == {"batch_size"}


def test_share_names_what_the_link_leaves_out_and_refuses_what_it_cannot_build():
    at = start({"optimizer": "adam", "dropout": "0.1"})
    captions = "\n".join(c.value for c in at.caption)
    assert "Adam" in captions and "dropout" in captions
    assert _tfp_link_in_share(at)
    at = start({"dataset": "moons"})
    assert "cannot open in TensorFlow Playground" in "\n".join(c.value for c in at.caption)
    assert not [b for b in at.get("link_button") if b.proto.label == "Open in TensorFlow Playground"]


def test_the_paste_box_opens_a_whole_link():
    at = start({})
    pasted = "https://playground.tensorflow.org/#" + "&".join(
        f"{k}={v}" for k, v in tfp(dataset="xor", networkShape="3", cosY="true", noise_hide="true").items())
    at.text_input(key="tfp_paste").input(pasted).run()
    at.button(key="tfp_paste_open").click().run()
    assert not at.exception
    config = _config(at)
    assert (config.dataset, config.hidden, config.init) == ("xor", (3,), "tfp_uniform")
    assert _hidden(at) == {"noise"} and "cosY" in _notice(at)
    assert not tfp_link.is_tfp(_address(at))


def test_a_pasted_non_link_is_said_and_changes_nothing():
    at = start({"dataset": "spiral"})
    at.text_input(key="tfp_paste").input("https://example.com/?dataset=xor").run()
    at.button(key="tfp_paste_open").click().run()
    assert _config(at).dataset == "spiral"
    assert "not a TensorFlow Playground link" in _notice(at)


def test_a_teachers_lock_keeps_the_paste_box_shut():
    at = start({"lock": "lr"})
    assert at.button(key="tfp_paste_open").disabled and at.text_input(key="tfp_paste").disabled


def test_the_rate_control_offers_its_steps_up_to_10():
    at = start(tfp(regularization="L2", regularizationRate="3"))
    rate = at.select_slider(key="setting_reg_rate")
    assert rate.value == 3.0 and _config(at).reg_rate == 3.0
    rate.set_value(0.001).run()
    assert _config(at).reg_rate == 0.001
