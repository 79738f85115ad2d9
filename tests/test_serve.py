"""Serving a bigger room (mlp/classroom/serving.py): two real Streamlit workers behind nginx, sticky by cookie.

Locally these skip without nginx; in CI (CI=true) a missing nginx fails them (see .ci/run).
"""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mlp.classroom.serving import COOKIE, SECRET_ENV, WORKER_HEADER, free_ports, nginx_binary, nginx_config
from tests.browser import ROOT, step_counter
from mlp.harness.procstat import descendants, environ

NGINX = nginx_binary()


def require_nginx() -> None:
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the serving tests: install nginx (see .ci/run)")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")


def nginx_test(conf_text: str, prefix) -> subprocess.CompletedProcess:
    conf = prefix / "nginx.conf"
    conf.write_text(conf_text)
    return subprocess.run([NGINX, "-t", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True)


def test_generated_config_passes_nginx_t(tmp_path):
    require_nginx()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / sub).mkdir(parents=True)
    port, a, b = free_ports(3)
    conf = nginx_config(f"127.0.0.1:{port}", [f"127.0.0.1:{a}", f"127.0.0.1:{b}"], tmp_path)
    result = nginx_test(conf, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ip_hash" not in conf               # one NAT address for a whole classroom
    # nginx -t does reject a broken config: the check above can fail
    assert nginx_test(conf.replace("hash $mlp_route consistent;", "hash;"), tmp_path).returncode != 0


def _port_open(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="module")
def room():
    """`python -m mlp.serve --workers 2` for real; stopping it (SIGTERM) must end every process."""
    require_nginx()
    port = free_ports(1)[0]
    proc = subprocess.Popen([sys.executable, "-m", "mlp.serve", "--workers", "2", "--port", str(port),
                             "--host", "127.0.0.1"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()              # the launcher prints this once every process answers
    match = re.search(r"on (http://\S+) with 2 worker\(s\): (.+)$", line)
    if not match:
        proc.kill()
        pytest.fail(f"mlp.classroom.serving did not start: {line!r}")
    workers = match.group(2).split(", ")
    tree = descendants(proc.pid)
    yield {"url": match.group(1), "workers": workers, "pid": proc.pid, "tree": tree}
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    assert not any(_port_open(w) for w in workers + [f"127.0.0.1:{port}"])
    assert not any(os.path.exists(f"/proc/{p}") for p in tree)


class Client:
    """One browser's worth of cookies."""

    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str):
        with self.opener.open(self.base + path, timeout=10) as r:
            r.read()
            return r.headers

    def route(self) -> str | None:
        return next((c.value for c in self.jar if c.name == COOKIE), None)


def test_each_browser_sticks_to_one_worker_by_cookie(room):
    seen = set()
    for _ in range(24):                        # every client comes from 127.0.0.1, like a NAT'd classroom
        client = Client(room["url"])
        first = client.get("/")
        worker, route = first[WORKER_HEADER], client.route()
        assert worker in room["workers"] and route
        for path in ["/_stcore/health", "/", "/_stcore/host-config"] * 4:
            headers = client.get(path)
            assert headers[WORKER_HEADER] == worker
            assert COOKIE not in (headers.get("Set-Cookie") or "")   # the route is given once, then kept
        seen.add(worker)
        # the cookie alone decides: a fresh client that presents it lands on the same worker
        other = Client(room["url"])
        other.opener.addheaders = [("Cookie", f"{COOKIE}={route}")]
        assert other.get("/_stcore/health")[WORKER_HEADER] == worker
    assert seen == set(room["workers"])        # 24 routes all on one of 2 workers: odds 1 in 8 million


def test_workers_share_one_cookie_secret(room):
    workers = [p for p in room["tree"] if b"streamlit" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(workers) == 2
    secrets = {environ(p).get(SECRET_ENV) for p in workers}
    assert len(secrets) == 1 and len(secrets.pop() or "") >= 32


def test_page_and_websocket_work_through_nginx(room, browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(room["url"])
    page.get_by_text("Neural network playground", exact=True).wait_for(timeout=90_000)
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.time() + 30
    while step_counter(page) <= 20:            # the steps arrive over the WebSocket
        assert time.time() < deadline, "the step counter did not move through nginx"
        time.sleep(0.5)
    assert any(c["name"] == COOKIE for c in context.cookies())
    context.close()
