"""Where the pages lean on the insides of Streamlit and plotly.js: each contract named once, here.

None of these is a public API; each was written against the pinned versions below (requirements.txt)
and tests/test_streamlit_seams.py fails first when an upgrade moves one:
- OUTBOX: a session's queue of messages not yet sent to its browser (Runtime._session_mgr ->
  SessionInfo.session -> AppSession._browser_queue, a ForwardMsgQueue with is_empty()).
  wait_until_sent waits on it; there is no public "has my output left" call.
- STALE_ATTRIBUTE: while a fragment reruns, Streamlit marks the elements it is about to replace with
  data-stale="true" and fades them; a live page reruns twice a second, and its charts would flash grey,
  so NO_STALE_FADE turns the fade off.
- PLOTLY_DRAG_LAYER: plotly.js's transparent drag layer over a plot (class "nsewdrag"); the crosshair
  cursor while editing points is set on it, and the browser tests click through it.
- EXPAND_SIDEBAR, COLLAPSE_SIDEBAR: the ›› button that opens a closed sidebar and the « button that
  closes an open one (shown only on hover); the Playground's "All settings" clicks one or the other
  (there is no call to open or close the sidebar). SIDEBAR: the sidebar, whose data-collapsed attribute
  says whether it is open; on the stage it lies over the page instead of squeezing it.
- HEADER, TOOLBAR, MAIN_MENU: the header bar over the page and its parts, which the Playground makes
  see-through so its own header can sit under it. stTooltipIcon, stHorizontalBlock: a label's help icon
  and a row of columns, which a narrow screen's stage makes smaller; stSelectbox: a menu, its value too.
"""
from __future__ import annotations

import logging
import time

import streamlit

STREAMLIT_VERSION = "1.67.0"
PLOTLY_VERSION = "7.1.0"            # the Python package, which carries plotly.js

STALE_ATTRIBUTE = "data-stale"
NO_STALE_FADE = (f'<style>[{STALE_ATTRIBUTE}="true"], [{STALE_ATTRIBUTE}="true"] * '
                 "{ opacity: 1 !important; transition: none !important; }</style>")
PLOTLY_DRAG_LAYER = ".nsewdrag"
EXPAND_SIDEBAR = '[data-testid="stExpandSidebarButton"]'
COLLAPSE_SIDEBAR = '[data-testid="stSidebarCollapseButton"] button'
SIDEBAR = '[data-testid="stSidebar"]'
HEADER, TOOLBAR, MAIN_MENU = '[data-testid="stHeader"]', '[data-testid="stToolbar"]', '[data-testid="stMainMenu"]'
MAIN = '[data-testid="stMainBlockContainer"]'
# The stage fills a projector's screen: the header bar see-through (only its two buttons take clicks),
# less padding around the page and between its elements, smaller metric numbers; the open sidebar lies
# over the stage's left part (a fixed panel with a shadow) rather than narrowing the page, which cut the
# top bar's labels and the network's right side at 1280 x 720.
STAGE_CSS = f"""<style>
{SIDEBAR}[data-collapsed="false"] {{ position: fixed !important; top: 0; left: 0; bottom: 0; z-index: 999990;
  height: 100vh !important; box-shadow: 4px 0 16px rgba(0, 0, 0, 0.18); }}
{HEADER}, {TOOLBAR}, {TOOLBAR} > div {{ background: transparent; pointer-events: none; }}
{EXPAND_SIDEBAR}, {MAIN_MENU} {{ pointer-events: auto; }}
{MAIN} {{ padding: 0.55rem 1.25rem 2rem 1.25rem; }}
{MAIN} [data-testid="stVerticalBlock"] {{ gap: 0.5rem; }}
{MAIN} [data-testid="stMetricValue"] {{ font-size: 1.3rem; }}
{MAIN} [data-testid="stMetricLabel"] p {{ font-size: 0.85rem; }}
{MAIN} .st-key-counters [data-testid="stMetricValue"] {{ font-size: 1.1rem; font-variant-numeric: tabular-nums; }}
@media (max-width: 1180px) {{
  {MAIN} {{ padding-left: 0.75rem; padding-right: 0.75rem; }}
  {MAIN} button {{ padding-left: 0.4rem; padding-right: 0.4rem; gap: 0.2rem; }}
  {MAIN} button p, {MAIN} .mlp-open-sidebar {{ font-size: 0.78rem; }}
  {MAIN} label p, {MAIN} [data-testid="stMetricLabel"] p, {MAIN} [data-testid="stSelectbox"] input {{ font-size: 0.72rem !important; padding-left: 0.35rem; padding-right: 0; }}
  {MAIN} .st-key-counters [data-testid="stTooltipIcon"] {{ display: none; }}   /* "Epoch", "Step" say enough */
  {MAIN} [data-testid="stHorizontalBlock"] {{ gap: 0.5rem; }}
}}
</style>"""
# the test ids STAGE_CSS and EXPAND_SIDEBAR name, for the canary test
TEST_IDS = ("stHeader", "stToolbar", "stMainMenu", "stExpandSidebarButton", "stMainBlockContainer", "stVerticalBlock",
            "stMetricValue", "stMetricLabel", "stSidebar", "stSidebarCollapseButton", "stTooltipIcon",
            "stHorizontalBlock", "stSelectbox")

_log = logging.getLogger(__name__)
_warned = []            # once per process: a list, so no `global` is needed to set it
if streamlit.__version__ != STREAMLIT_VERSION:
    _log.warning("Streamlit %s is running; mlp/ui/streamlit_seams.py was written against %s",
                 streamlit.__version__, STREAMLIT_VERSION)


def outbox():
    """This session's queue of messages not yet sent to its browser, or None if it cannot be found.

    None without a running server (AppTest, the command line) is expected; None on a live server means
    an upgrade moved the internals: the charts of a busy server would be dropped again, so that is
    logged, once.
    """
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:
        return None
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    server = Runtime.instance()
    info = queue = None
    broken = False
    try:
        info = server._session_mgr.get_session_info(ctx.session_id)
        queue = info.session._browser_queue if info is not None else None
    except (AttributeError, RuntimeError):
        broken = True
    if callable(getattr(queue, "is_empty", None)):
        return queue
    # AppTest runs scripts on a stand-in runtime (a Mock): only a real server's miss is news. A session
    # that just closed has no info, which is no break either.
    broken = broken or info is not None
    if broken and isinstance(server, Runtime) and not _warned:
        _warned.append(True)
        _log.warning("Streamlit's session outbox was not found (written for Streamlit %s): live charts are "
                     "sent without waiting, and a busy server may drop them (mlp/ui/streamlit_seams.py)",
                     STREAMLIT_VERSION)
    return None


# -- the end of a live fragment's run: wait until its charts have left for the browser -------------
# Streamlit drops a fragment's messages that are still queued when that fragment starts its next run
# (ForwardMsgQueue.clear at every fragment start). On a busy server the browser's rerun timer has
# usually asked again before the last run's charts were sent, so the next run starts at once and the
# charts a student waited for never leave: with twenty students on one worker, bench/workshop.py
# --client protocol counted every fragment run dropped unsent and 0 updates/s for the worst student.
# So a run waits, holding no compute slot and not Python's lock, until its messages are sent (at most
# MAX_WAIT_S). Without the outbox (another version, or AppTest) the wait is skipped.
MAX_WAIT_S = 2.0
POLL_S = 0.005


def wait_until_sent(max_wait_s: float = MAX_WAIT_S) -> bool:
    """Sleep until this session's queued messages have been sent; False if they had not by max_wait_s."""
    queue = outbox()
    if queue is None:
        return True
    deadline = time.monotonic() + max_wait_s
    while not queue.is_empty():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_S)
    return True
