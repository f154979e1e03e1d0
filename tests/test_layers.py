"""Imports point one way (DESIGN §3), read from the source:
- the domain never imports a blueprint, an adapter (open311/), flask (the request, the app),
  werkzeug's request machinery or webapp.inputs; adapters call into the domain;
- models/ never imports the domain or a blueprint; qr_sheets/ imports nothing of webapp/;
- the domain's areas point down only: reports may use places, people, services.care_cards,
  services.care_visits (a visit files a report) and shared; services never uses reports;
  places and people use only shared; shared uses no area;
  notify (who hears what) reads every area and no area uses it: it is fed by the session.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEBAPP = ROOT / "webapp"
BLUEPRINTS = ("admin", "auth", "board", "open311", "pwa", "resident", "staff", "volunteer",
              "channels", "worker", "notifications", "district")
WEB = tuple(f"webapp.{name}" for name in BLUEPRINTS) + (
    "flask", "werkzeug.datastructures", "werkzeug.wrappers", "werkzeug.exceptions",
    "webapp.inputs", "jinja2")
# What each area of the domain may import of the others (besides itself and the domain's
# own __init__: DomainRefused, unit_of_work).
AREA_MAY_USE = {
    "shared": set(),
    "people": {"shared"},
    "places": {"shared"},
    "services": {"shared", "people", "places"},
    "reports": {"shared", "people", "places", "services.care_cards", "services.care_visits"},
    # 一事一议: the households of a place decide; the report they decide on moves on.
    "consultations": {"shared", "people", "places", "reports"},
    # Who hears what: a consumer of every other area's events, used by none of them.
    "notify": {"shared", "people", "places", "services", "reports", "consultations"},
    # The district's figures: read from the rollup the session keeps, whoever changes a report.
    "district": {"shared"},
}


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, by dotted name: a from-import names the module and each
    name imported from it (which may be a module too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offending(folder: Path, refused) -> list[str]:
    return [f"{path.relative_to(ROOT)}: {name}" for path in sorted(folder.rglob("*.py"))
            for name in sorted(imports_of(path)) if under(name, refused)]


def test_the_domain_imports_no_blueprint_adapter_request_or_input_parsing():
    assert offending(WEBAPP / "domain", WEB) == []


def test_models_import_no_domain_and_no_blueprint():
    assert offending(WEBAPP / "models", ("webapp.domain",) + WEB[:len(BLUEPRINTS)]) == []


def test_qr_sheets_imports_nothing_of_the_app():
    assert offending(ROOT / "qr_sheets", ("webapp",)) == []


def area_of(name: str) -> str | None:
    """'webapp.domain.reports.sla' → 'reports.sla'; None outside the domain's areas."""
    parts = name.split(".")
    if parts[:2] != ["webapp", "domain"] or len(parts) < 3 or parts[2] not in AREA_MAY_USE:
        return None
    return ".".join(parts[2:4])


def test_the_domains_areas_point_down_only():
    found = []
    for area, allowed in AREA_MAY_USE.items():
        for path in sorted((WEBAPP / "domain" / area).rglob("*.py")):
            for name in sorted(imports_of(path)):
                used = area_of(name)
                if used is None or used.split(".")[0] == area:
                    continue
                if not any(used == a or used.startswith(a + ".") or used.split(".")[0] == a
                           for a in allowed):
                    found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


def test_every_domain_module_belongs_to_an_area():
    loose = [p.name for p in (WEBAPP / "domain").glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    assert {p.name for p in (WEBAPP / "domain").iterdir() if p.is_dir()
            and p.name != "__pycache__"} == set(AREA_MAY_USE)


def test_the_checks_catch_what_they_are_for():
    """A rule that cannot fail is no rule: each check flags an example of what it refuses."""
    assert under("flask.request", WEB) and under("webapp.staff.views", WEB)
    assert under("werkzeug.datastructures.MultiDict", WEB) and under("webapp.inputs", WEB)
    assert not under("flask_babel", WEB) and not under("werkzeug.security", WEB)
    assert area_of("webapp.domain.reports.sla") == "reports.sla"
    assert area_of("webapp.domain.services.care_cards.has_care_card") == "services.care_cards"
    assert area_of("webapp.domain.unit_of_work") is None


def test_the_open311_adapter_reads_whole_numbers_with_the_one_parser():
    source = "".join(p.read_text() for p in (WEBAPP / "open311").glob("*.py"))
    assert "whole_number" in source and "[0-9]{1," not in source and ".isdigit()" not in source
