"""The sample nginx configuration (packaging/server/nginx/quantdesk.conf) rendered for a
scratch prefix and run by a real ``nginx`` on loopback, stopped and removed afterwards."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from bench.live_server import free_port

SAMPLE = Path(__file__).resolve().parents[2] / "packaging" / "server" / "nginx" / "quantdesk.conf"
STARTUP_DEADLINE_S = 10.0
UPSTREAM_SERVER = re.compile(r"^([ \t]*server[ \t]+)([^\s{;]+)([^;\n]*;)", re.MULTILINE)
"""A ``server address [parameters];`` line of an upstream block (not a ``server {``)."""
LISTEN = re.compile(r"^([ \t]*listen[ \t]+)[^;\n]+;", re.MULTILINE)
ACCESS_FORMAT = "$status $upstream_addr $request_uri"
"""Each line of the test's access log: which gateway(s) served which request."""


class NginxUnavailable(RuntimeError):
    """nginx is missing or would not start."""


def render_sample(listen_port: int, upstreams: list[str]) -> str:
    """The sample with its upstream addresses and listen port replaced (every other line,
    parameters such as ``max_fails`` included, as shipped)."""
    text = SAMPLE.read_text()
    servers = UPSTREAM_SERVER.findall(text)
    if len(servers) != len(upstreams):
        raise AssertionError(f"the sample lists {len(servers)} gateways, not {len(upstreams)}")
    addresses = iter(upstreams)
    text = UPSTREAM_SERVER.sub(lambda m: m.group(1) + next(addresses) + m.group(3), text)
    text, listens = LISTEN.subn(lambda m: f"{m.group(1)}127.0.0.1:{listen_port};", text)
    if listens != 1:
        raise AssertionError(f"the sample has {listens} listen lines, not 1")
    return text


def main_config(prefix: Path, site: Path) -> str:
    """An nginx.conf that keeps everything (pid, logs, temp files) under ``prefix`` and
    includes ``site`` in its http block, as /etc/nginx/nginx.conf includes conf.d/."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # else workers become nobody
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} notice;
events {{
    worker_connections 256;
}}
http {{
    log_format upstreams '{ACCESS_FORMAT}';
    access_log {prefix / "access.log"} upstreams;
{temp}
    include {site};
}}
"""


class NginxProcess:
    """``nginx`` in the foreground in a scratch prefix, in front of ``upstreams``."""

    def __init__(self, prefix: Path, upstreams: list[str]) -> None:
        binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
        if binary is None:
            raise NginxUnavailable(
                "nginx is missing: install the 'nginx-light' Debian package "
                "(scripts/system_deps.sh does this)"
            )
        self.binary = binary
        self.prefix = prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (prefix / "temp").mkdir(parents=True)
        site = prefix / "quantdesk.conf"
        site.write_text(render_sample(self.port, upstreams))
        self.config = prefix / "nginx.conf"
        self.config.write_text(main_config(prefix, site))
        self.process: subprocess.Popen[str] | None = None

    def command(self, *args: str) -> list[str]:
        """An nginx command line on this prefix and configuration."""
        return [
            self.binary,
            "-p",
            str(self.prefix),
            "-e",
            str(self.prefix / "error.log"),
            "-c",
            str(self.config),
            *args,
        ]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t``: parse the configuration and resolve its upstreams."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)

    def start(self) -> None:
        """Start nginx and wait until it proxies ``/health``."""
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
        )
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                raise NginxUnavailable(f"nginx exited at start:\n{self.error_log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise NginxUnavailable(f"nginx did not proxy /health:\n{self.error_log()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGQUIT (graceful: the master waits for its worker), then wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def served_by(self) -> list[tuple[str, int, list[str]]]:
        """Each logged request's path, status and the upstream addresses nginx tried, in
        order (``["-"]`` when nginx answered itself)."""
        log = self.prefix / "access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        served = []
        for line in lines:
            status, rest = line.split(" ", 1)
            upstreams, uri = rest.rsplit(" ", 1)
            served.append((uri, int(status), [u.strip() for u in upstreams.split(",")]))
        return served

    def logged(self, prefix: str, count: int) -> list[tuple[str, int, list[str]]]:
        """The logged requests whose path starts with ``prefix``, once there are ``count``
        (nginx logs a request just after answering it)."""
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while True:
            found = [entry for entry in self.served_by() if entry[0].startswith(prefix)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def error_log(self) -> str:
        """The tail of nginx's error log."""
        log = self.prefix / "error.log"
        return log.read_text(errors="replace")[-4000:] if log.exists() else ""
