"""The config: exact round trips to query params and JSON, and rejections a student can read."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from mlp.run.config import FIELD, FIELDS, MAX_HIDDEN_LAYERS, Config, ConfigError, natural_output
from mlp.engine.datasets import DATASETS


def value_strategy(f):
    if f.kind == "choice":
        return st.sampled_from(sorted(f.choices()))
    if f.kind == "int":
        return st.integers(int(f.lo), int(f.hi))
    if f.kind == "float":
        return st.floats(f.lo, f.hi, allow_nan=False)
    if f.kind == "ints":
        return st.lists(st.integers(int(f.lo), int(f.hi)), max_size=f.max_items).map(tuple)
    if f.kind == "names":
        return st.lists(st.sampled_from(sorted(f.choices())), min_size=1, unique=True).map(tuple)
    raise AssertionError(f.kind)


@st.composite
def valid_configs(draw):
    values = {f.key: draw(value_strategy(f)) for f in FIELDS}
    problem = DATASETS[values["dataset"]].problem
    if problem == "regression":
        values["output"] = "linear"
    elif values["output"] == "linear" or (values["output"] == "sigmoid"
                                          and DATASETS[values["dataset"]].classes_from_config):
        values["output"] = "softmax"
    while True:
        try:
            return Config(**values)
        except ConfigError:         # over the cost cap: a narrower net, the same settings otherwise
            values["hidden"] = tuple(max(1, w // 2) for w in values["hidden"])


@settings(max_examples=200, deadline=None)
@given(valid_configs())
def test_query_and_json_round_trips_are_exact(config):
    query = config.to_query()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    assert Config.from_query(query) == config
    assert Config.from_json(config.to_json()) == config
    assert Config.from_query_lenient(query) == (config, [])


@settings(max_examples=200, deadline=None)
@given(valid_configs(), st.sampled_from([f for f in FIELDS if f.kind in ("int", "float")]), st.data())
def test_out_of_range_numbers_are_rejected_by_name(config, field, data):
    margin = max(field.hi - field.lo, 1) * 1e-3
    bad = data.draw(st.one_of(st.floats(field.hi + margin, field.hi + margin + 1e6),
                              st.floats(field.lo - margin - 1e6, field.lo - margin)))
    if field.kind == "int":
        bad = int(bad) + (1 if bad > field.hi else -1)
    with pytest.raises(ConfigError) as err:
        config.replace(**{field.key: bad})
    assert any(field.label.lower() in p for p in err.value.problems)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f.key for f in FIELDS] + ["junk"]), st.text(max_size=30)))
def test_any_hand_edited_link_gives_a_config_and_messages(params):
    config, problems = Config.from_query_lenient(params)
    assert isinstance(config, Config)
    assert all(isinstance(p, str) and p for p in problems)
    try:
        assert Config.from_query(params) == config and not problems
    except ConfigError as err:
        assert err.problems


def test_every_problem_is_listed_in_words():
    with pytest.raises(ConfigError) as err:
        Config(hidden=(4, 0), lr=100.0, dataset="nope", features=())
    text = str(err.value)
    assert "layer width must be 1–256, got 0" in text
    assert "learning rate must be 0.00001–10, got 100" in text
    assert "dataset must be one of" in text
    assert "choose at least one input feature" in text


def test_limits():
    Config(hidden=(8,) * 30)                                  # the vanishing-gradient demos need depth
    with pytest.raises(ConfigError, match="at most 40 hidden layers"):
        Config(hidden=(2,) * (MAX_HIDDEN_LAYERS + 1))
    with pytest.raises(ConfigError, match="points must be"):
        Config(n_samples=10**6)


def test_cross_field_rules():
    with pytest.raises(ConfigError, match="regression problem"):
        Config(dataset="plane", output="softmax")
    with pytest.raises(ConfigError, match="sigmoid output separates two classes"):
        Config(dataset="blobs", output="sigmoid")
    assert natural_output("plane") == "linear" and natural_output("xor") == "softmax"
    assert Config(dataset="blobs", n_classes=4).layer_sizes == (2, 4, 2, 4)
    assert Config(dataset="gauss", output="sigmoid", features=("x1", "x2", "x1x2")).layer_sizes == (3, 4, 2, 1)


def test_hostile_values_are_messages():
    config, problems = Config.from_query_lenient({"lr": "nan", "hidden": "4,-1", "n_samples": "1e99",
                                                  "features": "x1,rm -rf", "dataset": "<script>"})
    assert config == Config()
    assert len(problems) == 5
    config, problems = Config.from_query_lenient({"dataset": "plane", "lr": "0.1", "output": "softmax"})
    assert config.output == "linear" and config.lr == 0.1 and problems         # a named output that does not fit


def test_a_link_naming_a_regression_set_gets_its_natural_output_without_a_message():
    """A hand-typed ?dataset=plane is a fine link: the set's natural output (Config.changed's rule), no
    warning pushing the stage down."""
    for name in ("plane", "multi_gauss"):
        config, problems = Config.from_query_lenient({"dataset": name})
        assert (config.dataset, config.output, problems) == (name, natural_output(name), [])
    config, problems = Config.from_query_lenient({"dataset": "xor"}, base=Config(dataset="plane", output="linear"))
    assert (config.output, problems) == ("softmax", [])


def test_types_are_normalised_and_bad_types_rejected():
    assert Config(hidden=[8, 8], features=["x2", "x1"]).hidden == (8, 8)
    assert Config(n_samples=300.0).n_samples == 300
    with pytest.raises(ConfigError, match="wrong type"):
        Config(n_samples=300.5)
    with pytest.raises(ConfigError):
        Config.from_json(json.dumps({"lr": 0.1, "bogus": 1}))
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.from_json("{")


def test_the_field_table_drives_the_dataclass():
    assert [f.key for f in FIELDS] == list(Config.__dataclass_fields__)
    assert all(getattr(Config(), f.key) == f.default for f in FIELDS)
    assert FIELD["activation"].choices().keys() >= {"sigmoid", "tanh", "relu", "linear"}


# -- the cost cap ------------------------------------------------------------------------------------
def test_cost_is_weights_times_points_and_grid_by_hand():
    # circle: 2 features, 2 classes; hidden 4, 2: (2+1)·4 + (4+1)·2 + (2+1)·2 = 28 weights and biases
    config = Config(hidden=(4, 2), n_samples=500)
    assert config.n_weights == 28
    assert config.cost == 28 * (500 + 100 * 100)
    # sigmoid output has one unit: (2+1)·3 + (3+1)·1
    assert Config(hidden=(3,), output="sigmoid").n_weights == 13


def test_the_cap_refuses_the_heaviest_link_of_the_old_limits_and_says_what_to_lower():
    with pytest.raises(ConfigError) as err:
        Config(hidden=(256,) * 40, n_samples=2000, optimizer="adam")
    (text,) = err.value.problems
    assert "hidden layers" in text and "points" in text and "3,000,000,000" in text
    # the weights it names as the most at 2,000 points: 3e9 // 12,000
    assert f"at most {3_000_000_000 // 12_000:,} weights" in text


def test_the_cap_lies_between_two_nets_that_differ_by_one_unit():
    """A net of 5 layers of width w at 500 points costs ((2+1)w + 4(w+1)w + (w+1)2)·10,500 by hand."""
    def cost(w):
        return (3 * w + 4 * (w + 1) * w + (w + 1) * 2) * 10_500
    widest = max(w for w in range(1, 257) if cost(w) <= 3_000_000_000)
    assert Config(hidden=(widest,) * 5).cost == cost(widest)
    with pytest.raises(ConfigError):
        Config(hidden=(widest + 1,) * 5)


def test_a_link_over_the_cap_keeps_its_other_settings_and_says_which_was_replaced():
    config, problems = Config.from_query_lenient({"hidden": ",".join(["256"] * 40), "n_samples": "2000",
                                                  "lr": "0.1", "activation": "relu"})
    assert config.cost <= 3_000_000_000
    assert (config.lr, config.activation, config.n_samples) == (0.1, "relu", 2000)
    assert config.hidden == Config().hidden
    assert any("too big" in p for p in problems) and any("hidden layers 4,2" in p for p in problems)


# -- every message is bounded, whatever the link holds ------------------------------------------------
HOSTILE = ["1" * 400, "9" * 1999, "1e308", "-1e400", "1e-320", "nan", "-inf", "", "0x10", "٣", "𝟗", "😀" * 50,
           "<script>alert(1)</script>", "\x00", "1," * 999, "300," * 499 + "300", "x1," * 600]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_in_every_field_give_bounded_messages(value):
    for f in FIELDS:
        for raw in (value, [value, value]):
            config, problems = Config.from_query_lenient({f.key: raw})
            assert isinstance(config, Config)
            assert all(len(p) < 400 for p in problems), (f.key, problems)


def test_a_thousand_bad_widths_are_one_short_sentence():
    with pytest.raises(ConfigError) as err:
        Config(hidden=(300,) * 1000)
    assert len(str(err.value)) < 300 and "and 995 more" in str(err.value)


def test_a_new_data_set_of_the_other_kind_comes_with_its_natural_output():
    c = Config()                                            # circle, softmax
    assert c.changed(dataset="plane").output == "linear"   # regression: a linear output
    assert c.changed(dataset="plane").changed(dataset="xor").output == "softmax"
    assert c.changed(dataset="xor", output="sigmoid").output == "sigmoid"       # named: kept
    assert Config(output="sigmoid").changed(dataset="xor").output == "sigmoid"  # same kind: unchanged
    with pytest.raises(ConfigError):
        c.changed(dataset="plane", output="softmax")       # a named output that does not fit is refused
