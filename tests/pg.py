"""A throwaway PostgreSQL cluster for the tests, from Debian's packages.

One cluster per test session, in a temporary folder, listening on a free
loopback port and on a socket in that folder; each test gets a fresh database
(`Cluster.database`). initdb refuses to run as root, so as root the server runs
as the `postgres` system user, in a folder it owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import psycopg


def bindir() -> Path | None:
    """PostgreSQL's bin folder: the newest under /usr/lib/postgresql, else pg_config's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    bin: Path
    port: int
    as_user: list[str]
    _names = count(1)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://briefing@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), autocommit=True, connect_timeout=10)

    def database(self) -> str:
        """A new empty database; its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY file_copy')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "stop", "-D", str(self.data),
                        "-m", "immediate", "-w"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cluster:
    """Make and start a cluster, or raise RuntimeError saying why it cannot be."""
    found = bindir()
    if found is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb under /usr/lib/postgresql "
                           "and no pg_config); `make test` installs the Debian package")
    folder = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        runuser = shutil.which("runuser") or shutil.which("setpriv")
        try:
            import pwd

            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no `postgres` user to run "
                               "the server as") from None
        if runuser is None:
            raise RuntimeError("running as root and neither runuser nor setpriv is here")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ([runuser, "-u", "postgres", "--"] if runuser.endswith("runuser") else
                   [runuser, f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}",
                    "--init-groups", "--"])
    cluster = Cluster(folder, found, free_port(), as_user)
    try:
        _run([*as_user, str(found / "initdb"), "-D", str(cluster.data), "-U", "briefing",
              "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        options = (f"-h 127.0.0.1 -p {cluster.port} -k {folder} -F "
                   "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200")
        _run([*as_user, str(found / "pg_ctl"), "start", "-D", str(cluster.data), "-w",
              "-t", "60", "-l", str(folder / "server.log"), "-o", options])
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
        cluster.stop()
        raise RuntimeError(f"the PostgreSQL test server did not start: {exc} {tail}".strip()
                           ) from None
    return cluster


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: "
                           f"{(result.stderr or result.stdout).strip()[-600:]}")
