"""Atomic writes: whole new content or the old one, and no temporary files left behind."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path

import pytest

from workshop_template_system.workspace import atomic_write_bytes, atomic_write_json, atomic_write_text


def test_writes_bytes_text_and_json(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "b", b"\x00\x01")
    atomic_write_text(tmp_path / "t", "héllo\n")
    atomic_write_json(tmp_path / "j.json", {"b": 1, "a": "é", "list": [1, 2]})

    assert (tmp_path / "b").read_bytes() == b"\x00\x01"
    assert (tmp_path / "t").read_text(encoding="utf-8") == "héllo\n"
    text = (tmp_path / "j.json").read_text(encoding="utf-8")
    assert text == '{\n  "b": 1,\n  "a": "é",\n  "list": [\n    1,\n    2\n  ]\n}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["b", "j.json", "t"]


def test_replaces_existing_content(tmp_path: Path) -> None:
    target = tmp_path / "info.json"
    atomic_write_json(target, {"n": 1})
    atomic_write_json(target, {"n": 2})
    assert json.loads(target.read_text()) == {"n": 2}
    assert list(tmp_path.iterdir()) == [target]


def test_failed_write_keeps_old_content_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "info.json"
    atomic_write_json(target, {"n": 1})

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_json(target, {"n": 2, "padding": "x" * 10_000})

    assert json.loads(target.read_text()) == {"n": 1}
    assert list(tmp_path.iterdir()) == [target]


def test_interrupted_write_keeps_old_content(tmp_path: Path) -> None:
    target = tmp_path / "data"
    atomic_write_bytes(target, b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]  # fails inside the write
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_readers_never_see_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "status.json"
    atomic_write_json(target, {"round": 0, "payload": "x" * 50_000})
    done = threading.Event()
    errors: list[Exception] = []

    def read_continuously() -> None:
        while not done.is_set():
            try:
                json.loads(target.read_text())
            except ValueError as exc:
                errors.append(exc)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for round_number in range(1, 200):
            atomic_write_json(target, {"round": round_number, "payload": "x" * 50_000}, durable=False)
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert json.loads(target.read_text())["round"] == 199


def test_written_files_follow_the_umask_not_private_modes(tmp_path: Path) -> None:
    # Other containers on the shared mount read metadata: no 0600 temp-file mode may leak through.
    previous = os.umask(0o022)
    try:
        atomic_write_json(tmp_path / "info.json", {})
    finally:
        os.umask(previous)
    assert (tmp_path / "info.json").stat().st_mode & 0o777 == 0o644
