"""Serve a bigger room: K Streamlit workers behind nginx on one address, sticky by a cookie.

    python -m mlp.serve --workers 2 --port 8080          # then open http://<this machine>:8080

Each worker is a `streamlit run app.py` on a free local port; nginx (Debian's package, run as the
current user with every file in a temp dir, no root needed) spreads new visitors over the workers
and keeps each browser on its worker:

- Sticky by a cookie, not by IP: a classroom sits behind one NAT address, so IP hashing would put
  every student on one worker. Open-source nginx has no `sticky cookie`, so nginx makes its own: a
  browser without `mlp_route` gets a random one (the request id) and nginx hashes it onto a worker.
- Stickiness matters beyond the WebSocket: a student's net lives in one worker's memory, and so do
  the files its download buttons and uploads serve.
- One shared cookieSecret, so the cookies Streamlit signs (XSRF) are valid on every worker. It comes
  from STREAMLIT_SERVER_COOKIE_SECRET when set (needed when workers run on several machines), else
  it is made fresh for this launch; it reaches the workers by environment, not in `ps`'s output.

Stdlib only: the launcher itself must stay light (no streamlit/numpy import in this process).
"""
from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COOKIE = "mlp_route"
WORKER_HEADER = "X-Mlp-Worker"        # which worker answered: for tests and for a teacher's curl -I
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
START_TIMEOUT_S = 90.0


def nginx_binary() -> str | None:
    # Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.path.exists(p)), None)


def free_ports(n: int) -> list[int]:
    """n distinct free local ports (held open together so none is handed out twice)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def nginx_config(listen: str, workers: list[str], prefix: Path) -> str:
    """An nginx.conf that serves `listen` ("host:port") from `workers` (["host:port", ...]).

    Everything nginx writes (pid, logs, temp files) stays under `prefix`.
    """
    servers = "\n".join(f"        server {w} max_fails=3 fail_timeout=10s;" for w in workers)
    # nginx run by root would hand its workers to "nobody", who cannot write to our temp dir
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    tmp = prefix / "tmp"
    return f"""# written by mlp/classroom/serving.py
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}   # ~2 per student (browser side + worker side)

http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}

    # The route: the browser's {COOKIE} cookie, or for a new browser a fresh random id ...
    map $cookie_{COOKIE} $mlp_route {{ "" $request_id; default $cookie_{COOKIE}; }}
    # ... which only a new browser is sent (an empty header is not sent at all)
    map $cookie_{COOKIE} $mlp_route_cookie {{
        "" "{COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream streamlit {{
        hash $mlp_route consistent;     # a worker added or lost moves only its own share of students
{servers}
    }}

    server {{
        listen {listen};
        client_max_body_size 10m;       # above .streamlit/config.toml's maxUploadSize, which gives the message

        location / {{
            proxy_pass http://streamlit;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # /_stcore/stream is a WebSocket that stays open as long as the tab does
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie $mlp_route_cookie always;
            add_header {WORKER_HEADER} $upstream_addr always;
        }}
    }}
}}
"""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Room:
    """The running workers and nginx; `stop()` ends them all."""
    url: str
    workers: list[str]
    run_dir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def dead(self) -> list[subprocess.Popen]:
        return [p for p in self.procs if p.poll() is not None]

    def stop(self) -> None:
        for p in reversed(self.procs):          # nginx first: no new requests to stopping workers
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def _wait_healthy(room: Room, url: str, what: str) -> None:
    deadline = time.time() + START_TIMEOUT_S
    while not _healthy(url):
        if room.dead() or time.time() > deadline:
            logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in sorted(room.run_dir.glob("*.log")))
            raise RuntimeError(f"{what} did not start (see its log below)\n{logs}")
        time.sleep(0.3)


def start_room(n_workers: int, port: int, host: str = "0.0.0.0", app: str = "app.py", root: Path = ROOT) -> Room:
    """Start `n_workers` Streamlit workers and nginx on host:port; returns once all answer.
    `root`: the checkout the workers run (a benchmark may run an older one beside this one)."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")
    run_dir = Path(tempfile.mkdtemp(prefix="mlp-serve-"))
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / "tmp" / sub).mkdir(parents=True)
    ports = free_ports(n_workers)
    workers = [f"127.0.0.1:{p}" for p in ports]
    local = "127.0.0.1" if host in ("0.0.0.0", "") else host
    room = Room(url=f"http://{local}:{port}", workers=workers, run_dir=run_dir)
    env = dict(os.environ)
    env[SECRET_ENV] = env.get(SECRET_ENV) or secrets.token_hex(32)
    try:
        for i, p in enumerate(ports):
            with open(run_dir / f"worker-{i + 1}.log", "wb") as log:
                room.procs.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(p),
                     "--server.address", "127.0.0.1", "--server.headless", "true"],
                    cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for i, w in enumerate(workers):
            _wait_healthy(room, f"http://{w}", f"worker {i + 1}")
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(f"{host}:{port}", workers, run_dir))
        nginx_cmd = [nginx, "-p", str(run_dir), "-e", str(run_dir / "error.log"), "-c", str(conf)]
        check = subprocess.run(nginx_cmd + ["-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its config {conf}:\n{check.stderr}")
        with open(run_dir / "nginx.log", "wb") as log:
            room.procs.append(subprocess.Popen(nginx_cmd + ["-g", "daemon off;"], stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))
        _wait_healthy(room, room.url, "nginx")
    except BaseException:
        room.stop()
        raise
    return room


def _interrupt(*_) -> None:
    """SIGTERM (systemd, a test's terminate()) stops everything the way Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="Streamlit processes (about one per core)")
    parser.add_argument("--port", type=int, default=8080, help="the port students open")
    parser.add_argument("--host", default="0.0.0.0", help="the address nginx listens on (default: all)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        room = start_room(args.workers, args.port, args.host)
    except RuntimeError as err:
        print(f"mlp.serve: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"Serving the playground on {room.url} with {args.workers} worker(s): {', '.join(room.workers)}",
          flush=True)
    print(f"(nginx config and logs in {room.run_dir}; Ctrl-C stops everything)", flush=True)
    try:
        while not room.dead():
            time.sleep(1)
        died = room.dead()
        print(f"mlp.serve: {len(died)} process(es) ended by themselves ({' '.join(map(str, died[0].args[:4]))} ...); "
              "stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        room.stop()


if __name__ == "__main__":
    sys.exit(main())
