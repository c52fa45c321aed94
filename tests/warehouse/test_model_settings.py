"""Each model's build settings are declared in sql/schema.toml beside its docs, never in a comment
of its SQL, and a misspelled setting is refused rather than silently ignored."""

import tomllib

import pytest

from pipeline.warehouse import schema
from pipeline.warehouse.models import discover
from pipeline.warehouse.sqlfiles import SQL_DIR


def test_the_per_agency_models_are_those_schema_toml_declares():
    per_agency = {m.name for m in discover() if m.per_agency}
    assert per_agency == {
        "mart_agency_year",
        "mart_yoy",
        "check_appeals_total",
        "check_balance",
        "check_carryover",
        "check_completeness",
        "check_duplicate",
        "check_narrative",
        "check_regdoc_stock",
        "check_result_total",
        "check_row_total",
        "check_value_domain",
    }
    declared = tomllib.loads((SQL_DIR / "schema.toml").read_text(encoding="utf-8"))["tables"]
    assert per_agency == {name for name, spec in declared.items() if spec.get("refresh") == "per agency"}


def test_no_sql_file_carries_a_setting_in_a_comment():
    for path in SQL_DIR.rglob("*.sql"):
        assert "-- refresh:" not in path.read_text(encoding="utf-8"), path


def test_a_mart_declared_a_view_is_built_as_one():
    models = {m.name: m for m in discover()}
    assert (models["mart_lineage"].kind, models["mart_lineage"].per_agency) == ("VIEW", False)
    assert (models["mart_yoy"].kind, models["mart_yoy"].per_agency) == ("TABLE", True)


@pytest.mark.parametrize("setting", ['refresh = "per_agency"', 'refersh = "per agency"', 'view = true\nrefresh = "per agency"'])
def test_a_misspelled_setting_is_refused(tmp_path, setting):
    (tmp_path / "schema.toml").write_text(
        f'[columns]\n[tables.t]\ndescription = "d"\n{setting}\n[tables.t.columns]\nx = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"\[tables\.t\]"):
        schema.table_docs(tmp_path)
