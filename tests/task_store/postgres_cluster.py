"""A throwaway PostgreSQL cluster made with the server's own binaries (initdb, pg_ctl), on 127.0.0.1 only."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support import free_port

USER = "wts"
DATABASE = "wts_tasks"
_TOOLS = ("initdb", "pg_ctl", "createdb")
_SERVER_USER = "postgres"  # initdb refuses to run as root; as root we run the server as this user


def find_binaries() -> Path | str:
    """The folder holding initdb, pg_ctl and createdb (the PATH, else Debian's /usr/lib/postgresql/N), or why not."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    found = next((path for path in candidates if all((path / tool).is_file() for tool in _TOOLS)), None)
    if found is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) on the PATH or in /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(_SERVER_USER)
        except KeyError:
            return f"running as root and there is no {_SERVER_USER!r} user to run the server as"
    return found


def _version(binaries: Path) -> list[int]:
    """``/usr/lib/postgresql/15/bin`` → [15], so 15 sorts above 9.6."""
    return [int(part) for part in binaries.parent.name.split(".") if part.isdigit()]


@dataclass
class PostgresCluster:
    """One cluster in a temporary folder: password login over TCP, trust over its own unix socket."""

    binaries: Path
    root: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, *, password: str | None = None, port: int | None = None) -> str:
        """The SQLAlchemy async URL of the cluster's database (another password or port to make a bad one)."""
        return f"postgresql+asyncpg://{USER}:{password or self.password}@127.0.0.1:{port or self.port}/{DATABASE}"

    def initdb(self) -> None:
        """Create the cluster: its superuser logs in with the password over TCP, trusted on the unix socket."""
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        shutil.chown(password_file, user=self.root.owner(), group=self.root.group())
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, f"--pwfile={password_file}", "--auth-local=trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        password_file.unlink()

    def createdb(self) -> None:
        self._run("createdb", "-h", str(self.root), "-p", str(self.port), "-U", USER, DATABASE)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        """Stop the server (fast: open connections are closed)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").is_file()

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.binaries / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", _SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{self.log()[-2000:]}")


@contextmanager
def throwaway_cluster(binaries: Path) -> Iterator[PostgresCluster]:
    """A new cluster with one database, stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="wts-pg-"))  # short: unix socket paths are limited to 107 bytes
    cluster = PostgresCluster(binaries, root, free_port(), secrets.token_urlsafe(16))
    try:
        if os.geteuid() == 0:
            account = pwd.getpwnam(_SERVER_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
        cluster.initdb()
        cluster.start()
        cluster.createdb()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
