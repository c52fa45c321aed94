"""The build file: started only when asked, never made behind the user's back."""

import duckdb
import pytest

from pipeline.warehouse.build import BuildFile, NoBuild
from pipeline.warehouse.files import WarehouseFiles


def test_writing_with_no_build_under_way_says_what_to_do_and_copies_nothing(tmp_path):
    files = WarehouseFiles(tmp_path / "xxgk.duckdb")
    duckdb.connect(str(files.published)).close()
    with pytest.raises(NoBuild, match=r"no build under way .*materialize all assets .*xxgk run"):
        with BuildFile(files).writing():
            pass
    assert not files.build.exists()


def test_a_build_starts_empty_or_from_the_published_file_and_reading_prefers_it(tmp_path):
    files = WarehouseFiles(tmp_path / "xxgk.duckdb")
    with duckdb.connect(str(files.published)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    build = BuildFile(files)
    build.start(from_published=True)
    with build.writing() as con:
        con.execute("INSERT INTO t VALUES (2)")
    with build.reading() as con:
        assert con.execute("SELECT sum(x) FROM t").fetchone() == (3,)
    build.start(from_published=False)  # the leftover goes: an empty file
    with build.reading() as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchone() == (0,)
    build.discard()
    assert not files.build.exists()
    with build.reading() as con:  # no build: the published file
        assert con.execute("SELECT sum(x) FROM t").fetchone() == (1,)
