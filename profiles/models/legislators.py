from django.db import models


class Legislator(models.Model):
    """An elected official and the district they represent (public data, not per company).

    Loaded by `manage.py load_legislators` from files in the congress-legislators format.
    """

    class Office(models.TextChoices):
        SENATOR = "senator", "Senator"
        CONGRESSPERSON = "congressperson", "Congressperson"
        STATE_SENATOR = "state_senator", "State Senator"
        STATE_REPRESENTATIVE = "state_representative", "State Representative"
        GOVERNOR = "governor", "Governor"

    external_id = models.CharField(max_length=50, unique=True, help_text="e.g. bioguide id")
    office = models.CharField(max_length=30, choices=Office.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    party = models.CharField(max_length=50, blank=True, default="")
    state = models.CharField(max_length=2)
    district = models.CharField(
        max_length=20, blank=True, default="", help_text="Blank for statewide offices"
    )
    senate_class = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True, default="")
    url = models.URLField(blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["state", "office", "district", "last_name"]
        indexes = [models.Index(fields=["state", "office", "district"], name="legislator_lookup")]

    def __str__(self) -> str:
        return f"{self.get_office_display()} {self.first_name} {self.last_name} ({self.state})"
