"""A run's report as one HTML file that opens offline: a summary, the settings and interactive figures.

plotly.js is copied in from the installed plotly package, so the file needs no network; each figure
(a plain dict from the builders in this package) sits in its own JSON script block and is drawn by
Plotly.newPlot when the page loads. Text is HTML-escaped; JSON is kept from closing its script tag.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass

from plotly.offline import get_plotlyjs

from mlp.figures.palette import FONT_SIZE, INK


@dataclass(frozen=True)
class Section:
    """One figure of the report, with a heading and a sentence on how to read it."""
    heading: str
    caption: str
    figure: dict
    height: int = 380


_STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: {INK}; margin: 0 auto;
       max-width: 1100px; padding: 24px; font-size: {FONT_SIZE + 1}px; }}
h1 {{ font-size: 1.6em; margin-bottom: 4px; }}
h2 {{ font-size: 1.15em; margin: 28px 0 4px; }}
p.caption {{ margin: 0 0 6px; color: #555; }}
ul.summary {{ padding-left: 20px; }}
table.settings {{ border-collapse: collapse; font-size: 0.92em; }}
table.settings td {{ border-bottom: 1px solid #e4e4e4; padding: 3px 14px 3px 0; vertical-align: top; }}
table.settings td.key {{ color: #777; font-family: monospace; }}
details {{ margin-top: 8px; }}
.plot {{ width: 100%; }}
"""

_DRAW = """
document.querySelectorAll("div.plot").forEach(function (div) {
  var fig = JSON.parse(document.getElementById(div.dataset.figure).textContent);
  Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false});
});
"""


def _figure_json(figure: dict) -> str:
    # "</" would end the script block early; "<\\/" is the same string to JSON
    return json.dumps(figure, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def report_html(*, title: str, summary: list[str], settings: list[tuple[str, str, str]],
                sections: list[Section]) -> str:
    """The whole page as text.

    summary: sentences (plain text); settings: (label, key, value) rows; sections: figures in order.
    """
    e = html.escape
    rows = "\n".join(f"<tr><td>{e(label)}</td><td class=\"key\">{e(key)}</td><td>{e(value)}</td></tr>"
                     for label, key, value in settings)
    body = [f"<h1>{e(title)}</h1>",
            "<ul class=\"summary\">" + "".join(f"<li>{e(s)}</li>" for s in summary) + "</ul>",
            "<details><summary>Settings</summary><table class=\"settings\">", rows, "</table></details>"]
    for i, s in enumerate(sections):
        body += [f"<h2>{e(s.heading)}</h2>", f"<p class=\"caption\">{e(s.caption)}</p>",
                 f"<div class=\"plot\" data-figure=\"figure-{i}\" style=\"height:{int(s.height)}px\"></div>",
                 f"<script type=\"application/json\" id=\"figure-{i}\">{_figure_json(s.figure)}</script>"]
    return "\n".join([
        "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
        f"<title>{e(title)}</title>", f"<style>{_STYLE}</style>",
        f"<script>{get_plotlyjs()}</script>", "</head>", "<body>", *body,
        f"<script>{_DRAW}</script>", "</body>", "</html>", ""])
