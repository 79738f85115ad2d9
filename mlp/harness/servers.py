"""A Streamlit server on a free port and Debian's headless Chromium: what the tests and the benches share."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def step_counter(page) -> int:
    """The Playground's "Step" metric, as a number."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Step").first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def free_port() -> int:
    """A free local port: the first free one of MLP_PORTS ("8720-8739") when set (several people share
    a machine, each with their ports), else any the system gives."""
    first, _, last = os.environ.get("MLP_PORTS", "").partition("-")
    for port in range(int(first), int(last or first) + 1) if first else ():
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(script: str = "app.py", *options: str, launcher: tuple[str, ...] = ("-m", "streamlit"),
                    cwd=ROOT):
    """Start `streamlit run` on a free port; returns (process, base url) once /_stcore/health answers.

    `options` are more `--server.x value` pairs; `launcher` is what runs streamlit's CLI; `cwd` the
    checkout it runs (a benchmark may run an older one beside this one).
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, *launcher, "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *options],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not start within 60 s")
