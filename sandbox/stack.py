"""`make run`: the whole product and its embedded outside systems, in one
foreground process group.

Starts, in order and each once the one before answers: the Temporal dev server
(SQLite file in `.data/`, UI), mock-sap (the ERP, SQLite file in `.data/`), the
sandbox WMS and carrier, one worker, and the API. Ctrl-C stops all of it; data stays
in `.data/`. The same definitions start the stack in the end-to-end tests, on free
ports and a temporary folder.
"""

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from canonical.search_attributes import SEARCH_ATTRIBUTES
from sandbox.edi_partner import EdiPartnerUrls, introduce

# The API keys `make run` gives the API: the development keys of `api.auth`
# (DEV_API_KEYS; tests/deploy keeps the two equal), the portal scoped to mock-sap's
# first demo customers. The banner prints them.
DEMO_API_KEYS = (
    "ops:dev-ops-key,support:dev-support-key,portal:1000001+1000002+1000003:dev-portal-key"
)


class StackPorts(BaseSettings):
    """Ports of everything `make run` starts (env `ORDERMESH_PORT_<NAME>`)."""

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_PORT_")

    api: int = 8000
    temporal: int = 7233
    temporal_ui: int = 8233
    mock_sap: int = 8010
    sandbox: int = 8070
    mock_edi: int = 8080
    mock_bank: int = 8090
    worker: int = 9464  # where the worker serves its metrics


@dataclass(frozen=True)
class Service:
    """One process of the stack.

    Attributes:
        ready_port: The stack waits until this port accepts connections.
    """

    name: str
    argv: list[str]
    ready_port: int
    env: Mapping[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def services(ports: StackPorts, data_dir: Path, python: str = sys.executable) -> list[Service]:
    """Every process of the stack, in start order."""
    bin_dir = Path(python).parent
    temporal = {"ORDERMESH_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.temporal}"}
    database = {"ORDERMESH_DATABASE_URL": f"sqlite:///{data_dir / 'ordermesh.db'}"}
    return [
        Service(
            "temporal",
            [
                str(bin_dir / "temporal"),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                str(ports.temporal),
                "--ui-port",
                str(ports.temporal_ui),
                "--db-filename",
                str(data_dir / "temporal.db"),
                "--log-level",
                "warn",
                *_search_attribute_args(),
            ],
            ports.temporal,
        ),
        Service(
            "mock-sap",
            [
                str(bin_dir / "mock-sap"),
                "--host",
                "127.0.0.1",
                "--port",
                str(ports.mock_sap),
                "--db",
                str(data_dir / "mock-sap.db"),
                "-q",
            ],
            ports.mock_sap,
        ),
        Service(
            "mock-bank",
            [
                str(bin_dir / "mock-bank"),
                "--host",
                "127.0.0.1",
                "--port",
                str(ports.mock_bank),
                "--db",
                str(data_dir / "mock-bank.db"),
                "-q",
            ],
            ports.mock_bank,
        ),
        Service(
            "mock-edi",
            [
                str(bin_dir / "mock-edi"),
                "--host",
                "127.0.0.1",
                "--port",
                str(ports.mock_edi),
                "--db",
                str(data_dir / "mock-edi.db"),
                "-q",
            ],
            ports.mock_edi,
        ),
        Service(
            "sandbox",
            [python, "-m", "sandbox"],
            ports.sandbox,
            {
                "SANDBOX_PORT": str(ports.sandbox),
                "SANDBOX_DATABASE_URL": f"sqlite:///{data_dir / 'sandbox.db'}",
                "SANDBOX_WEBHOOK_BASE_URL": f"http://127.0.0.1:{ports.api}/webhooks",
            },
        ),
        Service(
            "worker",
            [python, "-m", "workers"],
            # Open once the worker's runtime is up, which a port of its own tells.
            ports.worker,
            {
                **temporal,
                **database,
                "ORDERMESH_SAP_BASE_URL": f"http://127.0.0.1:{ports.mock_sap}",
                "ORDERMESH_SANDBOX_URL": f"http://127.0.0.1:{ports.sandbox}",
                "ORDERMESH_BANK_BASE_URL": f"http://127.0.0.1:{ports.mock_bank}",
                "ORDERMESH_METRICS_BIND_ADDRESS": f"127.0.0.1:{ports.worker}",
                "ORDERMESH_TRACES_FILE": str(data_dir / "traces-worker.jsonl"),
            },
        ),
        Service(
            "api",
            [python, "-m", "api"],
            ports.api,
            {
                **temporal,
                **database,
                "ORDERMESH_API_PORT": str(ports.api),
                "ORDERMESH_API_KEYS": DEMO_API_KEYS,
                "ORDERMESH_TRACES_FILE": str(data_dir / "traces-api.jsonl"),
            },
        ),
    ]


def disposable_stack(
    root: Path, step_delay_seconds: float, env: Mapping[str, str] | None = None
) -> tuple["Stack", StackPorts]:
    """A stack for tests and benchmarks: free ports, data and logs under `root`, and a
    warehouse and carrier that take `step_delay_seconds` per step. `env` goes to every
    service, over the stack's own settings (e.g. `ORDERMESH_ERP_CALLS_PER_SECOND`, or
    `ORDERMESH_API_KEYS` for the API)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    ports = StackPorts(
        api=free_port(),
        temporal=free_port(),
        temporal_ui=free_port(),
        mock_sap=free_port(),
        sandbox=free_port(),
        mock_bank=free_port(),
        mock_edi=free_port(),
        worker=free_port(),
    )
    delay = str(step_delay_seconds)
    steps = ("PICK", "PACK", "SHIP", "IN_TRANSIT", "DELIVER")
    stack = Stack(
        [replace(s, env={**s.env, **(env or {})}) for s in services(ports, root / "data")],
        log_dir=root / "logs",
        extra_env={
            **{f"SANDBOX_{step}_DELAY": delay for step in steps},
            # Runs are started by the test or benchmark: a scheduled one would race it.
            "ORDERMESH_CASH_INTERVAL_SECONDS": "0",
        },
    )
    return stack, ports


def _search_attribute_args() -> list[str]:
    args: list[str] = []
    for name, kind in SEARCH_ATTRIBUTES.items():
        args += ["--search-attribute", f"{name}={kind}"]
    return args


class Stack:
    """Starts, watches and stops the services.

    Args:
        services: What to run, in start order.
        log_dir: When set, each service writes `<name>.log` there instead of to
            this process's output (the tests read them on failure).
        extra_env: Environment for every service, e.g. faster simulator delays.
    """

    def __init__(
        self,
        services: list[Service],
        log_dir: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.services = {s.name: s for s in services}
        self._log_dir = log_dir
        self._extra_env = dict(extra_env or {})
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self._pumps: list[asyncio.Task[None]] = []

    async def start(self, startup_seconds: float = 60.0) -> None:
        for name in self.services:
            await self.start_one(name, startup_seconds)

    async def start_one(self, name: str, startup_seconds: float = 60.0) -> None:
        service = self.services[name]
        if name not in self.processes:
            # Otherwise a leftover process on the port would pass for this one.
            _ensure_free(name, service.ready_port)
        env = {**os.environ, **self._extra_env, **service.env, "PYTHONUNBUFFERED": "1"}
        if self._log_dir is not None:
            self._log_dir.mkdir(parents=True, exist_ok=True)
            log = (self._log_dir / f"{name}.log").open("ab")
            process = await asyncio.create_subprocess_exec(
                *service.argv, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
            log.close()
        else:
            process = await asyncio.create_subprocess_exec(
                *service.argv,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            self._pumps.append(asyncio.create_task(_prefix_output(name, process)))
        self.processes[name] = process
        await _wait_for_port(name, process, service.ready_port, startup_seconds)

    def kill(self, name: str) -> None:
        """SIGKILL one service, as a crash would."""
        self.processes[name].kill()

    async def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        for pump in self._pumps:
            pump.cancel()

    async def first_exit(self) -> str:
        """Wait until any service exits; returns its name."""
        waits = {asyncio.ensure_future(p.wait()): n for n, p in self.processes.items()}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return waits[next(iter(done))]


def _ensure_free(name: str, port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(
                f"port {port} for {name} is already in use (another `make run`?);"
                f" stop it or set ORDERMESH_PORT_{name.upper().replace('-', '_')}"
            )


async def _wait_for_port(
    name: str, process: asyncio.subprocess.Process, port: int, startup_seconds: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + startup_seconds
    while loop.time() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} while starting")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError(f"{name} did not listen on {port} within {startup_seconds:.0f}s")


async def _prefix_output(name: str, process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    width = 9
    async for line in process.stdout:
        sys.stdout.write(f"{name:<{width}}| {line.decode(errors='replace')}")
        sys.stdout.flush()


def demo_key(role: str) -> str:
    """The demo API key of a role (the last part of its `DEMO_API_KEYS` entry)."""
    return next(e.rsplit(":", 1)[1] for e in DEMO_API_KEYS.split(",") if e.startswith(role))


def _banner(ports: StackPorts) -> str:
    can = {
        "portal": "customers {}: submits, reads, asks for returns",
        "support": "reads everything",
        "ops": "reads everything, cancels and acts, decides returns, runs cash",
    }
    keys: dict[str, str] = {}
    lines = []
    for entry in DEMO_API_KEYS.split(","):
        role, *customers, key = entry.split(":")
        keys[role] = key
        what = can[role].format(", ".join(customers[0].split("+")) if customers else "")
        lines.append(f"  {role:<9} {key:<17} {what}")
    key_table = "\n".join(lines)
    return f"""
Ordermesh is running. Ctrl-C stops everything; data stays in .data/.

  API docs      http://127.0.0.1:{ports.api}/docs
  Temporal UI   http://127.0.0.1:{ports.temporal_ui}
  mock-sap      http://127.0.0.1:{ports.mock_sap}/
  mock-bank     http://127.0.0.1:{ports.mock_bank}/  (account ACME receives payments)
  mock-edi      http://127.0.0.1:{ports.mock_edi}/  (an EDI buyer, MOCKEDI: POST /_mock/purchase)
  sandbox       http://127.0.0.1:{ports.sandbox}/docs  (WMS and carrier)
  metrics       http://127.0.0.1:{ports.api}/metrics  (API)
                http://127.0.0.1:{ports.worker}/metrics  (worker: steps, cycle times, SDK)
  traces        .data/traces-api.jsonl, .data/traces-worker.jsonl  (one span a line)

API keys, sent as "Authorization: Bearer <key>" (webhooks are signed instead):
{key_table}

Try an order:
  curl -s -X POST http://127.0.0.1:{ports.api}/orders -H 'Content-Type: application/json' \\
    -H 'Authorization: Bearer {keys["portal"]}' -H "Idempotency-Key: demo-$(date +%s)" \\
    -d '{{"customer_id": "1000001", "customer_po": "PO-DEMO-1",
    "lines": [{{"sku": "TG11", "quantity": 5, "uom": "PC"}},
              {{"sku": "TG12", "quantity": 2, "uom": "PC"}}],
    "ship_to": {{"name": "Becker Berlin", "street": "Unter den Linden 1", "city": "Berlin",
    "postal_code": "10117", "country": "DE"}}}}'
"""


async def main(ports: StackPorts, data_dir: Path) -> int:
    stack = Stack(services(ports, data_dir))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stack.start()
        ops_key = next(
            e.rsplit(":", 1)[1] for e in DEMO_API_KEYS.split(",") if e.startswith("ops:")
        )
        await introduce(
            EdiPartnerUrls(
                mock_edi=f"http://127.0.0.1:{ports.mock_edi}",
                api=f"http://127.0.0.1:{ports.api}",
                ops_key=ops_key,
            )
        )
        print(_banner(ports), flush=True)
        exited = asyncio.ensure_future(stack.first_exit())
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            print(f"\n{exited.result()} stopped unexpectedly; stopping the rest", flush=True)
            return 1
        stopped.cancel()
        exited.cancel()
        return 0
    finally:
        print("stopping...", flush=True)
        await stack.stop()


if __name__ == "__main__":
    data = Path(os.environ.get("ORDERMESH_DATA_DIR", ".data")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(main(StackPorts(), data)))
