"""The console gateway's shared outbox leaves MEDIA_ROOT.

Before, every company's outgoing texts went to MEDIA_ROOT/sms-outbox.log, which the
DEBUG media route served. The gateway now writes one outbox per company in the private
storage; the old shared file is kept (nothing stored is lost) but moved there, under a
name that says what it is, where no URL reaches it.
"""

from django.core.files.storage import storages
from django.db import migrations

from core.private_files import PRIVATE_STORAGE

OLD_NAME = "sms-outbox.log"
KEPT_NAME = "outbox/shared-before-per-company.log"


def move_to_private(apps, schema_editor):
    public, private = storages["default"], storages[PRIVATE_STORAGE]
    if not public.exists(OLD_NAME):
        return
    with public.open(OLD_NAME, "rb") as handle:
        private.save(KEPT_NAME, handle)
    public.delete(OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_message_mo_once_per_gateway_id")]

    # Going back leaves the file private: serving every company's texts again is no
    # state worth restoring.
    operations = [migrations.RunPython(move_to_private, migrations.RunPython.noop)]
