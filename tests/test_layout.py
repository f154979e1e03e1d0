"""Tests mirror the code (DESIGN §3): every module of webapp/domain/<area>/ has its tests in
tests/domain/<area>/test_<module>.py, and every such file names a module that exists."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "webapp" / "domain"
TESTS = ROOT / "tests" / "domain"


def areas() -> list[str]:
    return sorted(p.parent.name for p in DOMAIN.glob("*/__init__.py"))


def test_the_domain_has_its_areas():
    assert {"people", "places", "reports", "services", "shared"} <= set(areas())


def test_every_domain_module_has_its_test_file():
    missing = [f"tests/domain/{area}/test_{module.stem}.py"
               for area in areas() for module in sorted((DOMAIN / area).glob("*.py"))
               if module.name != "__init__.py"
               and not (TESTS / area / f"test_{module.stem}.py").is_file()]
    assert missing == []


def test_every_area_test_file_names_a_module_and_every_folder_is_a_package():
    strays = [str(path.relative_to(ROOT)) for path in sorted(TESTS.glob("*/test_*.py"))
              if not (DOMAIN / path.parent.name / f"{path.stem[len('test_'):]}.py").is_file()]
    assert strays == []
    folders = [p for p in TESTS.iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert sorted(p.name for p in folders) == areas()
    assert all((p / "__init__.py").is_file() for p in folders)
