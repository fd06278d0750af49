"""Message.gateway, and existing MO rows made ready for one row per gateway message id.

Until now the same aggregator id could be stored more than once (a replayed or
concurrently redelivered webhook, or an id over 100 characters that was cut when stored
but looked up in full). The unique constraint of the next migration would fail on such
rows, so here the first row of each repeated id keeps it and each later copy's id
becomes `<id>#dup<n>`: no message is removed, and the copies stay recognisable.

Every MO stored with an id so far came through the generic webhook, so those rows are
stamped with its gateway name; a redelivery of a message received before the upgrade is
then still recognised.
"""

from django.db import migrations, models
from django.db.models import Count, Min

GENERIC_GATEWAY = "generic"
ID_MAX_LENGTH = 100


def separate_duplicate_mo_ids(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    with_id = Message.objects.filter(direction="mo").exclude(gateway_message_id="")
    with_id.update(gateway=GENERIC_GATEWAY)
    repeated = (
        with_id.values("company_id", "gateway_message_id")
        .annotate(copies=Count("id"), first=Min("id"))
        .filter(copies__gt=1)
        .order_by()
    )
    for group in list(repeated):
        same = with_id.filter(
            company_id=group["company_id"], gateway_message_id=group["gateway_message_id"]
        )
        later = same.exclude(pk=group["first"]).order_by("pk").values_list("pk", flat=True)
        n = 0
        for pk in list(later):
            while True:
                n += 1
                suffix = f"#dup{n}"
                renamed = group["gateway_message_id"][: ID_MAX_LENGTH - len(suffix)] + suffix
                if not with_id.filter(
                    company_id=group["company_id"], gateway_message_id=renamed
                ).exists():
                    break
            Message.objects.filter(pk=pk).update(gateway_message_id=renamed)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_leaner_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="gateway",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.RunPython(separate_duplicate_mo_ids, migrations.RunPython.noop),
    ]
