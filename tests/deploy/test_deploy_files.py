"""The server deployment files (packaging/server/, docs/deployment.md) name real settings
and options, parse, agree with each other, and pass the tools that check them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO

import httpx
import pytest
import yaml

from backend.__main__ import parse_settings
from backend.settings import BackendSettings
from bench.live_server import free_port
from tests.deploy.nginx_process import SAMPLE, UPSTREAM_SERVER

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "packaging" / "server"
COMPOSE = SERVER / "compose.yaml"
DOCKERFILE = SERVER / "Dockerfile"
ENV_EXAMPLE = SERVER / "systemd" / "backend.env.example"
UNITS = {
    "gateway": SERVER / "systemd" / "quantdesk-gateway@.service",
    "engine": SERVER / "systemd" / "quantdesk-engine@.service",
}
INSTALLED_BACKEND = "/opt/quantdesk/venv/bin/quantdesk-backend"
INSTANCES = {"gateway": "8101", "engine": "8201"}

CLUSTER_SETTINGS = (
    "QUANTDESK_ROLE",
    "QUANTDESK_BUS",
    "QUANTDESK_REDIS_URL",
    "QUANTDESK_ENGINE_MARKETS",
    "QUANTDESK_NODE_NAME",
    "QUANTDESK_LEASE_TTL_S",
)
"""The settings of a deployment of several processes, which the docs' table must list."""

SETTING_NAME = re.compile(r"\bQUANTDESK_[A-Z0-9_]+\b")
INTERPOLATION = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")
PLACEHOLDERS = {
    "QUANTDESK_TOKEN_SECRET": "a-token-secret-of-at-least-thirty-two-bytes",
    "POSTGRES_PASSWORD": "postgres-password",
    "REDIS_PASSWORD": "redis-password",
}


def _settings_names() -> set[str]:
    return {f"QUANTDESK_{name.upper()}" for name in BackendSettings.model_fields}


def _deployment_files() -> list[Path]:
    files = [p for p in SERVER.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [*files, REPO / "docs" / "deployment.md"]


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""

    def one(match: re.Match[str]) -> str:
        name, kind, argument = match.groups()
        if kind == "?" and not env.get(name):
            raise KeyError(f"compose would refuse to start without {name}: {argument}")
        return env.get(name) or (argument if kind == "-" else "")

    return INTERPOLATION.sub(one, value)


def _backends(compose: dict) -> dict[str, dict[str, str]]:
    """The gateway and engine services and their environments, interpolated."""
    return {
        name: {k: _interpolate(str(v), PLACEHOLDERS) for k, v in service["environment"].items()}
        for name, service in compose["services"].items()
        if "QUANTDESK_ROLE" in service.get("environment", {})
    }


def _clear_settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("QUANTDESK_")]:
        monkeypatch.delenv(name)


def test_every_quantdesk_name_in_the_deployment_files_is_a_setting() -> None:
    known = _settings_names()
    unknown = {}
    for path in _deployment_files():
        for name in set(SETTING_NAME.findall(path.read_text())):
            if name not in known:
                unknown.setdefault(name, []).append(path.relative_to(REPO).as_posix())
    assert not unknown, f"not settings of BackendSettings: {unknown}"


def test_docs_settings_table_lists_every_cluster_setting() -> None:
    docs = (REPO / "docs" / "deployment.md").read_text()
    for name in [*CLUSTER_SETTINGS, "QUANTDESK_DATABASE_URL", "QUANTDESK_TOKEN_SECRET"]:
        assert f"| `{name}`" in docs, name


@pytest.mark.parametrize("role", sorted(UNITS))
def test_env_example_is_read_as_settings_of_each_role(
    role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_settings_env(monkeypatch)
    settings = BackendSettings(_env_file=ENV_EXAMPLE, role=role)  # the unit's --role
    assert settings.database_url.startswith("postgresql://")
    assert settings.token_secret == "CHANGE-ME"  # a placeholder, not a secret
    assert settings.admin_keys == [] and settings.cors_origins == []
    text = ENV_EXAMPLE.read_text()
    for per_instance in ("QUANTDESK_ROLE", "QUANTDESK_PORT", "QUANTDESK_NODE_NAME"):
        assert not re.search(rf"^\s*{per_instance}=", text, re.MULTILINE), per_instance


def test_compose_runs_two_gateways_two_engines_postgres_redis_and_nginx() -> None:
    compose = _compose()
    services = compose["services"]
    backends = _backends(compose)
    assert Counter(env["QUANTDESK_ROLE"] for env in backends.values()) == {
        "gateway": 2,
        "engine": 2,
    }
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    redis_args = services["redis"]["command"]
    assert redis_args[redis_args.index("--appendonly") + 1] == "yes"
    assert redis_args[redis_args.index("--appendfsync") + 1] in ("always", "everysec")
    assert "8080:8080" in services["nginx"]["ports"]
    for name, service in services.items():
        for needed in service.get("depends_on", {}):
            assert needed in services, f"{name} depends on a missing {needed}"
    for name in backends:
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    names = [env["QUANTDESK_NODE_NAME"] for env in backends.values()]
    assert len(set(names)) == len(names)  # a shared name would share leases


def test_compose_backends_share_one_store_bus_and_token_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backends = _backends(_compose())
    for key in ("QUANTDESK_DATABASE_URL", "QUANTDESK_REDIS_URL", "QUANTDESK_TOKEN_SECRET"):
        assert len({env[key] for env in backends.values()}) == 1, key
    for env in backends.values():
        assert env["QUANTDESK_BUS"] == "redis"
        _clear_settings_env(monkeypatch)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = BackendSettings()
        assert (settings.host, settings.port) == ("0.0.0.0", 8765)
        assert settings.token_secret == PLACEHOLDERS["QUANTDESK_TOKEN_SECRET"]


def test_compose_holds_no_secret() -> None:
    compose = _compose()
    for name, service in compose["services"].items():
        for key, value in service.get("environment", {}).items():
            if "SECRET" in key or "PASSWORD" in key or "AUTH" in key:
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), (name, key)
    for key, value in _backends(compose)["gateway-1"].items():
        if key.endswith("_URL") and "@" in value:  # a password inside a URL
            raw = compose["services"]["gateway-1"]["environment"][key]
            assert re.search(r":\$\{\w+:\?[^}]*\}@", raw), key
    example = (SERVER / "compose.env.example").read_text()
    for name in PLACEHOLDERS:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), name


def test_nginx_sample_fronts_the_compose_gateways() -> None:
    compose = _compose()
    services = compose["services"]
    gateways = {
        f"{name}:{env['QUANTDESK_PORT']}"
        for name, env in _backends(compose).items()
        if env["QUANTDESK_ROLE"] == "gateway"
    }
    assert {address for _, address, _ in UPSTREAM_SERVER.findall(SAMPLE.read_text())} == gateways
    mounts = [volume.split(":") for volume in services["nginx"]["volumes"]]
    assert [(COMPOSE.parent / source).resolve() for source, *_ in mounts] == [SAMPLE]
    nginx_address = services["nginx"]["networks"]["quantdesk"]["ipv4_address"]
    for name, service in services.items():
        if service.get("environment", {}).get("QUANTDESK_ROLE") == "gateway":
            assert service["environment"]["FORWARDED_ALLOW_IPS"] == nginx_address, name


def _dockerfile_lines() -> list[str]:
    """The Dockerfile's instructions, continued lines joined, comments left out."""
    return [
        line.strip()
        for line in DOCKERFILE.read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _copies() -> list[tuple[list[str], str]]:
    """Each COPY's sources (in the repository) and target."""
    copies = []
    for line in _dockerfile_lines():
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            copies.append((sources, target))
    return copies


def test_dockerfile_installs_the_repo_and_runs_the_server_unprivileged() -> None:
    lines = _dockerfile_lines()
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK ") and "healthcheck.py" in line for line in lines)
    assert 'ENTRYPOINT ["quantdesk-backend"]' in lines
    allowed = (SERVER / "Dockerfile.dockerignore").read_text().splitlines()
    for sources, _target in _copies():
        for source in sources:
            assert (REPO / source).exists(), source
            assert f"!{source}" in allowed, f"{source} is not in the build context"


def test_the_source_files_the_image_copies_are_enough_to_serve(tmp_path: Path) -> None:
    """The image installs only what its COPY lines take (the backend reads its markets
    file and IDL from beside the package): that tree alone must start and answer."""
    tree = tmp_path / "opt-quantdesk"
    tree.mkdir()
    for sources, target in _copies():
        if target.startswith("/"):
            continue  # outside the installed tree (the health probe)
        for source in sources:  # Docker's rules: a directory's contents go into target
            origin, destination = REPO / source, tree / target
            if origin.is_dir():
                ignore = shutil.ignore_patterns("__pycache__")
                shutil.copytree(origin, destination, dirs_exist_ok=True, ignore=ignore)
                continue
            if target.endswith("/") or len(sources) > 1:
                destination = destination / origin.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUANTDESK_")}
    where = subprocess.run(
        [sys.executable, "-c", "import backend; print(backend.__file__)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(tree)  # not the repository's copy
    port = free_port()
    database = f"sqlite:///{tmp_path / 'image.db'}"
    with (tmp_path / "server.log").open("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "backend", "--port", str(port), "--database-url", database],
            cwd=tree,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(server, f"http://127.0.0.1:{port}/health", log)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for_health(server: subprocess.Popen[bytes], url: str, log: IO[str]) -> None:
    """Poll ``url`` until the server answers ok; fail with its log if it exits."""
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server exited:\n{log.read()[-4000:]}")
        try:
            if httpx.get(url, timeout=1.0).json() == {"status": "ok"}:
                return
        except (httpx.TransportError, ValueError):
            pass
        assert time.monotonic() < deadline, "no answer on /health"
        time.sleep(0.05)


def _help_text(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        parse_settings(["--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize("role", sorted(UNITS))
def test_unit_runs_its_role_hardened_from_the_shared_settings_file(
    role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    service = _unit_section(UNITS[role].read_text(), "Service")
    command = service["ExecStart"][0].split()
    assert command[:2] == ["/usr/bin/env", f"QUANTDESK_NODE_NAME=%H-{role}-%i"]
    assert command[2:] == [INSTALLED_BACKEND, "--role", role, "--port", "%i"]
    options = _help_text(capsys)
    for option in [word for word in command if word.startswith("--")]:
        assert option in options, option
    assert "/etc/quantdesk/backend.env" in service["EnvironmentFile"]
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "StateDirectory": "quantdesk",
        "Restart": "always",
        "RestartSec": "1",
        "User": "quantdesk",
    }
    assert {key: service[key][-1] for key in expected} == expected


def _unit_section(text: str, wanted: str) -> dict[str, list[str]]:
    """A unit file section's settings; a key may repeat (continued lines joined)."""
    section, values = "", {}
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == wanted:
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(" ".join(value.split()))
    return values


@pytest.fixture
def units_for_this_machine(tmp_path: Path) -> list[str]:
    """The units copied with ExecStart on this environment's `quantdesk-backend` (the
    installed path does not exist here), named as instances."""
    systemd_analyze = shutil.which("systemd-analyze")
    if systemd_analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package 'systemd')")
    backend = Path(sys.executable).with_name("quantdesk-backend")
    assert backend.exists(), backend
    instances = []
    for role, unit in UNITS.items():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_BACKEND, str(backend)))
        instances.append(str(tmp_path / unit.name.replace("@", "@" + INSTANCES[role])))
    return instances


def test_units_pass_systemd_analyze_verify(units_for_this_machine: list[str]) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", *units_for_this_machine],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stderr


def test_units_are_rated_ok_by_systemd_analyze_security(
    units_for_this_machine: list[str],
) -> None:
    done = subprocess.run(
        # the threshold is on the 0-100 scale: 20 is an exposure level of 2.0 ("OK")
        ["systemd-analyze", "security", "--offline=yes", "--threshold=20", *units_for_this_machine],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
