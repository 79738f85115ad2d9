"""The browser's decoder of a chart payload (mlp/ui/plotly_live.js: readPayload) reads what Python's
(mlp/live/payload.py: read_chart_payload) reads, frame by frame, for every chart of a playing batch.

Run in Node.js, which executes the same file the page runs (skipped where Node is not installed)."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlp.run.config import Config
from mlp.live.frame import Views, train_batch
from mlp.live.payload import Held, NotHeld, chart_payload, read_chart_payload
from mlp.run.trainer import Trainer

JS = Path(__file__).resolve().parent.parent / "mlp" / "ui" / "plotly_live.js"
NODE = shutil.which("node") or shutil.which("nodejs")

# readPayload from the page's own file; binary parts printed as {"hex": ...}, as the test prints bytes
DECODE = """
const fs = require("fs");
const readPayload = new Function("window", fs.readFileSync(process.argv[2], "utf8") + "\\nreturn readPayload;")({});
const raw = fs.readFileSync(process.argv[3]);
const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
const plain = (v) => v instanceof ArrayBuffer ? { hex: Buffer.from(v).toString("hex") }
  : Array.isArray(v) ? v.map(plain)
  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
// each frame's figure (the decoder also notes, for drawing, which frame it follows and what changed)
const figures = readPayload(bytes).frames.map((f) => ({ data: f.data, layout: f.layout }));
process.stdout.write(JSON.stringify(plain(figures)));
"""


def _plain(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def require_node() -> None:
    """Skip locally without Node.js; in CI (CI=true) its absence is a failure, not a skip (.ci/run installs it)."""
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser decoder's test: install nodejs (see .ci/run)")
        pytest.skip("Node.js is not installed (apt-get install -y nodejs)")


@pytest.fixture(autouse=True)
def _node():
    require_node()


def test_the_browser_decodes_a_playing_batch_as_python_does(tmp_path):
    trainer = Trainer(Config())
    train_batch(trainer, Views(), n_frames=4, steps_per_frame=3, budget_s=0.01)     # curves with a past
    batch = train_batch(trainer, Views(show_test=True), n_frames=6, steps_per_frame=3, budget_s=0.01)
    for name in batch.frames[-1]:
        data = chart_payload([f[name] for f in batch.frames if name in f], 300, 1)
        (tmp_path / "payload.bin").write_bytes(data)
        (tmp_path / "decode.js").write_text(DECODE)
        out = subprocess.run([NODE, str(tmp_path / "decode.js"), str(JS), str(tmp_path / "payload.bin")],
                             capture_output=True, text=True, check=True)
        assert json.loads(out.stdout) == _plain(read_chart_payload(data)["frames"]), name


# Payloads one after another, each read with the figure the one before left (as liveChart keeps it:
# {id, fig} after each payload); prints each payload's frames, or "unheld"
DECODE_CHAIN = """
const fs = require("fs");
const readPayload = new Function("window", fs.readFileSync(process.argv[2], "utf8") + "\\nreturn readPayload;")({});
const plain = (v) => v instanceof ArrayBuffer ? { hex: Buffer.from(v).toString("hex") }
  : Array.isArray(v) ? v.map(plain)
  : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
let held = process.argv[3] === "-" ? null : { id: process.argv[3], fig: null };
const out = [];
for (const file of process.argv.slice(4)) {
  const raw = fs.readFileSync(file), data = readPayload(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), held);
  if (data.unheld) { out.push("unheld"); held = null; continue; }
  out.push(data.frames.map((f) => ({ data: f.data, layout: f.layout })));
  held = { id: data.id, fig: structuredClone(data.frames[data.frames.length - 1]) };
}
process.stdout.write(JSON.stringify(plain(out)));
"""


def _decode_chain(tmp_path, payloads: list[bytes], held_id: str | None = None):
    files = []
    for i, data in enumerate(payloads):
        files.append(tmp_path / f"payload{i}.bin")
        files[-1].write_bytes(data)
    (tmp_path / "chain.js").write_text(DECODE_CHAIN)
    out = subprocess.run([NODE, str(tmp_path / "chain.js"), str(JS), held_id or "-", *map(str, files)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_browser_reads_each_batch_from_the_figure_the_last_left_as_python_does(tmp_path):
    """Three batches of every chart, each payload told from the last frame of the one before (Held):
    the browser rebuilds every frame as Python does, and as they were built."""
    trainer = Trainer(Config())
    batches = [train_batch(trainer, Views(), n_frames=4, steps_per_frame=3, budget_s=0.01) for _ in range(3)]
    for name in batches[-1].frames[-1]:
        payloads, held, python = [], None, []
        for k, batch in enumerate(batches):
            figs = [f[name] for f in batch.frames if name in f]
            payloads.append(chart_payload(figs, 300, k, id=f"s.{k}", held=held))
            python.append(read_chart_payload(payloads[-1], held)["frames"])
            assert python[-1] == figs, name
            held = Held(f"s.{k}", figs[-1])
        assert _decode_chain(tmp_path, payloads) == _plain(python), name


def test_a_payload_continuing_a_figure_the_browser_does_not_hold_is_not_read(tmp_path):
    """A lost payload, or a chart mounted anew: the next one names a base the reader does not hold. The
    browser reads nothing from it (and asks for a whole figure); Python raises NotHeld."""
    trainer = Trainer(Config())
    figs = [train_batch(trainer, Views(), n_frames=2, steps_per_frame=3, budget_s=0.01).frames[-1]["loss"]
            for _ in range(3)]
    first = chart_payload(figs[:1], 300, 0, id="s.1")
    lost = chart_payload(figs[1:2], 300, 1, id="s.2", held=Held("s.1", figs[0]))
    after = chart_payload(figs[2:], 300, 2, id="s.3", held=Held("s.2", figs[1]))
    decoded = _decode_chain(tmp_path, [first, after])
    assert decoded[1] == "unheld" and decoded[0] == _plain([figs[0]])
    assert _decode_chain(tmp_path, [lost])[0] == "unheld"                # a chart that holds nothing yet
    with pytest.raises(NotHeld):
        read_chart_payload(after, Held("s.1", figs[0]))
    with pytest.raises(NotHeld):
        read_chart_payload(after)
    assert read_chart_payload(after, Held("s.2", figs[1]))["frames"] == figs[2:]


LAYOUT_TO_DRAW = """
const fs = require("fs");
const layoutToDraw = new Function("window", fs.readFileSync(process.argv[2], "utf8") + "\\nreturn layoutToDraw;")({});
const layout = JSON.parse(process.argv[3]);
const drawn = layoutToDraw(layout);
process.stdout.write(JSON.stringify({ drawn, layout }));
"""


def test_what_plotly_is_given_tells_every_unranged_axis_to_autorange_and_leaves_the_frame_alone(tmp_path):
    """A playing chart whose axis was left to autorange by default now and then stayed at plotly.js's
    default range (0.1 to 10⁴ on a log axis): the layout Plotly.react gets says autorange outright."""
    layout = {"xaxis": {"title": {"text": "layer"}, "range": [0.5, 4.5]}, "yaxis": {"type": "log"},
              "yaxis2": {"autorange": "reversed"}, "xaxis3": {}, "legend": {"x": 1}}
    (tmp_path / "layout.js").write_text(LAYOUT_TO_DRAW)
    out = json.loads(subprocess.run([NODE, str(tmp_path / "layout.js"), str(JS), json.dumps(layout)],
                                    capture_output=True, text=True, check=True).stdout)
    assert out["drawn"] == {"xaxis": {"title": {"text": "layer"}, "range": [0.5, 4.5]},
                            "yaxis": {"type": "log", "autorange": True}, "yaxis2": {"autorange": "reversed"},
                            "xaxis3": {"autorange": True}, "legend": {"x": 1}}
    assert out["layout"] == layout                  # the frame itself is compared with the next one: untouched
