"""The system packages that the README's commands need, installed when they are missing.

    python3 tools/system_deps.py venv chromium fonts redis postgres nginx

checks each named need. As root on Debian, it installs what is missing with apt-get; otherwise
(or with MASHANG_NO_APT=1) it prints one line saying what to install and exits 1. The Makefile
calls it before `make run`, `make test` and the others, each with the needs of its command."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nginx_front import NginxNotFound, nginx_binary  # noqa: E402
from throwaway_postgres import ServerNotFound, server_bin_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _venv() -> bool:
    # Debian's own python3 has no ensurepip, so `python3 -m venv` fails without python3-venv.
    return (ROOT / ".venv" / "bin" / "python").exists() or bool(importlib.util.find_spec(
        "ensurepip"))


def _chromium() -> bool:
    return bool(shutil.which(os.environ.get("CHROMIUM_PATH") or "chromium"))


def _font_families() -> str:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ""
    done = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True)
    return done.stdout.lower()


def _font(family: str):
    return lambda: family.lower() in _font_families()


def _nginx() -> bool:
    try:
        nginx_binary()
    except NginxNotFound:
        return False
    return True


def _postgres() -> bool:
    try:
        server_bin_dir()
    except ServerNotFound:
        return False
    return True


# need -> [(Debian package, check)]. Fonts: CJK text and emoji in browser screenshots, and the
# fonts that tests/qr_sheets/test_fonts.py opens.
NEEDS = {
    "venv": [("python3-venv", _venv)],
    "chromium": [("chromium", _chromium)],
    "fonts": [("fonts-wqy-microhei", _font("WenQuanYi Micro Hei")),
              ("fonts-noto-color-emoji", _font("Noto Color Emoji")),
              ("fonts-dejavu-core", _font("DejaVu Sans"))],
    "redis": [("redis-server", lambda: bool(shutil.which("redis-server")))],
    "postgres": [("postgresql", _postgres)],
    "nginx": [("nginx", _nginx)],
}


def missing(needs: list[str]) -> list[str]:
    return [package for need in needs for package, present in NEEDS[need] if not present()]


def may_install() -> bool:
    return (os.geteuid() == 0 and os.environ.get("MASHANG_NO_APT", "") in ("", "0")
            and shutil.which("apt-get") is not None)


def apt_install(packages: list[str]) -> None:
    print(f"system_deps: installing {' '.join(packages)} with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    unknown = [need for need in argv if need not in NEEDS]
    if unknown or not argv:
        print(f"usage: system_deps.py NEED... with NEED among {', '.join(NEEDS)}",
              file=sys.stderr)
        return 2
    lacking = missing(argv)
    if lacking and may_install():
        try:
            apt_install(lacking)
        except subprocess.CalledProcessError as failed:
            print(f"system_deps: {' '.join(failed.cmd)} failed", file=sys.stderr)
        lacking = missing(argv)
    if lacking:
        print(f"Missing Debian packages: {' '.join(lacking)}. Install them with `sudo apt-get "
              f"install -y {' '.join(lacking)}` (or run make as root, which installs them).",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
