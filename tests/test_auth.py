"""Sign-in: argon2 hashes in users.toml, and no network bind without it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.auth import (
    add_user,
    authenticate,
    hash_password,
    is_loopback,
    load_users,
    require_safe_bind,
    verify_password,
)
from assistant.errors import AccessDenied, ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_hash_and_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong password")
    assert not verify_password("not-a-hash", "whatever")


def test_users_file_round_trip_and_authenticate(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "alice", "alice-secret-1")
    add_user(path, "bob.smith", "bob-secret-22")
    add_user(path, "alice", "alice-secret-2")  # changes alice's password, keeps bob
    users = load_users(path)
    assert set(users) == {"alice", "bob.smith"}
    assert authenticate(users, "alice", "alice-secret-2")
    assert not authenticate(users, "alice", "alice-secret-1")
    assert authenticate(users, "bob.smith", "bob-secret-22")
    assert not authenticate(users, "mallory", "alice-secret-2")
    assert not authenticate(users, "alice", "")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_hand_written_users_toml(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text(f'[users.carol]\npassword_hash = "{hash_password("carol-pass-9")}"\n')
    assert authenticate(load_users(path), "carol", "carol-pass-9")


def test_bad_users_files(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_users(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[users.dave]\npassword_hash = "plaintext"\n')
    with pytest.raises(ConfigurationError, match="argon2"):
        load_users(bad)
    with pytest.raises(ConfigurationError):
        add_user(tmp_path / "u.toml", "eve", "short")
    with pytest.raises(ConfigurationError):
        add_user(tmp_path / "u.toml", "bad name!", "long-enough-pw")


def test_refuses_public_bind_without_auth(tmp_path):
    with pytest.raises(AccessDenied, match=r"refusing to listen on 0\.0\.0\.0 without --auth users\.toml"):
        require_safe_bind("0.0.0.0", None)
    with pytest.raises(AccessDenied):
        require_safe_bind("192.168.1.20", None)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert is_loopback(host)
        require_safe_bind(host, None)
    require_safe_bind("0.0.0.0", tmp_path / "users.toml")


def test_serve_refuses_before_building_anything(tmp_path):
    from assistant.config import Settings
    from assistant.ui.serve import serve

    def build_app(_settings):
        raise AssertionError("must not build the app")

    with pytest.raises(AccessDenied):
        serve(Settings(home=tmp_path, host="0.0.0.0"), build_app)


def test_cli_users_add_reads_password_from_stdin(tmp_path):
    path = tmp_path / "users.toml"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "assistant", "users", "add", "frank", "--auth", str(path)],
                            input="frank-password-1\n", capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert authenticate(load_users(path), "frank", "frank-password-1")


def test_cli_ui_refuses_public_host_without_auth(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ASSISTANT_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "assistant", "ui", "--host", "0.0.0.0"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0 without --auth users.toml" in result.stderr
