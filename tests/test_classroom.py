"""Classroom mode: a teacher's link hides or locks controls (?hide=, ?lock=), is signed (?lesson=), and opens a
lab on a preset."""
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from mlp.classroom import lesson_link
from mlp.run.config import FIELD, Config
from mlp.lab import backprop, compare, gradient_flow, initialization
from mlp.ui.lesson_controls import LOCKED_HELP, PARTS, Rules, names, parse_rules
from mlp.classroom.serving import SECRET_ENV
from mlp.ui import page_link
from mlp.ui.page_link import slug
from mlp.ui.state import url_params

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def start(page="app.py", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def keys(elements) -> set[str]:
    return {e.key for e in elements}


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


# -- the parser ------------------------------------------------------------------------------------
def test_names_are_every_setting_and_the_page_parts():
    assert set(names()) == {*FIELD, *PARTS}
    assert not set(FIELD) & set(PARTS)


def test_parse_reads_comma_separated_names_in_any_case():
    rules = parse_rules({"hide": "lr, Views,,", "lock": "ACTIVATION,hidden"})
    assert rules.hide == {"lr", "views"} and rules.lock == {"activation", "hidden"}
    assert rules.problems == ()
    assert rules.hides("lr") and not rules.hides("activation") and rules.locks("hidden")


def test_unknown_names_are_reported_and_left_out():
    rules = parse_rules({"hide": "lr,activaton", "lock": "bogus", "other": "x"})
    assert rules.hide == {"lr"} and rules.lock == frozenset()
    assert len(rules.problems) == 2
    assert "'activaton'" in rules.problems[0] and "did you mean 'activation'" in rules.problems[0]
    assert "'bogus'" in rules.problems[1] and "play" in rules.problems[1]      # lists the part names
    assert parse_rules({"hide": "x" * 5000}).problems == ("the link's hide list is far too long, so it is ignored",)
    assert parse_rules({"lock": ["lr", "seed"]}).lock == {"seed"}              # a repeated key: the last wins


def test_settings_stands_for_every_setting_but_no_page_part():
    rules = Rules(hide=frozenset({"settings"}), lock=frozenset({"settings"}))
    assert all(rules.hides(k) and rules.locks(k) for k in FIELD)
    assert not rules.hides("play") and not rules.locks("views")


def test_control_gives_hidden_locked_or_free():
    rules = Rules(hide=frozenset({"lr"}), lock=frozenset({"seed", "data_seed"}))
    assert rules.control("lr") is None
    assert rules.control("activation", "Pick one.") == {"disabled": False, "help": "Pick one."}
    assert rules.control("seed", "Pick one.") == {"disabled": True, "help": f"{LOCKED_HELP} Pick one."}
    assert rules.control("gallery", locked_by=("data_seed",))["disabled"]


@pytest.mark.parametrize("hide, lock", [({"lr"}, set()), (set(), {"play", "seed"}), ({"settings", "views"},
                                                                                     {"hidden", "step"})])
def test_rules_round_trip_through_query_params(hide, lock):
    rules = Rules(frozenset(hide), frozenset(lock))
    params = rules.to_params()
    assert set(params) == {p for p, chosen in (("hide", hide), ("lock", lock)) if chosen}
    assert parse_rules(params) == rules


# -- the Playground --------------------------------------------------------------------------------
def test_hidden_controls_are_not_drawn():
    at = start(hide="lr,views,hidden,step,gallery,points")
    assert not at.exception and not at.warning
    widgets = keys(at.select_slider) | keys(at.number_input) | keys(at.text_input)
    assert "setting_lr" not in widgets and "setting_lr_typed" not in widgets and "setting_hidden" not in widgets
    assert "setting_init_gain" in widgets                          # the other settings are still there
    assert not at.toggle                                           # the view toggles and Edit points
    assert "Upload a CSV file" not in {u.label for u in at.get("file_uploader")}     # and the upload
    labels = {b.label for b in at.button}
    assert {"Step", "Back", "Regenerate data", "+ layer"}.isdisjoint(labels)
    assert {"Play", "Reset"} <= labels


def test_locked_controls_are_disabled_with_a_tooltip():
    at = start(lock="activation,hidden,play")
    assert not at.exception
    activation = at.selectbox(key="setting_activation")
    assert activation.disabled and LOCKED_HELP in activation.help
    assert not at.selectbox(key="setting_init").disabled
    assert at.text_input(key="setting_hidden").disabled
    assert at.button(key="play").disabled and not at.button(key="step").disabled
    assert all(b.disabled for b in at.button if b.label in ("+ layer", "− layer"))


def _change_on_every_run():
    """A page whose only widget is a direct call of Run.propose (as a callback would make it)."""
    import streamlit as st

    from mlp.ui.state import current_run
    run = current_run()
    st.text(f"accepted={run.propose(hidden=(8, 8, 8), init='he_normal')}")
    for problem in run.problems:
        st.warning(problem)


def test_change_config_refuses_a_locked_setting_with_a_message():
    at = AppTest.from_function(_change_on_every_run, default_timeout=TIMEOUT)
    at.query_params["lock"] = "hidden"
    at.run()
    assert not at.exception
    assert at.text[0].value == "accepted=False"
    assert warnings(at) == "Hidden layers is locked by your teacher's link"
    assert at.session_state["run"].config == Config()                  # nothing of the change was applied
    free = AppTest.from_function(_change_on_every_run, default_timeout=TIMEOUT).run()
    assert free.text[0].value == "accepted=True" and free.session_state["run"].config.hidden == (8, 8, 8)


def test_a_locked_setting_is_kept_when_another_control_would_change_it():
    at = start(lock="output")
    at.selectbox(key="setting_dataset").set_value("plane").run()    # a regression set needs the linear output
    assert not at.exception
    assert at.session_state["run"].config == Config()
    assert "Output is locked by your teacher's link" in warnings(at)
    at.selectbox(key="setting_dataset").set_value("xor").run()      # a change that keeps the output is fine
    assert at.session_state["run"].config.dataset == "xor" and not at.warning


def test_unknown_names_give_a_message_not_an_exception():
    at = start(hide="lr,nonsense", lock="activaton")
    assert not at.exception
    text = warnings(at)
    assert "'nonsense'" in text and "did you mean 'activation'" in text
    assert "setting_lr" not in keys(at.select_slider)                    # the known name still applies


def test_the_rules_survive_settings_changes_and_a_cleared_address_bar():
    at = start(hide="views", lock="activation")
    at.selectbox(key="setting_init").set_value("he_normal").run()
    assert at.query_params["init"] == "he_normal"
    assert at.query_params["hide"] == "views" and at.query_params["lock"] == "activation"
    at.query_params.clear()                         # as after a page change: Streamlit empties the params
    at.run()
    assert at.query_params["hide"] == "views" and at.query_params["lock"] == "activation"
    assert not view_toggles(at) and at.selectbox(key="setting_activation").disabled


def view_toggles(at) -> set[str]:
    """The view toggles drawn ("Edit points" belongs to the name "points", not "views")."""
    return {t.key for t in at.toggle} - {"view_edit_points"}


def _query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_the_share_link_keeps_the_rules():
    at = start(hide="views", lr="0.1")
    assert _query(at.code[0].value) == {"hide": "views", "lr": "0.1"}


def test_the_lesson_link_holds_the_settings_and_the_chosen_rules_and_round_trips():
    at = start(dataset="xor", seed="7")
    at.multiselect(key="lesson_hide").set_value(["lr", "views"]).run()
    at.multiselect(key="lesson_lock").set_value(["activation", "step"]).run()
    assert not at.exception
    query = _query(at.code[-1].value)
    token = query.pop("lesson")                    # the signature (tests/test_lesson_link.py)
    assert query == {"dataset": "xor", "seed": "7", "hide": "lr,views", "lock": "activation,step"}
    assert Config.from_query(query) == at.session_state["run"].config
    assert parse_rules(query) == Rules(frozenset({"lr", "views"}), frozenset({"activation", "step"}))
    student = start(**query, lesson=token)         # the link opens as the teacher chose
    assert not student.exception and not student.warning
    assert student.session_state["run"].config == Config(dataset="xor", seed=7)
    assert "setting_lr" not in keys(student.select_slider) and not view_toggles(student)
    assert student.selectbox(key="setting_activation").disabled and student.button(key="step").disabled
    assert student.query_params["lesson"] == token


def test_a_signed_link_whose_lock_was_removed_keeps_it_and_says_so():
    teacher = start(dataset="xor")
    teacher.multiselect(key="lesson_lock").set_value(["activation"]).run()
    query = _query(teacher.code[-1].value)
    del query["lock"]                              # the student removes the lock and changes the locked value
    student = start(**query, activation="relu")
    assert not student.exception
    assert warnings(student) == page_link.notice([lesson_link.CHANGED])       # one line of the page's link notice
    activation = student.selectbox(key="setting_activation")
    assert activation.disabled and activation.value == "tanh"
    assert student.session_state["run"].config == Config(dataset="xor")
    assert student.query_params["lock"] == "activation"        # the address bar holds the lesson again


# A worker of `python -m mlp.serve`: its own process, the shared secret in its environment.
WORKER = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
for key, value in json.loads(sys.argv[1]).items():
    at.query_params[key] = value
at.run()
print(json.dumps({"exception": bool(at.exception), "warnings": [w.value for w in at.warning],
                  "locked": at.selectbox(key="setting_activation").disabled,
                  "config": at.session_state["run"].config.to_query()}))
"""


@pytest.mark.slow      # starts worker processes
def test_a_signed_link_opens_the_same_on_two_workers_sharing_the_secret():
    secret = "one-secret-for-every-worker-" + "7" * 20
    made = Config(dataset="xor", activation="relu", seed=3)
    link = {**url_params(made), **lesson_link.sign(Rules(lock=frozenset({"activation"})), made, secret)}
    env = {**os.environ, SECRET_ENV: secret}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(link)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, text=True) for _ in range(2)]
    opened = [json.loads(w.communicate(timeout=300)[0].splitlines()[-1]) for w in workers]
    assert opened[0] == opened[1] == {"exception": False, "warnings": [], "locked": True, "config": made.to_query()}
    elsewhere = start(**link)                      # this process has Streamlit's own random secret
    assert warnings(elsewhere) == page_link.notice([lesson_link.BROKEN])
    assert elsewhere.selectbox(key="setting_activation").disabled and elsewhere.button(key="play").disabled


# -- the labs --------------------------------------------------------------------------------------
FLOW, INIT, BACKPROP, COMPARE = (f"pages/{name}.py" for name in
                                 ("1_Gradient_flow", "2_Initialization", "3_Backprop_step_by_step", "4_Compare"))


@pytest.mark.parametrize("name", ["exploding", "relu_he", "relu-he"])
def test_gradient_flow_opens_on_the_links_preset(name):
    at = start(FLOW, preset=name)
    assert not at.exception and not at.warning
    preset = gradient_flow.PRESETS[name.replace("-", "_")]
    assert at.session_state["lab_gradient_flow"].run.config == preset.config
    assert preset.label in at.info[0].value


def test_gradient_flow_takes_the_links_settings_over_its_preset():
    at = start(FLOW, preset="exploding", lr="0.001", hide="presets", lock="hidden")
    config = at.session_state["lab_gradient_flow"].run.config
    assert config == gradient_flow.PRESETS["exploding"].config.replace(lr=0.001)
    assert not any(b.key.startswith("flow_preset_") for b in at.button if b.key)
    assert at.slider(key="flow_depth").disabled
    assert at.query_params["hide"] == "presets" and at.query_params["lr"] == "0.001"


@pytest.mark.parametrize("page, state", [(FLOW, "lab_gradient_flow"), (INIT, "lab_initialization"),
                                         (BACKPROP, "lab_backprop"), (COMPARE, "lab_compare")])
def test_a_bad_preset_gives_a_message_and_the_default(page, state):
    at = start(page, preset="no-such-thing")
    assert not at.exception
    assert "no preset 'no-such-thing'" in warnings(at)
    default = start(page)
    if page == FLOW:
        assert at.session_state[state].run.config == default.session_state[state].run.config
    elif page == COMPARE:
        assert at.session_state[state].preset == compare.DEFAULT_PRESET
    else:
        assert at.session_state[state].config == default.session_state[state].config


def test_initialization_opens_on_the_links_preset_and_shows_it():
    at = start(INIT, preset="relu")
    lab = at.session_state["lab_initialization"]
    assert not at.exception and lab.schemes == initialization.PRESETS["relu"].schemes
    assert lab.config.activation == "relu"
    assert at.query_params["preset"] == "relu"
    at.button(key="init_preset_sigmoid").click().run()
    assert at.query_params["preset"] == "sigmoid"
    at.selectbox(key="init_dataset").set_value("xor").run()             # off every preset: the link says none
    assert "preset" not in at.query_params


def test_backprop_opens_on_the_links_preset_with_its_settings_on_top():
    at = start(BACKPROP, preset=slug("ReLU 2-4-4-2"), seed="5")
    assert not at.exception and not at.warning
    assert at.session_state["lab_backprop"].config == backprop.preset_config("ReLU 2-4-4-2").replace(seed=5)
    too_big = start(BACKPROP, preset="relu-2-4-4-2", hidden="8,8,8,8")
    assert too_big.session_state["lab_backprop"].config == backprop.preset_config("ReLU 2-4-4-2")
    assert "at most 3 hidden layers" in warnings(too_big)


def test_backprop_locks_apply_to_its_settings():
    at = start(BACKPROP, lock="dataset", hide="presets,init")
    assert at.selectbox(key="bp_dataset").disabled and "bp_init" not in keys(at.selectbox)
    assert not any(b.key.startswith("bp_preset_") for b in at.button if b.key)
    at.selectbox(key="bp_output").set_value("linear").run()          # would switch to a regression data set
    assert at.session_state["lab_backprop"].config == backprop.preset_config(backprop.DEFAULT_PRESET)
    assert "Dataset is locked" in warnings(at)


def test_compare_opens_on_the_links_preset_and_refuses_locked_changes():
    at = start(COMPARE, preset="sgd-vs-adam", lock="lr,output", hide="reset")
    state = at.session_state["lab_compare"]
    assert not at.exception and state.preset == "SGD vs Adam"
    assert state.pair.config("B").optimizer == "adam"
    assert at.query_params["preset"] == "sgd-vs-adam"
    assert at.select_slider(key="cmp_A_lr").disabled and "cmp_reset" not in keys(at.button)
    at.selectbox(key="cmp_shared_dataset").set_value("plane").run()   # would need the linear output
    assert state.pair.config("A").dataset == "circle" and "Output is locked" in warnings(at)
    assert warnings(at).count("Output is locked") == 1                # said once, not once per side
    at.selectbox(key="cmp_A_optimizer").set_value("adam").run()        # an unlocked one still changes
    assert state.pair.config("A").optimizer == "adam" and "preset" not in at.query_params


# Controls no name covers: looking at the numbers (an example, a layer, a recorded step), the
# Initialization page's symmetry demo, choosing which weight the editor shows, and the lesson menus.
NOT_RULED = ("init_sym_", "flow_layer", "flow_scrub", "bp_broken", "bp_example", "edit_", "lesson_")
WIDGETS = ("button", "selectbox", "slider", "select_slider", "number_input", "text_input", "toggle", "multiselect",
           "radio")


@pytest.mark.parametrize("page", ["app.py", FLOW, INIT, BACKPROP, COMPARE])
@pytest.mark.parametrize("param", ["hide", "lock"])
def test_every_page_takes_every_name_hidden_or_locked(page, param):
    at = start(page, **{param: ",".join(names())})
    assert not at.exception
    assert not any(w.value.startswith("Some names") for w in at.warning)
    ruled = [w for kind in WIDGETS for w in getattr(at, kind) if not (w.key or "").startswith(NOT_RULED)]
    assert ruled if param == "lock" else not ruled, [w.label for w in ruled]
    assert all(w.disabled for w in ruled), [w.label for w in ruled if not w.disabled]
