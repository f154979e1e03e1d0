"""tools/nginx_front.py changes only ports and paths of the repository's nginx config, and
refuses a config whose shape it does not know rather than run something else."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from nginx_front import ROOT, SITE, site_config  # noqa: E402


def test_only_ports_and_paths_change(tmp_path):
    original = SITE.read_text()
    local = site_config(original, 8001, 8002, 8003, tmp_path)
    assert "server 127.0.0.1:8001;" in local and "10.0.0.1" not in local
    assert "listen 127.0.0.1:8002;" in local and "listen 127.0.0.1:8003 ssl" in local
    assert f"alias {ROOT}/static/;" in local and f"{tmp_path}/cert.pem" in local
    kept = [line for line in original.splitlines() if line in local.splitlines()]
    assert len(original.splitlines()) - len(kept) == 8  # hosts 2, cache, listen 2, certs 2, alias


def test_a_config_of_another_shape_is_refused(tmp_path):
    with pytest.raises(ValueError, match="listen 443 ssl"):
        site_config(SITE.read_text().replace("listen 443 ssl", "listen 8443 ssl"),
                    8001, 8002, 8003, tmp_path)
