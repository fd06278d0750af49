from import_export import resources

from .models import Campaign


class CampaignResource(resources.ModelResource):
    class Meta:
        model = Campaign
        fields = ("id", "company", "name", "description", "active", "ended_at", "created_at")
