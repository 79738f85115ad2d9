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
from mlp.live.payload import chart_payload, read_chart_payload
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
