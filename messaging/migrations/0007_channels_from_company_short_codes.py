"""Each company's short code becomes its first sending number (a generic channel).

Routing now finds the company by its channels; this keeps every number that routed
before routing the same way. A number two companies share stays with the first (by
id) only: it was refused as ambiguous before and the second company's admin adds it
again if it really is theirs. Credentials stay empty: the generic channel is verified
by SMS_WEBHOOK_SECRET, as before.
"""

import uuid

from django.db import migrations

from messaging.routing import number_normalize


def channels_from_short_codes(apps, schema_editor):
    Company = apps.get_model("profiles", "Company")
    Channel = apps.get_model("messaging", "Channel")
    taken = set(Channel.objects.filter(active=True).values_list("number", flat=True))
    for company in Company.objects.exclude(short_code="").order_by("id"):
        number = number_normalize(company.short_code)
        if not number or number in taken:
            continue
        Channel.objects.create(
            company=company,
            # Company.short_code also held long codes typed in any spelling.
            kind="short_code" if number.isdigit() else "long_code_10dlc",
            number=number,
            provider="generic",
            mps=100,
            webhook_token=uuid.uuid4(),
            active=True,
        )
        taken.add(number)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0006_channels_and_delivered_at"),
    ]

    operations = [
        migrations.RunPython(channels_from_short_codes, migrations.RunPython.noop),
    ]
