"""Signed lesson links (mlp/classroom/lesson_link.py): a student who edits a teacher's link gets the teacher's lesson back.

The expected token is rebuilt here from the format the module's docstring states (a canonical query
string, base64url, HMAC-SHA256 with the secret, 16 bytes), with the standard library, not with the
module's own helpers. Every tampered link must be detected, never raise, and never free a control the
teacher hid or locked.
"""
import base64
import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import pytest

from mlp.run.config import FIELD, Config
from mlp.classroom.lesson_link import PARTS, Rules, names, parse_rules, read_link, sign, verify

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-shared-cookie-secret-0123456789abcdef"
TEACHER = Config(dataset="xor", noise=0.25, activation="relu", seed=7, lr=0.1)
RULES = Rules(hide=frozenset({"lr", "views"}), lock=frozenset({"activation", "hidden", "noise", "seed", "play"}))
SETTINGS = {"dataset": "xor", "noise": "0.25", "activation": "relu", "seed": "7", "lr": "0.1"}  # what differs
# The canonical text: hide, lock (names sorted), then every locked or non-default setting, sorted by key.
PAYLOAD = ("hide=lr,views&lock=activation,hidden,noise,play,seed"
           "&activation=relu&dataset=xor&hidden=4,2&lr=0.1&noise=0.25&seed=7")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def token_for(payload_text: str | bytes, secret: str = SECRET) -> str:
    """A token built from the documented format alone."""
    payload = b64(payload_text if isinstance(payload_text, bytes) else payload_text.encode())
    mac = hmac.new(secret.encode(), b"mlp lesson link v1\n" + payload.encode(), hashlib.sha256).digest()[:16]
    return f"{payload}.{b64(mac)}"


def teacher_link() -> dict[str, str]:
    return {**SETTINGS, **sign(RULES, TEACHER, SECRET)}


def never_freer(reading) -> None:
    """Every control the teacher hid or locked is still hidden or locked."""
    for name in names():
        if RULES.hides(name) or RULES.locks(name):
            assert reading.rules.hides(name) or reading.rules.locks(name), name


def assert_detected(reading) -> None:
    assert reading.verdict in ("changed", "broken"), reading
    assert reading.notice and "\n" not in reading.notice                 # said in one line
    never_freer(reading)
    if reading.verdict == "changed":                                     # the teacher's lesson, as made
        assert (reading.rules.hide, reading.rules.lock) == (RULES.hide, RULES.lock)
        assert Config.from_query(reading.params) == TEACHER
    else:                                                                # nothing to trust: all locked
        assert all(reading.rules.locks(n) for n in names())


# -- the signed link as the teacher makes it ------------------------------------------------------
def test_the_token_is_the_documented_hmac_of_the_canonical_lesson():
    assert sign(RULES, TEACHER, SECRET) == {"hide": "lr,views", "lock": "noise,hidden,activation,seed,play",
                                            "lesson": token_for(PAYLOAD)}
    assert len(token_for(PAYLOAD).split(".")[1]) == 22                   # 128 bits of MAC
    assert sign(RULES, TEACHER, "another secret")["lesson"] != token_for(PAYLOAD)


def test_a_signed_link_opens_as_signed_with_the_teachers_rules_and_settings():
    reading = read_link(teacher_link(), SECRET)
    assert reading.verdict == "signed" and reading.notice == ""
    assert (reading.rules.hide, reading.rules.lock) == (RULES.hide, RULES.lock)
    assert reading.rules.token == token_for(PAYLOAD)                    # carried on by every later link
    assert reading.rules.to_params()["lesson"] == token_for(PAYLOAD)
    assert Config.from_query(reading.params) == TEACHER
    assert reading.params["hidden"] == "4,2"                            # a locked default is written out
    assert verify(token_for(PAYLOAD), SECRET).config == TEACHER


def test_what_a_student_may_still_do_is_not_called_a_change():
    link = {**teacher_link(), "lr": "0.5", "batch_size": "20",           # unlocked settings
            "hide": "VIEWS, lr", "lock": "play,seed,noise,hidden,Activation", "preset": "x"}   # same names
    reading = read_link(link, SECRET)
    assert reading.verdict == "signed" and reading.notice == ""
    assert Config.from_query(reading.params) == TEACHER.replace(lr=0.5, batch_size=20)
    assert reading.params["preset"] == "x"


def test_nothing_to_sign_gives_a_plain_link_and_no_secret_is_refused():
    assert sign(Rules(), TEACHER, SECRET) == {}
    with pytest.raises(ValueError, match="server.cookieSecret"):
        sign(RULES, TEACHER, "")


@pytest.mark.parametrize("link", [{}, {"hide": "lr"}, {"lock": "seed,bogus", "lr": "0.5"}, {"hide": ["a", "views"]}])
def test_links_without_a_signature_are_read_as_before(link):
    reading = read_link(link, SECRET)
    assert reading.verdict == "unsigned" and reading.notice == ""
    assert reading.rules == parse_rules(link)
    assert reading.params == {k: v[-1] if isinstance(v, list) else v for k, v in link.items()}


# -- tampering with each part ---------------------------------------------------------------------
def without(*keys):
    return lambda link: {k: v for k, v in link.items() if k not in keys}


def setting(key, value):
    return lambda link: {**link, key: value}


def token(edit):
    return lambda link: {**link, "lesson": edit(link["lesson"])}


def flip(text: str, i: int) -> str:
    return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]


TAMPERS = {
    "hide removed": without("hide"),
    "lock removed": without("lock"),
    "hide and lock removed": without("hide", "lock"),
    "a name added to hide": setting("hide", "lr,views,step"),
    "a name added to lock": setting("lock", "activation,hidden,noise,play,seed,lr"),
    "a name removed from hide": setting("hide", "views"),
    "a name removed from lock": setting("lock", "activation,hidden,noise,seed"),
    "an unknown name added": setting("lock", "activation,hidden,noise,play,seed,bogus"),
    "a far too long lock list": setting("lock", "seed," * 1000),
    **{f"locked {k} changed": setting(k, v) for k, v in
       {"activation": "tanh", "hidden": "8", "noise": "0.3", "seed": "8"}.items()},
    **{f"locked {k} removed": without(k) for k in ("activation", "noise", "seed")},
    "locked seed made invalid": setting("seed", "-5"),
    "payload's first character": token(lambda t: flip(t, 0)),
    "payload's middle character": token(lambda t: flip(t, len(t) // 3)),
    "payload's last character": token(lambda t: flip(t, t.index(".") - 1)),
    "a character added to the payload": token(lambda t: "A" + t),
    "MAC's first character": token(lambda t: flip(t, t.index(".") + 1)),
    "MAC's last character": token(lambda t: flip(t, len(t) - 1)),
    "truncated by one": token(lambda t: t[:-1]),
    "truncated to the payload": token(lambda t: t.split(".")[0]),
    "truncated to half": token(lambda t: t[: len(t) // 2]),
    "empty": token(lambda t: ""),
    "the payload of a freer lesson with this MAC": token(
        lambda t: token_for(PAYLOAD.replace("lock=activation,hidden,noise,play,seed", "lock=play")).split(".")[0]
        + "." + t.split(".")[1]),
    "a lesson signed with another secret": token(lambda t: token_for(PAYLOAD, "not the server's secret")),
    "garbage": token(lambda t: "💥.☃"),
    "a lone surrogate": token(lambda t: t[:5] + "\ud800" + t[6:]),
    "a NUL byte": token(lambda t: t + "\x00"),
    "huge": token(lambda t: "A" * 1_000_000 + "." + "B" * 22),
    "a repeated key, the last wins": token(lambda t: [t, "x.y"]),
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_tampering_with_each_part_is_detected_and_the_lesson_kept(tamper):
    assert_detected(read_link(tamper(teacher_link()), SECRET))


def test_a_wrong_secret_or_none_detects_it_too():
    assert_detected(read_link(teacher_link(), "another secret"))
    assert_detected(read_link(teacher_link(), ""))


def test_a_validly_signed_token_that_is_not_a_lesson_is_broken_not_a_traceback():
    for text in (b"lock=seed&\xff\xfe", "dataset=no-such-set&lock=seed", "lock=seed&a&b", "lock=seed&" * 40):
        assert read_link({**SETTINGS, "lesson": token_for(text)}, SECRET).verdict == "broken", text


def test_an_unlocked_change_that_would_move_a_locked_setting_is_a_change():
    teacher = Config(dataset="plane", output="linear")
    rules = Rules(lock=frozenset({"output"}))
    link = {"dataset": "plane", "output": "linear", **sign(rules, teacher, SECRET)}
    assert read_link(link, SECRET).verdict == "signed"
    reading = read_link({**link, "dataset": "circle"}, SECRET)       # a class set would force softmax
    assert reading.verdict == "changed" and Config.from_query(reading.params) == teacher


def test_a_broken_lesson_locks_everything_and_keeps_every_hide_it_can_read():
    link = {**teacher_link(), "hide": "views"}
    link["lesson"] = flip(link["lesson"], len(link["lesson"]) - 1)       # the MAC no longer holds
    reading = read_link(link, SECRET)
    assert reading.verdict == "broken" and reading.rules.token == ""
    assert reading.rules.hide == {"lr", "views"}                          # the link's and the payload's
    assert reading.rules.lock == {"settings", *PARTS}
    assert all(reading.rules.locks(k) for k in FIELD)
    assert "lesson" not in reading.params and reading.params["activation"] == "relu"


def test_the_module_needs_no_streamlit():
    code = "import sys, mlp.classroom.lesson_link; print(any(m.split('.')[0] in ('streamlit', 'plotly') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
