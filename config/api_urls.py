"""The XML REST API (seed 004) under /api/. Each app's api.py owns its endpoints.

Every endpoint answers at its seed name, with or without a trailing slash or an `.xml`
suffix (`/api/profiles`, `/api/profiles/`, `/api/profiles.xml`): clients written for
Mobile Commons use all three. Seed endpoints for features the product does not have
answer with the seed's error XML (see docs/api.md), and so does any other path under
/api/ (404, error 0).
"""

from django.urls import re_path

from api import unknown_endpoint, unsupported_endpoint
from campaigns import api as campaigns_api
from campaigns import api_groups as groups_api
from campaigns import api_profiles as campaigns_profiles_api
from links import api as links_api
from messaging import api as messaging_api
from profiles import api as profiles_api

ENDPOINTS = {
    # profiles and groups
    "profiles": profiles_api.profiles,
    "profile": profiles_api.profile,
    "profile_update": campaigns_profiles_api.profile_update_view,
    "profile_opt_out": campaigns_profiles_api.profile_opt_out,
    "profile_update_attribute": profiles_api.profile_update_attribute,
    "custom_column_value": profiles_api.custom_column_value,
    "groups": groups_api.groups,
    "group_members": groups_api.group_members,
    "create_group": groups_api.create_group,
    "add_group_member": groups_api.add_group_member,
    "remove_group_member": groups_api.remove_group_member,
    # campaigns, broadcasts, donations, tags
    "campaigns": campaigns_api.campaigns,
    "keywords": campaigns_api.keywords,
    "campaign_subscribers": campaigns_api.campaign_subscribers,
    "campaign_opted_in": campaigns_api.campaign_opted_in,
    "schedule_broadcast": campaigns_api.schedule_broadcast,
    "reschedule_broadcast": campaigns_api.reschedule_broadcast,
    "unschedule_broadcast": campaigns_api.unschedule_broadcast,
    "broadcasts": campaigns_api.broadcasts,
    "broadcast": campaigns_api.broadcast,
    "donation_summary": campaigns_api.donation_summary,
    "add_tag": campaigns_api.add_tag,
    "remove_tag": campaigns_api.remove_tag,
    "tags": campaigns_api.tags,
    # messages and attachments
    "messages": messaging_api.messages,
    "sent_messages": messaging_api.sent_messages,
    "send_message": messaging_api.send_message,
    "send_mms": messaging_api.send_mms,
    "attachments": messaging_api.attachments,
    "upload_attachment": messaging_api.upload_attachment,
    "archive_attachment": messaging_api.archive_attachment,
    "clear_conversation": messaging_api.clear_conversation,
    # tracked links
    "tinyurls": links_api.tinyurls,
    "clicks": links_api.clicks,
}

# Seed endpoints for features the product does not have, with the seed code that fits.
UNSUPPORTED = {
    "calls": ("mConnect calls", 15),
    "call_count": ("mConnect calls", 15),
    "mconnects": ("mConnects", 15),
    "mdata_entries": ("mData", 9),
    "trigger_mdata": ("mData", 9),
    "mdatas": ("mData", 9),
    "mdata_queries": ("mData", 9),
    "edit_attachment": ("editing attachments (upload a new one instead)", 21),
}

urlpatterns = (
    [
        re_path(rf"^{name}(?:\.xml)?/?$", view, name=f"api_{name}")
        for name, view in ENDPOINTS.items()
    ]
    + [
        re_path(rf"^{name}(?:\.xml)?/?$", unsupported_endpoint(feature, code), name=f"api_{name}")
        for name, (feature, code) in UNSUPPORTED.items()
    ]
    + [
        # Last: any other path under /api/ answers the seed's error XML, never an HTML page.
        re_path(r"^.*$", unknown_endpoint, name="api_unknown"),
    ]
)
