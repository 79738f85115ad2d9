"""The Playground page headless (Streamlit's AppTest): loads, steps, shares by URL, survives bad links."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.run.config import FIELD, Config

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_default_page_loads_without_exceptions():
    at = start()
    assert not at.exception
    assert any(m.value == "**Neural network playground**" for m in at.markdown)     # the one-line header
    assert [m.label for m in at.metric][:2] == ["Epoch", "Step"]
    assert at.metric[1].value == "0"
    assert not at.warning


def test_step_advances_the_counter_and_changes_the_weights():
    at = start()
    run = at.session_state["run"]
    before = run.trainer.net.params.copy()
    button(at, "Step").click().run()
    assert not at.exception
    assert at.metric[1].value == "1"
    assert (run.trainer.net.params != before).any()
    button(at, "Reset").click().run()
    assert at.metric[1].value == "0"
    assert (at.session_state["run"].trainer.net.params == before).all()


def test_the_url_reproduces_the_run():
    config = Config(dataset="xor", hidden=(6, 3), activation="relu", lr=0.1, seed=7)
    query = {k: v for k, v in config.to_query().items() if v != Config().to_query()[k]}
    at = start(query)
    assert not at.exception and not at.warning
    assert at.session_state["run"].config == config


@pytest.mark.parametrize("query", [
    {"lr": "banana", "hidden": "4,-2", "dataset": "<script>alert(1)</script>"},
    {"n_samples": "99999999999999999999", "features": ""},
    {"dataset": "plane"},                      # a regression set with the default softmax output
    {"noise": "nan", "init_gain": "inf", "hidden": ",".join(["8"] * 100)},
])
def test_hostile_links_give_messages_not_tracebacks(query):
    at = start(query)
    assert not at.exception
    config = at.session_state["run"].config
    assert isinstance(config, Config)
    if query != {"dataset": "plane"}:
        assert at.warning, "a bad link must say what was wrong"


def test_a_bad_link_is_one_message_listing_every_bad_setting():
    at = start({"lr": "banana", "hidden": "4,-2", "noise": "nan"})
    (warning,) = at.warning
    lines = warning.value.splitlines()
    assert lines[0].startswith("Some settings in the link were not valid")
    assert len(lines) == 4 and all(line.startswith("- ") for line in lines[1:])
    assert any("banana" in line for line in lines) and any("-2" in line for line in lines)


@pytest.mark.slow      # one page run per control
def test_every_control_can_be_changed_once():
    at = start()
    changes = 0
    for box in at.selectbox:
        if box.key == "stage_problem":              # TF Playground's problem type: switches the data set
            box.set_value("regression").run()
            assert at.session_state["run"].config.problem == "regression"
        else:
            options = list(FIELD[box.key.removeprefix("setting_")].choices())
            box.set_value(options[1]).run()
        changes += 1
        assert not at.exception, box.label
    for slider in at.slider:
        slider.set_value(slider.max).run()
        changes += 1
        assert not at.exception, slider.label
    for number in at.number_input:
        number.increment().run()
        changes += 1
        assert not at.exception, number.label
    for toggle in at.toggle:
        toggle.set_value(not toggle.value).run()
        changes += 1
        assert not at.exception, toggle.label
    lr = next(s for s in at.select_slider if s.label == "Learning rate")
    lr.set_value(0.3).run()
    at.text_input(key="setting_hidden").set_value("6, 5, 4").run()
    pills = next(b for b in at.get("button_group") if b.key == "setting_features")
    pills.set_value(["x1", "x2", "x1x2"]).run()
    button(at, "Regenerate").click().run()
    button(at, "Step").click().run()
    button(at, "Back").click().run()
    assert not at.exception
    config = at.session_state["run"].config
    assert changes > 15
    assert (config.lr, config.hidden, config.features) == (0.3, (6, 5, 4), ("x1", "x2", "x1x2"))
    assert config.data_seed == 2                               # +1 from its number box, +1 Regenerate
    assert at.session_state["run"].trainer.step == 0


def test_a_refused_setting_keeps_the_run_and_says_why():
    at = start()
    widths = next(t for t in at.text_input if t.label.startswith("Widths"))
    widths.set_value("4, 0, 9999").run()
    assert not at.exception
    assert at.session_state["run"].config.hidden == (4, 2)
    assert any("layer width must be" in w.value for w in at.warning)


def test_a_live_change_keeps_training_and_a_structural_one_resets():
    at = start()
    button(at, "Step").click().run()
    lr = next(s for s in at.select_slider if s.label == "Learning rate")
    lr.set_value(0.1).run()
    assert at.session_state["run"].trainer.step == 1              # same net, new learning rate
    add = button(at, "+ layer")
    add.click().run()
    assert at.session_state["run"].trainer.step == 0 and at.session_state["run"].config.hidden == (4, 2, 2)


def test_editing_a_weight_by_hand_changes_the_net_and_the_output():
    at = start()
    run = at.session_state["run"]
    loss_before = at.metric[2].value
    at.number_input(key="edit_layer").set_value(1).run()
    at.number_input(key="edit_from").set_value(2).run()
    at.number_input(key="edit_to").set_value(3).run()
    assert at.number_input(key="edit_value").value == pytest.approx(float(run.trainer.net.weights[0][1, 2]), abs=1e-4)
    at.number_input(key="edit_value").set_value(5.0).run()
    assert not at.exception
    assert run.trainer.net.weights[0][1, 2] == 5.0
    assert at.metric[2].value != loss_before                   # the training loss was recomputed
    at.segmented_control(key="edit_kind").set_value("bias").run()
    at.number_input(key="edit_value").set_value(-1.5).run()
    assert run.trainer.net.biases[0][0, 2] == -1.5


def test_back_undoes_a_hand_edit_of_a_weight():
    at = start()
    run = at.session_state["run"]
    before, before_w = run.trainer.net.params.copy(), run.trainer.net.weights[1][2, 0]
    assert at.button(key="step_back").disabled
    at.number_input(key="edit_layer").set_value(2).run()
    at.number_input(key="edit_from").set_value(3).run()
    at.number_input(key="edit_to").set_value(1).run()
    at.number_input(key="edit_value").set_value(2.5).run()
    assert run.trainer.net.weights[1][2, 0] == 2.5
    assert not at.button(key="step_back").disabled
    loss_edited = at.metric[2].value
    at.button(key="step_back").click().run()
    assert not at.exception
    assert (run.trainer.net.params == before).all() and run.trainer.step == 0
    assert at.metric[2].value != loss_edited                    # the charts show the weights as they were
    assert at.number_input(key="edit_value").value == pytest.approx(float(before_w), abs=1e-4)   # so does the box
    assert at.button(key="step_back").disabled


def test_the_tripwire_names_the_button_that_steps_back():
    at = start({"tripwire": "1e-06"})
    button(at, "Step").click().run()
    (tripped,) = [w.value for w in at.warning if "Tripwire" in w.value]
    assert "*Back*" in tripped and "Step back" not in tripped
    assert at.button(key="step_back").label == "Back"


def test_adam_sliders_show_the_digits_their_value_needs():
    """β₂ = 0.999 read "1.00" with the slider's default two decimals; %g gives 0.999 (printf rules)."""
    at = start({"optimizer": "adam"})
    slider = at.slider(key="setting_beta2")
    assert slider.value == 0.999
    assert slider.proto.format % slider.value == "0.999"


# -- the Playground names its gradients on its first screen ------------------------------------------
def _gradient_words(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "gradients**" in w.value]


def test_a_deep_sigmoid_net_is_called_vanishing_before_play_with_an_action():
    """Sigmoid's slope is at most ¼ and N(0, 1) weights push units into its tails: ten layers leave the first
    far under 10⁻³ of the error (the Gradient flow lab's line for vanishing)."""
    at = start({"activation": "sigmoid", "init": "normal", "hidden": ",".join(["4"] * 10)})
    words = _gradient_words(at)
    assert len(words) == 1 and words[0].startswith("**Vanishing gradients**") and "try ReLU with He init" in words[0]
    at.button(key="step").click().run()              # and still after a step
    assert _gradient_words(at)[0].startswith("**Vanishing gradients**")


def test_a_relu_net_with_unit_normal_weights_is_called_exploding_before_it_diverges():
    """n_in·Var(W) = 32 and ReLU keeps half: √16 = 4 per layer, 4⁹ ≈ 2.6·10⁵ over ten layers of 32."""
    at = start({"activation": "relu", "init": "normal", "hidden": ",".join(["32"] * 10)})
    assert at.metric[1].value == "0"                 # at rest: nothing has overflowed yet
    words = _gradient_words(at)
    assert len(words) == 1 and words[0].startswith("**Exploding gradients**") and "try He init" in words[0]


def test_a_healthy_net_says_nothing_about_its_gradients():
    for query in ({}, {"activation": "relu", "init": "he_normal", "hidden": "16,16,16,16,16"},
                  {"activation": "tanh", "init": "xavier_normal", "hidden": "16,16,16,16,16"}):
        assert _gradient_words(start(query)) == [], query
