"""load_legislators reads congress-legislators YAML and CSV files."""

import pytest
from django.core.management import CommandError, call_command

from profiles.models import Legislator

pytestmark = pytest.mark.django_db


def test_the_sample_yaml_loads_every_office_with_the_last_term():
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    offices = set(Legislator.objects.values_list("office", flat=True))
    assert offices == {
        "senator",
        "congressperson",
        "state_senator",
        "state_representative",
        "governor",
    }
    avery = Legislator.objects.get(external_id="S000001")
    assert str(avery.term_start) == "2025-01-03"  # the last term counts
    assert avery.senate_class == 1 and avery.district == ""
    assert Legislator.objects.get(external_id="S000010").district == "0"  # DC at large
    assert set(Legislator.objects.values_list("state", flat=True)) >= {"NY", "CA", "TX", "DC"}


def test_loading_twice_updates_instead_of_duplicating():
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    count = Legislator.objects.count()
    call_command("load_legislators", "profiles/data/legislators-sample.yaml", verbosity=0)
    assert Legislator.objects.count() == count


def test_the_csv_shape_loads_with_the_office_column():
    call_command("load_legislators", "profiles/data/legislators-sample.csv", verbosity=0)
    rows = dict(Legislator.objects.values_list("external_id", "office"))
    assert rows == {"S000001": "senator", "S000003": "congressperson", "sample-gov-ny": "governor"}
    assert Legislator.objects.get(external_id="S000003").district == "12"


def test_bad_entries_are_reported_and_good_ones_still_load(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "last_name,first_name,type,state,district,bioguide_id\n"
        "Good,Gina,rep,TX,7,G1\n"
        "Bad,Bert,mayor,TX,,B1\n"
        "Nowhere,Nia,sen,ZZZ,,N1\n"
    )
    call_command("load_legislators", str(path))
    err = capsys.readouterr().err
    assert "line 3: unknown office/type “mayor”" in err
    assert "line 4: unknown state “ZZZ”" in err
    assert list(Legislator.objects.values_list("external_id", flat=True)) == ["G1"]


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_legislators", "nope.yaml")
