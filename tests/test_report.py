"""The HTML report: one self-contained file (plotly.js inside, nothing fetched) with valid figures."""
import json
import re
from html.parser import HTMLParser

import pytest
from plotly.offline import get_plotlyjs

from mlp.run.config import FIELDS, Config
from mlp.figures.report_html import Section, report_html
from mlp.run.trainer import Trainer
from mlp.live.offline_report import run_report_html


class Page(HTMLParser):
    """Collects the script blocks (with their attributes), plot divs and visible text of a page."""

    def __init__(self, text):
        super().__init__()
        self.scripts, self.plots, self.text, self._script = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._script = [attrs, ""]
        if tag == "div" and "plot" in (attrs.get("class") or "").split():
            self.plots.append(attrs)
        if tag in ("link", "img", "iframe") and any(str(v).startswith(("http:", "https:", "//"))
                                                     for v in attrs.values()):
            raise AssertionError(f"the page fetches something: {tag} {attrs}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.scripts.append(tuple(self._script))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data
        else:
            self.text.append(data)

    def figures(self) -> dict[str, dict]:
        return {a["id"]: json.loads(body) for a, body in self.scripts if a.get("type") == "application/json"}


@pytest.fixture(scope="module")
def blobs_report():
    trainer = Trainer(Config(dataset="blobs", hidden=(6, 4), lr=0.1))
    for _ in range(10):
        trainer.run(20)
    return trainer, run_report_html(trainer)


def test_the_report_carries_plotly_js_and_fetches_nothing(blobs_report):
    _, html = blobs_report
    page = Page(html)
    assert not [a for a, _ in page.scripts if "src" in a], "no script may be loaded from elsewhere"
    assert get_plotlyjs() in [body for _, body in page.scripts]
    ours = html.replace(get_plotlyjs(), "")        # plotly.js itself holds links to plotly.com, not fetched
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours)


def test_every_figure_is_valid_json_with_a_div_to_draw_it(blobs_report):
    trainer, html = blobs_report
    page = Page(html)
    figures = page.figures()
    assert sorted(figures) == sorted(div["data-figure"] for div in page.plots)
    assert len(figures) == 8          # boundary, network, loss, ‖dW‖ over time and by layer, 2 histograms, confusion
    for fig in figures.values():
        assert isinstance(fig["data"], list) and fig["data"] and isinstance(fig["layout"], dict)
        assert "zcodes" not in json.dumps(fig), "compact grids need the live page's decoder"
    train = next(t for f in figures.values() for t in f["data"] if t.get("name") == "train loss")
    assert len(train["y"]) == 10          # one point per run() call, as recorded
    text = " ".join(page.text)
    for heading in ("Output", "The network", "Loss", "Gradient norm per layer over time", "Activations per layer",
                    "Gradients per layer", "Confusion matrix"):
        assert heading in text
    assert "200 steps" in text and "Test accuracy" in text


def test_the_settings_table_lists_every_setting(blobs_report):
    trainer, html = blobs_report
    text = " ".join(Page(html).text)
    for f in FIELDS:
        assert f.label in text and f.key in text
    assert "6,4" in text and "0.1" in text


def test_text_is_escaped_and_json_cannot_close_its_script():
    figure = {"data": [{"type": "scatter", "name": "</script><script>alert(1)</script>", "x": [1], "y": [2]}],
              "layout": {}}
    html = report_html(title="<b>run</b>", summary=["a < b & c"], settings=[("Dataset", "dataset", "<i>")],
                       sections=[Section("Loss & more", "cap", figure)])
    page = Page(html)
    assert "<b>run</b>" not in html and "&lt;b&gt;run&lt;/b&gt;" in html
    assert list(page.figures().values()) == [figure]
    assert sum(1 for a, body in page.scripts if "alert" in body and a.get("type") != "application/json") == 0


def test_a_regression_run_reports_rmse_and_has_no_confusion_matrix():
    trainer = Trainer(Config(dataset="plane", output="linear"))
    trainer.run(30)
    page = Page(run_report_html(trainer))
    text = " ".join(page.text)
    assert "Test RMSE" in text and "Confusion matrix" not in text
    assert len(page.figures()) == 7


def test_the_report_opens_offline_and_draws_every_figure(blobs_report, browser, tmp_path):
    _, html = blobs_report
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    fetched, errors = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (fetched.append(route.request.url), route.abort()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('div.plot .main-svg').length > 0", timeout=30_000)
        drawn = page.evaluate("[...document.querySelectorAll('div.plot')].filter(d => d.querySelector('.main-svg')).length")
    finally:
        page.close()
    assert drawn == 8 and not fetched and not errors
