"""Canaries for the contracts with Streamlit's and plotly.js's insides (mlp/ui/streamlit_seams.py).

Each test fails first when an upgrade moves what a seam leans on, before a busy server starts dropping
charts again or the charts start flashing grey.
"""
import inspect
import logging
import re
from pathlib import Path

import plotly
import streamlit

from mlp.live import pace
from mlp.live.payload import BROWSER_PACE
from mlp.ui import streamlit_seams as seams

ROOT = Path(__file__).resolve().parent.parent


def test_the_pinned_versions_are_the_ones_the_seams_name():
    pinned = dict(re.findall(r"^([a-z]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M))
    assert pinned["streamlit"] == seams.STREAMLIT_VERSION == streamlit.__version__
    assert pinned["plotly"] == seams.PLOTLY_VERSION == plotly.__version__


def test_the_streamlit_internals_the_outbox_reads_are_there():
    """streamlit_seams.outbox reaches into Streamlit (no public call exists); if an upgrade renames these,
    the wait is skipped and a busy server drops charts again: this test says so first."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    assert callable(getattr(Runtime, "exists", None)) and callable(getattr(Runtime, "instance", None))
    assert "self._session_mgr" in inspect.getsource(Runtime.__init__)
    assert "self._browser_queue" in inspect.getsource(AppSession.__init__)
    assert callable(ForwardMsgQueue.is_empty)


def test_the_frontend_still_marks_stale_elements_and_plotly_still_has_its_drag_layer():
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    assert any(seams.STALE_ATTRIBUTE in f.read_text(errors="ignore") for f in bundle.glob("index.*.js"))
    plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    assert seams.PLOTLY_DRAG_LAYER.lstrip(".") in plotly_js


def test_the_frontend_still_has_the_parts_the_stage_styles_and_clicks():
    """The Playground's see-through header, its spacing and its "All settings" button name these."""
    bundle = "".join(f.read_text(errors="ignore")
                     for f in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("*.js"))
    missing = [test_id for test_id in seams.TEST_IDS if not re.search(f"[`\"']{test_id}[`\"']", bundle)]
    assert not missing
    assert all(test_id in seams.STAGE_CSS + seams.EXPAND_SIDEBAR + seams.COLLAPSE_SIDEBAR for test_id in seams.TEST_IDS)


def test_a_live_server_without_the_outbox_is_logged_once(monkeypatch, caplog):
    """On a running server whose sessions no longer have _browser_queue, outbox() says so once, not per run."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner_utils import script_run_context

    class Session:                       # an AppSession of a future version: its queue is named otherwise
        pass

    class Info:
        session = Session()

    class Manager:
        def get_session_info(self, session_id):
            return Info()

    class Server(runtime.Runtime):      # a real runtime, as on a live server
        def __init__(self):
            self._session_mgr = Manager()

    class Ctx:
        session_id = "s"

    monkeypatch.setattr(runtime.Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(runtime.Runtime, "instance", staticmethod(lambda: Server()))
    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda suppress_warning=False: Ctx())
    monkeypatch.setattr(seams, "_warned", [])
    with caplog.at_level(logging.WARNING, logger=seams.__name__):
        assert seams.outbox() is None
        assert seams.outbox() is None
    warnings = [r for r in caplog.records if "outbox was not found" in r.getMessage()]
    assert len(warnings) == 1


def test_the_browser_paces_batches_by_the_servers_rule():
    """The chart's JavaScript smooths the gap between batches and spots a pause as mlp/live/pace.py does,
    with the numbers the payload brings (payload.BROWSER_PACE), not copies of them."""
    js = (ROOT / "mlp" / "ui" / "plotly_live.js").read_text()
    assert "state.period = (1 - pace.smoothing) * state.period + pace.smoothing * gap" in js
    assert "gap < pace.pauseMs" in js
    assert f"{1 - pace.SMOOTHING:g} * state.period" not in js and f"{pace.FIRST_AFTER_PAUSE_S * 1000:g}" not in js
    assert BROWSER_PACE == {"pauseMs": pace.FIRST_AFTER_PAUSE_S * 1000, "smoothing": pace.SMOOTHING}
    assert f"period: {pace.RERUN_EVERY_S * 1000:g}" in js


def test_the_chart_is_torn_down_with_its_timer_observer_and_listeners():
    js = (ROOT / "mlp" / "ui" / "plotly_live.js").read_text()
    teardown = js[js.index("function tearDownWhenGone"):]
    assert "clearTimeout(state.timer)" in teardown and "observer.disconnect()" in teardown
    assert "Plotly.purge(div)" in teardown
    assert "return tearDownWhenGone(div);" in js


def test_live_charts_have_no_toolbar_over_their_titles():
    js = (ROOT / "mlp" / "ui" / "plotly_live.js").read_text()
    assert "displayModeBar: false" in js


def test_app_test_scans_the_installed_components_once():
    """tests/conftest.py makes AppTest's scan of installed packages happen once a run; if an upgrade moves
    the scan, each page run pays it again (the suite slows by minutes): this test says so first."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import AppTest

    before = manifest_scanner.scan_component_manifests.cache_info()
    for _ in range(2):
        AppTest.from_string("import streamlit as st\nst.write('x')").run()
    after = manifest_scanner.scan_component_manifests.cache_info()
    assert after.hits + after.misses == before.hits + before.misses + 2, "AppTest no longer calls the scan"
    assert after.misses <= 1, "the scan ran more than once"
