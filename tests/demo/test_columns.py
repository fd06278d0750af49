"""The demo's generated rows against the models' metadata (demo.columns).

The generator writes rows as text in a fixed column order; these tests fail when a model
and that order part ways: a column added that the demo does not fill, a column renamed
or dropped, or values that no longer fit the columns they are written to.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from demo.catalog import DEMO_COMPANY, SECOND_COMPANY, demo_catalog, demo_company, second_catalog
from demo.columns import NULL, ColumnDrift, column_problems, table_plan
from demo.loader import Loader
from demo.parallel import generate
from demo.rows import TABLES

NOW = "2026-01-02 03:04:05"


def test_every_generated_table_fits_its_model():
    assert {name: column_problems(model, columns) for name, (model, columns) in TABLES.items()} == (
        dict.fromkeys(TABLES, [])
    )


@isolate_apps("demo")
def test_a_not_null_column_without_a_default_that_the_demo_does_not_write_stops_the_load():
    class Row(models.Model):
        class Meta:
            app_label = "demo"

        name = models.CharField(max_length=10)
        score = models.IntegerField()
        locale = models.CharField(max_length=10)

    assert column_problems(Row, ["id", "name", "score", "locale"]) == []
    problems = column_problems(Row, ["id", "name"])
    assert len(problems) == 2
    assert "Row.score is NOT NULL without a default" in problems[0]
    assert "Row.locale is NOT NULL without a default" in problems[1]
    with pytest.raises(ColumnDrift, match="score"):
        table_plan(Row, ["id", "name"], NOW)


@isolate_apps("demo")
def test_columns_left_out_are_filled_as_create_fills_them():
    class Row(models.Model):
        class Meta:
            app_label = "demo"

        name = models.CharField(max_length=10)
        note = models.CharField(max_length=10, default="none")
        flag = models.BooleanField(default=True)
        data = models.JSONField(default=dict)
        size = models.IntegerField(null=True)
        seen = models.DateTimeField(auto_now=True)
        rank = models.IntegerField(db_default=3)
        both = models.IntegerField(default=4, db_default=5)

    plan = table_plan(Row, ["id", "name"], NOW)
    # The database fills a db_default alone; a Python default goes in, as create() sends it.
    assert plan.defaulted == ("note", "flag", "data", "size", "seen", "both")
    assert plan.suffix == f"\tnone\tt\t{{}}\t{NULL}\t{NOW}\t4"
    assert plan.columns == ("id", "name", *plan.defaulted)
    assert plan.booleans == (False, False, False, True, False, False, False, False)


@isolate_apps("demo")
def test_unknown_repeated_and_unique_defaulted_columns_are_refused():
    class Row(models.Model):
        class Meta:
            app_label = "demo"

        name = models.CharField(max_length=10)
        token = models.CharField(max_length=10, unique=True, default="x")

    problems = column_problems(Row, ["id", "name", "name", "nickname"])
    assert "Row has no column 'nickname'" in problems
    assert "Row.name is written twice" in problems
    assert any(p.startswith("Row.token is unique") for p in problems)


def _fits(field: models.Field, value: str) -> bool:
    if value == NULL:
        return field.null
    try:
        python = field.to_python(value)
    except ValidationError:
        return False
    if field.choices and python not in {"", None}:
        return python in {str(choice) for choice, _ in field.flatchoices}
    return True


@pytest.mark.django_db
def test_every_generated_value_fits_the_field_of_its_column():
    """A value written in the wrong place (the f-strings' order against the column
    lists) fails here, whether or not PostgreSQL would have taken it."""
    now = timezone.now().replace(microsecond=0)
    main, second = demo_company(DEMO_COMPANY), demo_company(SECOND_COMPANY)
    first_ids = Loader(rebuild_indexes=False, log=print, copy=False).first_ids()
    seen = dict.fromkeys(TABLES, 0)
    for catalog, count in ((demo_catalog(main, now), 300), (second_catalog(second, now), 30)):
        chunks = generate(
            catalog,
            count=count,
            size=100,
            first_ids=first_ids,
            now=now,
            seed=1,
            workers=0,
            on_counts=lambda counts: None,
        )
        for chunk in chunks:
            for name, (_, text) in chunk.items():
                model, columns = TABLES[name]
                fields = {f.column: f for f in model._meta.concrete_fields}
                for line in text.split("\n")[:-1]:
                    values = line.split("\t")
                    assert len(values) == len(columns), (name, line)
                    wrong = [
                        (column, value)
                        for column, value in zip(columns, values, strict=True)
                        if not _fits(fields[column], value)
                    ]
                    assert wrong == [], (name, line)
                    seen[name] += 1
    assert all(seen.values()), seen  # every table was generated and checked


@pytest.mark.django_db
def test_the_loader_refuses_a_chunk_whose_rows_do_not_have_the_listed_width():
    loader = Loader(rebuild_indexes=False, log=print, copy=False)
    width = len(TABLES["note"][1])
    good = "\t".join(["1"] * width)
    short = "\t".join(["1"] * (width - 1))
    with pytest.raises(ValueError, match=f"note rows must have {width} values"):
        loader.write({"note": (2, f"{good}\n{short}\n")})
