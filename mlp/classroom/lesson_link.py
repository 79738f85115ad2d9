"""A teacher's lesson in a link: which controls it hides or locks, signed so a student cannot undo it.

Rules. `?hide=lr,views&lock=activation,hidden`: the names are the config's FIELDS keys (a setting's URL
key), "settings" (all of them at once) and a few parts of the pages (PARTS). `parse_rules` reads them;
an unknown name is reported in `Rules.problems`, never raised.

Signing. A teacher's Lesson link also carries `lesson=<payload>.<mac>`:
- payload: base64url of a canonical query string: `hide` and `lock` (names sorted), then, sorted by
  key, the value of every locked setting (always written out, defaults too) and of every other
  setting that differs from its default (the text is `Config.to_query()`'s, which round-trips floats
  exactly). The token alone thus holds the whole lesson: its rules and the teacher's settings.
- mac: HMAC-SHA256 keyed by the server's secret (Streamlit's `server.cookieSecret`, which every
  worker behind `mlp.classroom.serving` shares) over a domain tag and the payload's base64 text (so any edit of
  the token's text fails, not only edits that change the decoded bytes), truncated to 128 bits
  (22 base64url characters) and compared with `hmac.compare_digest`.

`read_link(params, secret)` gives the rules a page obeys, the params it should read its settings
from, and at most one line telling the student what happened (`Reading.notice`):
- no `lesson` param ("unsigned"): `hide` / `lock` are read as they are, exactly as before signing.
- a token whose MAC holds ("signed" or "changed"): its rules are the rules, whatever `hide` / `lock`
  say. When the link's visible part disagrees with the token (a name added to or removed from
  `hide` / `lock`, a list removed, a locked setting's value changed or removed, or an unlocked
  setting changed so that a locked one cannot keep its value), the verdict is "changed": the page
  gets the teacher's settings and rules back and says so. Otherwise ("signed") the link's unlocked
  settings apply as usual and the locked ones are written out from the token.
- a token that does not verify ("broken": edited, truncated, made with another secret, malformed):
  nothing in it can be trusted, so the reading is the most restrictive one: every setting and every
  page part is locked, and whatever the link or the token's payload hides stays hidden. Tampering
  therefore never frees a control. A server restarted without a fixed `server.cookieSecret` makes
  every earlier link "broken", so a server that hands out lessons sets one.

What a signature cannot do: a student who deletes `lesson=` together with `hide` and `lock` has a
plain link, which opens freely (as any unsigned link does), and a student holding two of the
teacher's lesson links can open either. Signing stops edits, not deletions.
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from typing import Mapping
from urllib.parse import parse_qsl, urlencode

from mlp.run.config import FIELD, FIELDS, Config, ConfigError

PARTS = {                      # name -> what the teacher's menu says
    "settings": "Every setting",
    "play": "Play / Pause",
    "step": "Step and Back (a lab's Train button)",
    "reset": "Reset",
    "views": "View toggles",
    "gallery": "Dataset pictures and Regenerate",
    "weights": "Editing a weight by hand",
    "points": "Your own data (upload, Edit points)",
    "presets": "A lab's preset buttons",
    "pages": "Links to the other pages",
    "share": "Share popover",
}
PARAMS = ("hide", "lock")
TOKEN = "lesson"               # the query param of the signed lesson
LOCKED_HELP = "Locked by your teacher's link."
MAX_TEXT = 2000                # longest hide / lock list read
MAX_TOKEN = 4000               # longest token read (every setting locked, at its longest, is < 1k)
MAC_BYTES = 16
_DOMAIN = b"mlp lesson link v1\n"      # keeps these MACs apart from anything else the secret signs
_TOKEN_SHAPE = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})")

CHANGED = ("This lesson link was changed after your teacher made it, so the teacher's settings and rules "
           "are used.")
BROKEN = ("This lesson link cannot be checked (it was changed, or made by another server), so every control "
          "is locked: ask your teacher for the link again.")


def names() -> dict[str, str]:
    """Every name a link may hide or lock -> its label: the settings, then the page parts."""
    return {**{f.key: f.label for f in FIELDS}, **PARTS}


@dataclass(frozen=True)
class Rules:
    hide: frozenset[str] = frozenset()
    lock: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()          # what the link got wrong (unknown names)
    token: str = ""                         # the signed lesson these rules came from, carried by every link

    def hides(self, name: str) -> bool:
        return name in self.hide or (name in FIELD and "settings" in self.hide)

    def locks(self, name: str) -> bool:
        return name in self.lock or (name in FIELD and "settings" in self.lock)

    def control(self, name: str, help: str | None = None, *, locked_by: tuple[str, ...] = ()) -> dict | None:
        """A widget's `disabled` and `help` under these rules; None when it is hidden. `locked_by`: other
        names whose lock disables it too (a button that changes a setting)."""
        if self.hides(name):
            return None
        if any(self.locks(n) for n in (name, *locked_by)):
            return {"disabled": True, "help": f"{LOCKED_HELP} {help or ''}".strip()}
        return {"disabled": False, "help": help}

    def to_params(self) -> dict[str, str]:
        """The query params that give these rules back (only the non-empty lists, in menu order, then the
        signed lesson when there is one)."""
        order = list(names())
        params = {param: ",".join(sorted(chosen, key=order.index))
                  for param, chosen in (("hide", self.hide), ("lock", self.lock)) if chosen}
        return {**params, TOKEN: self.token} if self.token else params


def _last(params: Mapping, key: str) -> str:
    """A param as text; a repeated key: the last one wins, as in browsers."""
    raw = params.get(key, "")
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    return str(raw)


def _unknown_name_text(param: str, name: str) -> str:
    known = names()
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else (
        f"use a setting's name as in the link (e.g. lr, activation) or one of {', '.join(PARTS)}")
    return f"the link's {param} list names {name[:40]!r}, which is not a control here: {hint}"


def parse_rules(params: Mapping) -> Rules:
    """`hide` and `lock` from query params (comma-separated names, any case); unknown names are
    reported in `problems` and left out. The signature is not looked at (see read_link)."""
    known, chosen, problems = names(), {}, []
    for param in PARAMS:
        raw = _last(params, param)
        if len(raw) > MAX_TEXT:
            problems.append(f"the link's {param} list is far too long, so it is ignored")
            raw = ""
        chosen[param] = set()
        for name in (t.strip().lower() for t in raw.split(",")):
            if name in known:
                chosen[param].add(name)
            elif name:
                problems.append(_unknown_name_text(param, name))
    return Rules(frozenset(chosen["hide"]), frozenset(chosen["lock"]), tuple(problems))


# -- signing ---------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _mac(payload_text: str, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), _DOMAIN + payload_text.encode("ascii"), hashlib.sha256).digest()
    return _b64(digest[:MAC_BYTES])


def _lesson_settings(rules: Rules, config: Config) -> dict[str, str]:
    """The settings a token holds: every locked one, and every other that is not at its default."""
    default = Config().to_query()
    return {k: v for k, v in config.to_query().items() if rules.locks(k) or v != default[k]}


def sign(rules: Rules, config: Config, secret: str) -> dict[str, str]:
    """The query params of a signed lesson: `hide`, `lock` and `lesson`, the token (see the module's
    docstring). No rules, no lesson: {} (a link that hides and locks nothing needs no signature)."""
    if not rules.hide and not rules.lock:
        return {}
    if not isinstance(secret, str) or not secret:
        raise ValueError(f"signing a lesson needs the server's secret (server.cookieSecret); got {secret!r}")
    rule_items = [(param, ",".join(sorted(getattr(rules, param)))) for param in PARAMS]
    text = urlencode(rule_items + sorted(_lesson_settings(rules, config).items()), safe=",")
    payload = _b64(text.encode("utf-8"))
    return replace(rules, problems=(), token=f"{payload}.{_mac(payload, secret)}").to_params()


@dataclass(frozen=True)
class Lesson:
    """A token that verified: the teacher's rules and settings."""
    rules: Rules
    settings: dict[str, str]        # URL key -> text, as Config.to_query() writes it
    config: Config


def _payload_params(payload: str) -> dict[str, str]:
    """A token's payload as params; raises ValueError (incl. UnicodeError) when it is not one."""
    return dict(parse_qsl(_unb64(payload).decode("utf-8"), keep_blank_values=True, strict_parsing=True,
                          max_num_fields=len(FIELDS) + len(PARAMS)))


def verify(token: str, secret: str) -> Lesson | None:
    """The lesson a token holds, or None when it does not verify with `secret` (never raises)."""
    match = _TOKEN_SHAPE.fullmatch(token) if isinstance(token, str) and len(token) <= MAX_TOKEN else None
    if match is None or not isinstance(secret, str) or not secret:
        return None
    payload, mac = match.groups()
    if not hmac.compare_digest(_mac(payload, secret).encode("ascii"), mac.encode("ascii")):
        return None
    try:
        params = _payload_params(payload)
        settings = {k: v for k, v in params.items() if k in FIELD}
        config = Config.from_query(settings)
    except (ValueError, ConfigError):     # signed by us, yet unreadable: made by another version
        return None
    return Lesson(replace(parse_rules(params), problems=(), token=token), settings, config)


@dataclass(frozen=True)
class Reading:
    """What a page makes of a link: `rules` to obey, `params` to read settings from, `notice` to show."""
    verdict: str                    # "unsigned", "signed", "changed" or "broken"
    rules: Rules
    params: dict[str, str]
    notice: str = ""                # one line for the student ("" when there is nothing to say)


def _untrusted_hides(token: str) -> frozenset[str]:
    """What a token that did not verify says to hide (hiding more never frees anything)."""
    if len(token) > MAX_TOKEN:
        return frozenset()
    try:
        return parse_rules(_payload_params(token.split(".", 1)[0])).hide
    except ValueError:
        return frozenset()


def _changed(params: dict[str, str], lesson: Lesson) -> bool:
    """Whether the link's visible part says something other than the signed lesson."""
    visible = parse_rules(params)
    if visible.problems or (visible.hide, visible.lock) != (lesson.rules.hide, lesson.rules.lock):
        return True
    as_read, _ = Config.from_query_lenient(params)      # also catches a locked output a new data set forces
    return any(getattr(as_read, f.key) != getattr(lesson.config, f.key) for f in FIELDS if lesson.rules.locks(f.key))


def read_link(params: Mapping, secret: str) -> Reading:
    """The rules and settings a page takes from a link's query params (see the module's docstring).
    Never raises, whatever the params hold."""
    params = {str(k): _last(params, k) for k in params}
    if TOKEN not in params:
        return Reading("unsigned", parse_rules(params), params)
    lesson = verify(params[TOKEN], secret)
    if lesson is None:
        others = {k: v for k, v in params.items() if k != TOKEN}
        hide = parse_rules(others).hide | _untrusted_hides(params[TOKEN])
        return Reading("broken", Rules(hide, frozenset({"settings", *PARTS})), others, BROKEN)
    locked = {k: v for k, v in lesson.settings.items() if lesson.rules.locks(k)}
    if not _changed(params, lesson):
        return Reading("signed", lesson.rules, {**params, **locked})
    kept = {k: v for k, v in params.items() if k not in FIELD and k not in (*PARAMS, TOKEN)}   # e.g. a lab's preset
    return Reading("changed", lesson.rules, {**kept, **lesson.settings, **lesson.rules.to_params()}, CHANGED)
