# A migration of its own: on PostgreSQL the rows changed by 0003 must be committed
# before the table is altered again.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_message_gateway_separate_duplicate_mo_ids"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                condition=models.Q(("direction", "mo"), models.Q(("gateway_message_id", ""), _negated=True)),
                fields=("company", "gateway", "gateway_message_id"),
                name="message_mo_once_per_gateway_id",
            ),
        ),
    ]
