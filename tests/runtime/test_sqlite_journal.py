"""The agents' own SQLite task stores run in WAL mode on a local file system, and keep the default on a network one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workshop_template_system.runtime import sqlite_journal


def test_an_agent_keeps_its_tasks_in_wal_mode_on_a_local_disk(start_agent, workspace_path: Path) -> None:
    agent = start_agent("source_manager")
    database = workspace_path / "agents" / "source-manager" / "tasks.db"
    assert database.exists(), agent.log()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("mounts", "local"),
    [
        ("/dev/vda / ext4 rw 0 0\n", True),
        ("/dev/vda / ext4 rw 0 0\nserver:/export {folder} nfs4 rw 0 0\n", False),
        ("/dev/vda / ext4 rw 0 0\nceph {folder} ceph rw 0 0\n", False),
        ("/dev/vda / ext4 rw 0 0\nsshfs {folder} fuse.sshfs rw 0 0\n", False),
        ("/dev/vda / ext4 rw 0 0\ntmpfs {folder} tmpfs rw 0 0\nserver:/x {folder}/elsewhere nfs rw 0 0\n", True),
    ],
)
def test_the_file_system_is_found_by_the_mount_that_holds_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mounts: str, local: bool
) -> None:
    table = tmp_path / "mounts"
    table.write_text(mounts.format(folder=tmp_path / "volume"))
    monkeypatch.setattr(sqlite_journal, "MOUNTS", table)
    assert sqlite_journal.on_local_file_system(tmp_path / "volume" / "agents" / "tasks.db") is local
