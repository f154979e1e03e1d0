"""The repository's nginx config (deploy/nginx/mashang.conf) run here, in front of a local
server: on loopback ports, with a throwaway certificate, its cache, logs and temporary files in
a folder of its own, as an unprivileged foreground process (as root, it runs as `nobody`).

    with nginx_in_front(upstream_port) as front:
        front.https_port, front.certificate   # where to send requests, what to trust

tests/deploy/test_nginx.py checks the micro-cache with it; bench/load.py --nginx measures
through it. Only the lines below (ports and paths) are changed; every other line is the file's."""

import datetime
import ipaddress
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "mashang.conf"
HOST = "127.0.0.1"
DEBIAN_NGINX = Path("/usr/sbin/nginx")  # Debian keeps it off a normal user's PATH
MIME_TYPES = Path("/etc/nginx/mime.types")
UNPRIVILEGED = "nobody"


class NginxNotFound(RuntimeError):
    pass


def nginx_binary() -> str:
    """NGINX_PATH if set, else nginx on PATH, else Debian's /usr/sbin/nginx."""
    named = os.environ.get("NGINX_PATH")
    found = shutil.which(named) if named else shutil.which("nginx") or (
        str(DEBIAN_NGINX) if os.access(DEBIAN_NGINX, os.X_OK) else None)
    if not found:
        raise NginxNotFound("nginx is not installed (Debian: apt-get install -y nginx)")
    return found


def site_config(text: str, upstream_port: int, http_port: int, https_port: int,
                folder: Path) -> str:
    """The site config with this machine's ports and paths. Each change must apply exactly
    once: a config whose shape changed fails here rather than running something else."""
    changes = [
        (r"(upstream mashang_hosts \{\n)(?:[ \t]*server [^\n]*\n)+",
         rf"\g<1>    server {HOST}:{upstream_port};\n"),
        (r"proxy_cache_path /var/cache/nginx/mashang ", f"proxy_cache_path {folder}/cache "),
        (r"listen 80;", f"listen {HOST}:{http_port};"),
        (r"listen 443 ssl", f"listen {HOST}:{https_port} ssl"),
        (r"ssl_certificate +/etc/ssl/mashang/fullchain\.pem;",
         f"ssl_certificate {folder}/cert.pem;"),
        (r"ssl_certificate_key /etc/ssl/mashang/privkey\.pem;",
         f"ssl_certificate_key {folder}/key.pem;"),
        (r"alias /srv/mashang/app/static/;", f"alias {ROOT}/static/;"),
    ]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise ValueError(f"{SITE.name}: expected one match of {pattern!r}, found {count}")
    return text


def main_config(folder: Path, workers: int) -> str:
    temp = "\n".join(f"    {kind}_temp_path {folder}/tmp/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    types = f"include {MIME_TYPES};" if MIME_TYPES.exists() else "types { text/css css; }"
    return f"""daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log off;
{temp}
    include {folder}/mashang.conf;
}}
"""


def self_signed_certificate(folder: Path) -> None:
    """A certificate for 127.0.0.1, valid for a day: cert.pem and key.pem in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        # Its own issuer: OpenSSL trusts a self-signed certificate only as a CA.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Front:
    https_port: int
    http_port: int
    certificate: Path
    process: subprocess.Popen
    folder: Path

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _wait_until_listening(front: Front, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if front.process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {front.process.returncode}:\n"
                               f"{front.log()[-3000:]}")
        try:
            socket.create_connection((HOST, front.https_port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen within {timeout:.0f} s:\n{front.log()[-3000:]}")


@contextmanager
def nginx_in_front(upstream_port: int, workers: int = 1):
    """nginx with the repository's site config in front of HOST:upstream_port until the
    block ends, its files in a temporary folder of its own (under the system's temporary
    folder, which an unprivileged user can reach)."""
    with tempfile.TemporaryDirectory(prefix="mashang-nginx-") as made:
        folder = Path(made)
        for sub in ("cache", "tmp"):
            (folder / sub).mkdir()
        self_signed_certificate(folder)
        http_port, https_port = free_port(), free_port()
        (folder / "mashang.conf").write_text(
            site_config(SITE.read_text(), upstream_port, http_port, https_port, folder))
        (folder / "nginx.conf").write_text(main_config(folder, workers))
        with _running(folder, http_port, https_port) as front:
            yield front


@contextmanager
def _running(folder: Path, http_port: int, https_port: int):
    user = {}
    if os.geteuid() == 0:  # never a server as root: nginx's workers would stay root too
        account = pwd.getpwnam(UNPRIVILEGED)
        user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
    command = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
               "-e", str(folder / "error.log")]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, **user)
    front = Front(https_port, http_port, folder / "cert.pem", process, folder)
    try:
        _wait_until_listening(front, timeout=15)
        yield front
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
