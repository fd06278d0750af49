"""Exports, uploaded lists, their results and the console outbox are private files.

They live in the "private" storage under PRIVATE_ROOT, outside MEDIA_ROOT, under names
with a random token; no URL serves that storage, with DEBUG on or off; they leave only
through views that check company and role.
"""

import importlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from django.urls import Resolver404, resolve

from core.private_files import PrivatePath, private_rows_move
from messaging.gateways import ConsoleGateway, console_outbox_path
from messaging.models import Message
from reports.models import Export
from tests.factories import make_profile
from tests.private_files import body_of, debug_urlconf, make_private_files

pytestmark = pytest.mark.django_db

TOKEN_DIR = re.compile(r"^[a-z_]+/\d{4}/\d{2}/[A-Za-z0-9_-]{24}/[^/]+$")


@pytest.fixture
def files(company, dana):
    return make_private_files(company, owner=dana, mark="Quartermaine")


def test_private_files_are_stored_outside_media_root_under_unguessable_names(files):
    private_root = Path(settings.PRIVATE_ROOT).resolve()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    assert not private_root.is_relative_to(media_root)
    for file in files:
        assert TOKEN_DIR.match(file.name), file.what
        path = Path(storages["private"].path(file.name)).resolve()
        assert path.is_relative_to(private_root) and path.read_bytes() == file.content
        assert not default_storage.exists(file.name), file.what


def test_two_files_saved_under_the_same_name_get_different_tokens():
    upload_to = PrivatePath("exports")
    first, second = upload_to(None, "profiles.csv"), upload_to(None, "profiles.csv")
    assert first != second
    assert first.endswith("/profiles.csv") and second.endswith("/profiles.csv")


def test_a_private_file_has_no_url(files):
    export = Export.objects.get()
    with pytest.raises(ValueError, match="no URL"):
        export.results_file.url  # noqa: B018 (the property is what is tested)


@pytest.mark.parametrize("who", ["alice", "dana"])
def test_the_owner_and_an_admin_download_the_export_as_an_attachment(
    files, who, request, client_as
):
    export = files[0]
    response = client_as(request.getfixturevalue(who)).get(export.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert body_of(response) == export.content


def test_an_admin_downloads_each_opt_out_and_group_upload_file(files, alice, client_as):
    for file in files[1:]:
        response = client_as(alice).get(file.url)
        assert response.status_code == 200, file.what
        assert response["Content-Disposition"].startswith("attachment;"), file.what
        assert body_of(response) == file.content, file.what


def test_staff_of_the_same_company_gets_403_for_every_private_file(files, charlie, client_as):
    for file in files:
        response = client_as(charlie).get(file.url)
        assert response.status_code == 403, file.what
        assert file.content not in body_of(response), file.what


def test_an_admin_of_another_company_gets_404_for_every_private_file(files, eve, client_as):
    for file in files:
        response = client_as(eve).get(file.url)
        assert response.status_code == 404, file.what
        assert file.content not in body_of(response), file.what


def test_no_media_route_exists_with_debug_on():
    with debug_urlconf():
        for path in ("/media/", "/media/exports/x.csv", "/media/sms-outbox.log"):
            with pytest.raises(Resolver404):
                resolve(path)


def test_the_media_path_of_every_private_file_is_404_with_debug_on(
    files, company, alice, client_as
):
    # Copies under MEDIA_ROOT too: even a file left there by mistake is not served.
    outbox = f"outbox/{company.pk}.log"
    names = [file.name for file in files] + [outbox, "sms-outbox.log"]
    for name in names:
        default_storage.save(name, ContentFile(b"Quartermaine"))
    try:
        with debug_urlconf():
            for name in names:
                response = client_as(alice).get(f"/media/{name}")
                assert response.status_code == 404, name
                assert b"Quartermaine" not in body_of(response), name
    finally:
        for name in names:
            default_storage.delete(name)


def _console_send(company, body: str) -> Message:
    profile = make_profile(company)
    message = Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MT,
        message_type="regular_text",
        body=body,
    )
    assert ConsoleGateway().send(message).ok
    return message


def test_the_console_outbox_of_one_company_never_holds_another_companys_texts(
    company, other_company
):
    for c in (company, other_company):
        console_outbox_path(company_id=c.pk).unlink(missing_ok=True)
    mine = _console_send(company, "Acme rally tonight")
    theirs = _console_send(other_company, "Other Org bake sale")
    acme_lines = console_outbox_path(company_id=company.pk).read_text().splitlines()
    other_lines = console_outbox_path(company_id=other_company.pk).read_text().splitlines()
    assert [json.loads(line)["id"] for line in acme_lines] == [mine.pk]
    assert [json.loads(line)["id"] for line in other_lines] == [theirs.pk]
    assert "bake sale" not in "".join(acme_lines) and "rally" not in "".join(other_lines)
    path = console_outbox_path(company_id=company.pk).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT).resolve())
    assert not Path(settings.MEDIA_ROOT, "sms-outbox.log").exists()


def test_moving_stored_files_into_private_storage_keeps_every_row_pointing_at_its_file(
    company,
):
    export = Export.objects.create(company=company, kind=Export.Kind.PROFILES, name="old")
    clash = Export.objects.create(company=company, kind=Export.Kind.PROFILES, name="clash")
    old_name = f"exports/2025/01/profiles-{export.pk}.csv"
    clash_name = f"exports/2025/01/profiles-{clash.pk}.csv"
    default_storage.save(old_name, ContentFile(b"id\r\n1\r\n"))
    default_storage.save(clash_name, ContentFile(b"id\r\n2\r\n"))
    storages["private"].save(clash_name, ContentFile(b"someone else's file"))
    Export.objects.filter(pk=export.pk).update(results_file=old_name)
    Export.objects.filter(pk=clash.pk).update(results_file=clash_name)
    try:
        private_rows_move(model=Export, fields=["results_file"])
        private_rows_move(model=Export, fields=["results_file"])  # a second run changes nothing
        export.refresh_from_db()
        clash.refresh_from_db()
        assert export.results_file.name == old_name
        with export.results_file.open("rb") as handle:
            assert handle.read() == b"id\r\n1\r\n"
        assert clash.results_file.name != clash_name  # moved beside the other file, not over it
        with clash.results_file.open("rb") as handle:
            assert handle.read() == b"id\r\n2\r\n"
        with storages["private"].open(clash_name, "rb") as handle:
            assert handle.read() == b"someone else's file"
        assert not default_storage.exists(old_name) and not default_storage.exists(clash_name)
    finally:
        for name in (old_name, clash_name, clash.results_file.name):
            storages["private"].delete(name)


def test_the_admin_shows_private_file_names_without_linking_them(files, company):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from inbox.models import BulkOptOut

    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    client = Client()
    client.force_login(root)
    export, bulk = Export.objects.get(), BulkOptOut.objects.get()
    pages = {
        f"/admin/reports/export/{export.pk}/change/": [export.results_file.name],
        f"/admin/inbox/bulkoptout/{bulk.pk}/change/": [
            bulk.source_file.name,
            bulk.results_file.name,
        ],
    }
    for url, names in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for name in names:
            assert name in page and f'href="/media/{name}"' not in page, url


def test_the_old_shared_outbox_is_kept_in_private_storage_by_its_migration():
    migration = importlib.import_module("messaging.migrations.0005_console_outbox_private")
    private = storages["private"]
    private.delete(migration.KEPT_NAME)
    default_storage.save(migration.OLD_NAME, ContentFile(b'{"body": "every company"}\n'))
    try:
        migration.move_to_private(None, None)
        assert not default_storage.exists(migration.OLD_NAME)
        with private.open(migration.KEPT_NAME, "rb") as handle:
            assert handle.read() == b'{"body": "every company"}\n'
    finally:
        default_storage.delete(migration.OLD_NAME)
        private.delete(migration.KEPT_NAME)


def test_a_private_root_inside_media_root_is_refused_by_the_system_checks():
    from core.private_files import private_root_check

    assert private_root_check() == []
    with override_settings(PRIVATE_ROOT=Path(settings.MEDIA_ROOT) / "private"):
        assert [error.id for error in private_root_check()] == ["private_files.E001"]
