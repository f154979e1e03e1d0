"""The notify tests use the services tests' office."""

from tests.domain.services.conftest import office  # noqa: F401 (a fixture)
