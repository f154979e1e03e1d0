"""tools/system_deps.py: what the README's commands need from the system, and one clear line
saying what to install when it may not install it itself."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "system_deps.py"
FAMILIES = ["WenQuanYi Micro Hei,文泉驿微米黑", "Noto Color Emoji", "DejaVu Sans"]


def run(path, *needs):
    """The script with only `path` on PATH, told not to use apt-get (as when not root)."""
    env = {"PATH": str(path), "MASHANG_NO_APT": "1", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, str(SCRIPT), *needs], env=env, capture_output=True,
                          text=True, timeout=60)


def fake(folder, name, output=()):
    folder.mkdir(exist_ok=True)
    lines = "".join(f"echo '{line}'\n" for line in output)
    (folder / name).write_text(f"#!/bin/sh\n{lines}")
    (folder / name).chmod(0o755)


def test_missing_tools_give_one_line_naming_the_packages_and_a_failure(tmp_path):
    done = run(tmp_path, "venv", "chromium", "fonts", "redis")
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    packages = "chromium fonts-wqy-microhei fonts-noto-color-emoji fonts-dejavu-core redis-server"
    assert f"Missing Debian packages: {packages}." in line
    assert f"apt-get install -y {packages}" in line


def test_only_the_missing_ones_are_named(tmp_path):
    fake(tmp_path, "chromium")
    fake(tmp_path, "fc-list", FAMILIES[:2])
    [line] = run(tmp_path, "chromium", "fonts", "redis").stderr.splitlines()
    assert "Missing Debian packages: fonts-dejavu-core redis-server." in line


def test_nothing_to_say_when_everything_is_there(tmp_path):
    for name in ("chromium", "redis-server", "initdb", "pg_ctl"):
        fake(tmp_path, name)
    fake(tmp_path, "fc-list", FAMILIES)
    done = run(tmp_path, "venv", "chromium", "fonts", "redis", "postgres")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_an_unknown_need_is_a_usage_error(tmp_path):
    done = run(tmp_path, "chromium", "chrome")
    assert done.returncode == 2 and "usage:" in done.stderr


def test_nginx_is_named_when_missing_and_found_where_named(tmp_path):
    def nginx_need(where):
        env = {"PATH": str(tmp_path), "MASHANG_NO_APT": "1", "LANG": "C.UTF-8",
               "NGINX_PATH": str(where)}
        return subprocess.run([sys.executable, str(SCRIPT), "nginx"], env=env,
                              capture_output=True, text=True, timeout=60)
    missing = nginx_need(tmp_path / "nginx")
    assert missing.returncode == 1 and "Missing Debian packages: nginx." in missing.stderr
    fake(tmp_path, "nginx")
    assert nginx_need(tmp_path / "nginx").returncode == 0
