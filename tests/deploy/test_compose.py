"""docker-compose.yml runs what `make run` runs (sandbox/stack.py), set by real settings.

No Docker needed: the compose file is read as YAML and compared with the service list of
`make run` and with the settings classes the processes read their environment through.
"""

import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from adapters.bank.settings import BankSettings
from adapters.erp.sap_settings import SapSettings
from api.settings import ApiSettings
from canonical.search_attributes import SEARCH_ATTRIBUTES
from runtime.settings import TemporalSettings
from runtime.telemetry import TelemetrySettings
from sandbox.settings import SandboxSettings
from sandbox.stack import Service, StackPorts, services
from workers.settings import WorkerSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Services of the production topology that `make run` has no process for: the dev
# server keeps its own database and serves the UI itself.
PRODUCTION_ONLY = {"postgresql", "temporal-ui", "temporal-admin-tools"}
SETTINGS: list[type[BaseSettings]] = [
    ApiSettings,
    TemporalSettings,
    TelemetrySettings,
    WorkerSettings,
    SapSettings,
    BankSettings,
    SandboxSettings,
]
# Published host port (the defaults in DESIGN.md) of each service reachable from outside.
PORT_DEFAULTS = {name: field.default for name, field in StackPorts.model_fields.items()}
PUBLISHED = {
    s: PORT_DEFAULTS[s.replace("-", "_")]
    for s in ("api", "temporal-ui", "mock-sap", "mock-edi", "mock-bank", "sandbox")
}

Compose = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> Compose:
    loaded: Compose = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


@pytest.fixture(scope="module")
def make_run() -> dict[str, Service]:
    return {s.name: s for s in services(StackPorts(), Path("/tmp/x"))}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _argv(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _shape(argv: list[str]) -> list[str]:
    """The program, the module after `-m` and the flags; not the values that name hosts,
    ports and paths, which differ between `make run` and the containers."""
    exe = "python" if argv[0] == sys.executable else Path(argv[0]).name
    rest = argv[1:]
    return [exe] + [t for i, t in enumerate(rest) if t.startswith("-") or argv[i] == "-m"]


def _option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def _settings_env_names() -> set[str]:
    names = set()
    for cls in SETTINGS:
        prefix = cls.model_config.get("env_prefix") or ""
        names |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    return names


def _ports(service: dict[str, Any]) -> dict[int, int]:
    """Published host port -> container port."""
    published = {}
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            published[int(entry["published"])] = int(entry["target"])
        else:
            *_, host, target = str(entry).split(":")
            published[int(host)] = int(target.split("/")[0])
    return published


def test_compose_has_a_counterpart_for_every_make_run_service(
    compose: Compose, make_run: dict[str, Service]
) -> None:
    names = set(compose["services"])
    assert "version" not in compose
    assert set(make_run) <= names, f"missing in compose: {set(make_run) - names}"
    assert "temporal-ui" in names  # `make run` serves it from the dev server
    assert names - set(make_run) <= PRODUCTION_ONLY, names - set(make_run) - PRODUCTION_ONLY


def test_image_services_run_what_make_run_runs(
    compose: Compose, make_run: dict[str, Service]
) -> None:
    built = {n: s for n, s in compose["services"].items() if "build" in s}
    assert set(built) == {"api", "worker", "sandbox", "mock-sap", "mock-edi", "mock-bank"}
    for name, service in built.items():
        assert _shape(_argv(service.get("command"))) == _shape(make_run[name].argv), name
    for counterpart in ("mock-sap", "mock-edi", "mock-bank"):
        argv = _argv(built[counterpart]["command"])
        assert _option(argv, "--host") == "0.0.0.0"
        assert _option(argv, "--db").startswith("/data/")


def test_every_make_run_variable_is_set_in_compose(
    compose: Compose, make_run: dict[str, Service]
) -> None:
    for name, service in make_run.items():
        missing = set(service.env) - set(_environment(compose["services"][name]))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_every_ordermesh_and_sandbox_variable_is_a_real_setting(compose: Compose) -> None:
    known = _settings_env_names()
    for name, service in compose["services"].items():
        ours = {k for k in _environment(service) if k.startswith(("ORDERMESH_", "SANDBOX_"))}
        assert ours <= known, f"{name}: no setting reads {sorted(ours - known)}"


def test_the_processes_listen_beyond_their_container(compose: Compose) -> None:
    services_ = compose["services"]
    assert _environment(services_["api"])["ORDERMESH_API_HOST"] == "0.0.0.0"
    assert _environment(services_["sandbox"])["SANDBOX_HOST"] == "0.0.0.0"
    env = _environment(services_["api"]) | _environment(services_["worker"])
    assert env["ORDERMESH_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["ORDERMESH_SAP_BASE_URL"] == f"http://mock-sap:{PORT_DEFAULTS['mock_sap']}"
    assert env["ORDERMESH_SANDBOX_URL"] == f"http://sandbox:{PORT_DEFAULTS['sandbox']}"
    assert env["ORDERMESH_BANK_BASE_URL"] == f"http://mock-bank:{PORT_DEFAULTS['mock_bank']}"
    # The cash ledger is shared: the workers write it, the API lists unapplied cash.
    worker, api = _environment(services_["worker"]), _environment(services_["api"])
    assert worker["ORDERMESH_DATABASE_URL"] == api["ORDERMESH_DATABASE_URL"]
    webhooks = _environment(services_["sandbox"])["SANDBOX_WEBHOOK_BASE_URL"]
    assert webhooks == f"http://api:{PORT_DEFAULTS['api']}/webhooks"


def test_ports_are_published_as_designed(compose: Compose) -> None:
    services_ = compose["services"]
    listens = {
        "api": int(_environment(services_["api"])["ORDERMESH_API_PORT"]),
        "sandbox": int(_environment(services_["sandbox"])["SANDBOX_PORT"]),
        "mock-sap": int(_option(_argv(services_["mock-sap"]["command"]), "--port")),
        "mock-bank": int(_option(_argv(services_["mock-bank"]["command"]), "--port")),
        "mock-edi": int(_option(_argv(services_["mock-edi"]["command"]), "--port")),
        "temporal-ui": 8080,  # the temporalio/ui image's port
    }
    for name, host_port in PUBLISHED.items():
        assert _ports(services_[name]).get(host_port) == listens[name], name
    assert not _ports(services_["worker"]), "replicas cannot share a host port"


def test_workers_are_replicated(compose: Compose) -> None:
    assert compose["services"]["worker"]["deploy"]["replicas"] >= 2


def test_dependencies_and_mounts_exist(compose: Compose) -> None:
    names = set(compose["services"])
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        assert set(service.get("depends_on") or []) <= names - {name}, name
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"
    for needs in ("api", "worker"):
        assert "temporal" in compose["services"][needs]["depends_on"]
    assert "postgresql" in compose["services"]["api"]["depends_on"]


def test_search_attributes_are_registered(compose: Compose) -> None:
    scripts = [
        " ".join(_argv(s.get("entrypoint")) + _argv(s.get("command")))
        for s in compose["services"].values()
    ]
    registering = [s for s in scripts if "search-attribute create" in s]
    assert registering, "no service registers search attributes"
    text = " ".join(registering)
    assert "search-attribute create" in text
    for attribute, kind in SEARCH_ATTRIBUTES.items():
        assert re.search(rf"\b{attribute}={kind}\b", text), f"{attribute}={kind}"


def test_no_package_index_or_registry_host_is_named(compose: Compose) -> None:
    files = [ROOT / "Dockerfile", COMPOSE_FILE, ROOT / ".dockerignore"]
    files += [p for p in (ROOT / "deploy").rglob("*") if p.is_file()]
    for path in files:
        text = path.read_text()
        for setting in ("index-url", "find-links", "trusted-host"):
            assert setting not in text, f"{path.name} names a package index ({setting})"
        # Service names and IPs only: a dotted host name would be somebody's registry.
        for host in re.findall(r"://([^/:\s'\"]+)", text):
            assert "." not in host or not re.search("[a-zA-Z]", host), f"{path.name}: {host}"
    images = [str(s["image"]) for s in compose["services"].values()]
    images += re.findall(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    for image in images:
        first = image.split("/")[0]
        # Docker reads a first component with a dot, a colon or "localhost" as a registry.
        assert "/" not in image or not re.search(r"[.:]|^localhost$", first), image
