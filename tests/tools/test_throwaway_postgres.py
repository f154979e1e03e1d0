"""Where tools/throwaway_postgres.py finds PostgreSQL's server programs: PATH first, then
Debian's /usr/lib/postgresql/<version>/bin, newest version first."""

import os

import pytest

from tools.throwaway_postgres import ServerNotFound, server_bin_dir


def programs(folder, *names, mode=0o755):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(mode)
    return folder


@pytest.fixture
def debian(tmp_path):
    """A fake /usr/lib/postgresql with versions 9.6, 10 and 15 (and a stray folder)."""
    root = tmp_path / "usr-lib-postgresql"
    for version in ("9.6", "15", "10"):
        programs(root / version / "bin", "initdb", "pg_ctl", "postgres")
    programs(root / "common" / "bin", "initdb", "pg_ctl")
    return root


def test_debian_newest_version_when_path_has_none(tmp_path, debian):
    empty = programs(tmp_path / "bin")
    assert server_bin_dir(str(empty), debian) == debian / "15" / "bin"


def test_versions_compare_as_numbers_not_text(tmp_path, debian):
    programs(debian / "16" / "bin", "initdb", "pg_ctl")  # "16" < "9.6" as text
    assert server_bin_dir("", debian) == debian / "16" / "bin"


def test_a_folder_on_path_with_both_programs_comes_first(tmp_path, debian):
    first, second = programs(tmp_path / "a", "psql"), programs(tmp_path / "b", "initdb", "pg_ctl")
    assert server_bin_dir(os.pathsep.join([str(first), str(second)]), debian) == second


def test_a_folder_with_half_the_programs_or_files_not_executable_is_passed_over(tmp_path,
                                                                              debian):
    only_initdb = programs(tmp_path / "a", "initdb")
    not_executable = programs(tmp_path / "b", "initdb", "pg_ctl", mode=0o644)
    search = os.pathsep.join([str(only_initdb), str(not_executable)])
    assert server_bin_dir(search, debian) == debian / "15" / "bin"


def test_none_anywhere_says_what_to_install(tmp_path):
    programs(tmp_path / "lib" / "15" / "bin", "pg_ctl")  # a client-only install
    with pytest.raises(ServerNotFound, match=r"initdb, pg_ctl.*apt-get install -y postgresql"):
        server_bin_dir(str(programs(tmp_path / "bin", "psql")), tmp_path / "lib")
