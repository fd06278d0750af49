"""No page shows another company's data.

Acme Action holds one of everything, each marked with a name no other company uses.
Eve, an Admin of another company, opens every list page (she sees none of the marks)
and every page of Acme's objects (each is "not found", never Acme's data). In the Django
admin, Eve and each lower role of her company are sent to its sign-in page from every
page of every registered model, and nothing of Acme's changes.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Company
from campaigns.broadcasts import broadcast_create
from campaigns.models import MessageTemplate, Tag
from campaigns.services_subscriptions import subscription_create
from inbox.models import BulkOptOut, CannedResponse, ConversationTag, InboxConversation
from messaging.channels import channel_create
from messaging.gateways import console_outbox_path
from messaging.models import Message
from profiles.models import CrmSync, CustomField, Group, Note
from reports.models import Export, ProfileAnalysis
from tests.factories import make_campaign, make_opt_in_path, make_profile, make_user
from tests.private_files import body_of, debug_urlconf, make_private_files

pytestmark = pytest.mark.django_db

MARK = "Quartermaine"
ACME_NUMBER = "+12028837777"


@pytest.fixture
def acme(company, alice):
    profile = make_profile(company, first_name="Zebulon", last_name=MARK, email="zq@acme.example")
    campaign = make_campaign(company, name=f"{MARK} campaign")
    path = make_opt_in_path(campaign, name=f"{MARK} path", keyword="QUARTER")
    subscription, _ = subscription_create(profile=profile, campaign=campaign, source="Keyword")
    group = Group.objects.create(company=company, name=f"{MARK} group")
    group.memberships.create(profile=profile)
    field = CustomField.objects.create(company=company, name=f"{MARK} field")
    note = Note.objects.create(profile=profile, body=f"{MARK} note", author=alice)
    message = Message.objects.create(
        company=company,
        profile=profile,
        phone_number=profile.phone_number,
        direction=Message.Direction.MO,
        message_type="reply",
        body=f"{MARK} says hello",
        campaign=campaign,
        status=Message.Status.RECEIVED,
        received_at=timezone.now(),
    )
    broadcast = broadcast_create(campaign=campaign, body=f"{MARK} broadcast", name=f"{MARK} b")
    export = Export.objects.create(
        company=company, kind=Export.Kind.PROFILES, name=f"{MARK} export", requested_by=alice
    )
    analysis = ProfileAnalysis.objects.create(
        company=company,
        name=f"{MARK} analysis",
        analysis_type=ProfileAnalysis.AnalysisType.FREQUENT_MT_FAILURES,
        recurring=ProfileAnalysis.Recurring.WEEKLY,
        parameters={"mt_failures": 1, "period_days": 30},
    )
    bulk = BulkOptOut.objects.create(company=company, source_name=f"{MARK}.csv")
    conversation = InboxConversation.objects.create(
        company=company,
        profile=profile,
        campaign=campaign,
        last_incoming=message,
        last_activity_at=timezone.now(),
        unread=1,
    )
    tag = ConversationTag.objects.create(company=company, name=f"{MARK} tag")
    conversation.tags.add(tag)
    canned = CannedResponse.objects.create(company=company, name=f"{MARK} canned", body="Hi")
    channel = channel_create(
        company=company,
        kind="long_code_10dlc",
        number=ACME_NUMBER,
        provider="twilio",
        credentials={"account_sid": "AC" + "0" * 32, "auth_token": f"{MARK}-token"},
    )
    template = MessageTemplate.objects.create(
        company=company, campaign=campaign, name=f"{MARK} template", body=f"{MARK} body"
    )
    return {
        "template": template,
        "channel": channel,
        "profile": profile,
        "campaign": campaign,
        "path": path,
        "subscription": subscription,
        "group": group,
        "field": field,
        "note": note,
        "message": message,
        "broadcast": broadcast,
        "export": export,
        "analysis": analysis,
        "bulk": bulk,
        "conversation": conversation,
        "tag": tag,
        "canned": canned,
    }


LIST_PAGES = [
    "home",
    "profiles:list",
    "profiles:custom_fields",
    "accounts:users",
    "accounts:api_tokens",
    "accounts:company_settings",
    "campaigns:list",
    "campaigns:broadcast_list",
    "campaigns:group_list",
    "inbox:index",
    "inbox:messages",
    "inbox:canned_responses",
    "inbox:bulk_opt_out",
    "inbox:opt_out_review",
    "inbox:revocation_report",
    "reports:index",
    "reports:analysis_list",
    "messaging:channels",
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_show_another_company_nothing(client_as, eve, acme, name):
    response = client_as(eve).get(reverse(name))
    assert response.status_code == 200
    assert MARK not in response.content.decode()
    assert acme["profile"].phone_number not in response.content.decode()
    assert ACME_NUMBER not in response.content.decode()


def test_a_search_for_another_companys_profile_finds_nothing(client_as, eve, acme):
    response = client_as(eve).get(reverse("profiles:list"), {"q": MARK})
    page = response.content.decode()
    assert "Zebulon" not in page
    assert acme["profile"].email not in page


def object_pages(acme):
    p, c, s = acme["profile"], acme["campaign"], acme["subscription"]
    return [
        ("profiles:detail", [p.pk]),
        ("profiles:edit", [p.pk]),
        ("profiles:erase", [p.pk]),
        ("profiles:subscription_history", [p.pk, c.pk]),
        ("profiles:campaign_profiles", [c.pk]),
        ("profiles:broadcast_profiles", [acme["broadcast"].pk]),
        ("profiles:opt_in_path_profiles", [acme["path"].pk]),
        ("campaigns:detail", [c.pk]),
        ("campaigns:edit", [c.pk]),
        ("campaigns:broadcast_create", [c.pk]),
        ("campaigns:broadcast_detail", [acme["broadcast"].pk]),
        ("campaigns:broadcast_edit", [acme["broadcast"].pk]),
        ("campaigns:broadcast_confirm", [acme["broadcast"].pk, "send-now"]),
        ("campaigns:broadcast_confirm", [acme["broadcast"].pk, "cancel"]),
        ("campaigns:broadcast_confirm", [acme["broadcast"].pk, "delete"]),
        ("campaigns:group_detail", [acme["group"].pk]),
        ("campaigns:message_template_create", [c.pk]),
        ("campaigns:message_template_edit", [c.pk, acme["template"].pk]),
        ("inbox:chat", [p.pk]),
        ("inbox:chat_messages", [p.pk]),
        ("inbox:respond", [acme["message"].pk]),
        ("inbox:bulk_opt_out_detail", [acme["bulk"].pk]),
        ("inbox:bulk_opt_out_confirm", [acme["bulk"].pk]),
        ("inbox:canned_edit", [acme["canned"].pk]),
        ("reports:export_status", [acme["export"].pk]),
        ("reports:export_download", [acme["export"].pk]),
        ("reports:analysis_detail", [acme["analysis"].pk]),
        ("messaging:channel_edit", [acme["channel"].pk]),
    ], [
        ("profiles:note_delete", [p.pk, acme["note"].pk]),
        ("reports:messages_export", [p.pk]),
        ("profiles:custom_field_edit", [acme["field"].pk]),
        ("profiles:subscription_opt_out", [p.pk, s.pk]),
        ("profiles:flag", [p.pk, "blacklist"]),
        ("campaigns:end", [c.pk]),
        ("campaigns:broadcast_state", [acme["broadcast"].pk, "send-now"]),
        ("campaigns:broadcast_state", [acme["broadcast"].pk, "cancel"]),
        ("campaigns:broadcast_state", [acme["broadcast"].pk, "delete"]),
        ("campaigns:broadcast_test", [acme["broadcast"].pk]),
        ("campaigns:compose_test", [c.pk]),
        ("campaigns:compose_preview", [c.pk]),
        ("campaigns:message_template_delete", [c.pk, acme["template"].pk]),
        ("inbox:bulk_opt_out_confirm", [acme["bulk"].pk]),
        ("campaigns:group_delete", [acme["group"].pk]),
        ("inbox:opt_out", [acme["message"].pk]),
        ("inbox:chat_send", [p.pk]),
        ("inbox:chat_presence", [p.pk]),
        ("inbox:conversation_claim", [acme["conversation"].pk]),
        ("inbox:conversation_release", [acme["conversation"].pk]),
        ("inbox:conversation_take_over", [acme["conversation"].pk]),
        ("inbox:conversation_assign", [acme["conversation"].pk]),
        ("inbox:conversation_close", [acme["conversation"].pk]),
        ("inbox:conversation_tag_add", [acme["conversation"].pk]),
        ("inbox:conversation_tag_remove", [acme["conversation"].pk, acme["tag"].pk]),
        ("inbox:conversation_note_add", [acme["conversation"].pk]),
        ("inbox:canned_edit", [acme["canned"].pk]),
        ("inbox:canned_delete", [acme["canned"].pk]),
        ("reports:analysis_run", [acme["analysis"].pk]),
        ("reports:analysis_delete", [acme["analysis"].pk]),
        ("messaging:channel_edit", [acme["channel"].pk]),
        ("messaging:channel_deactivate", [acme["channel"].pk]),
        ("messaging:channel_test", [acme["channel"].pk]),
    ]


def test_every_page_of_another_companys_object_is_not_found(client_as, eve, acme):
    reads, writes = object_pages(acme)
    client = client_as(eve)
    for name, args in reads:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404, name
        assert MARK not in response.content.decode(), name
    for name, args in writes:
        response = client.post(reverse(name, args=args), {"body": "x", "confirm": "1"})
        assert response.status_code == 404, name


def test_nothing_of_acme_changed_after_eves_attempts(client_as, eve, acme):
    test_every_page_of_another_companys_object_is_not_found(client_as, eve, acme)
    profile, subscription = acme["profile"], acme["subscription"]
    profile.refresh_from_db()
    subscription.refresh_from_db()
    assert not profile.blacklisted
    assert subscription.status == "Active"
    assert Note.objects.filter(pk=acme["note"].pk).exists()
    assert Group.objects.filter(pk=acme["group"].pk).exists()
    assert MessageTemplate.objects.filter(pk=acme["template"].pk).exists()
    assert not Message.objects.filter(direction="mt", profile=profile).exists()
    conversation = InboxConversation.objects.get(pk=acme["conversation"].pk)
    assert (conversation.state, conversation.assignee_id) == ("needs_reply", None)
    assert list(conversation.tags.all()) == [acme["tag"]]
    assert not conversation.notes.exists()
    assert CannedResponse.objects.filter(pk=acme["canned"].pk).exists()
    channel = acme["channel"]
    channel.refresh_from_db()
    assert channel.active and channel.number == ACME_NUMBER
    broadcast = acme["broadcast"]
    broadcast.refresh_from_db()  # neither sent, canceled nor deleted
    assert broadcast.status == "draft"
    assert not Message.objects.filter(company=profile.company, direction="mt").exists()


# The Django admin is for superusers only (config.admin_site): its pages are not scoped
# by company, so every one of them, for every registered model, refuses another
# company's Admin and each lower role, including a user older versions made staff.

ADMIN_ROLES = ["admin", "agent", "analyst", "staff", "stray-staff"]
HOSTILE_POST = {
    "name": "Renamed",
    "first_name": "Hacked",
    "phone_number": "+12025550000",
    "role": "admin",
    "post": "yes",  # confirms a delete
}


@pytest.fixture
def acme_for_admin(acme, company, alice):
    Tag.objects.create(company=company, name=f"{MARK} tag")
    CrmSync.objects.create(company=company, name=f"{MARK} sync")
    return acme


@pytest.fixture(params=ADMIN_ROLES)
def outsider(request, other_company, eve):
    if request.param == "admin":
        return eve
    if request.param == "stray-staff":  # as older versions made company Admins
        group, _ = RoleGroup.objects.get_or_create(name="Admin")
        group.permissions.set(Permission.objects.all())
        eve.groups.add(group)
        eve.is_staff = True
        eve.save(update_fields=["is_staff"])
        return eve
    return make_user(f"other-{request.param}", company=other_company, role=request.param)


def _acme_object(model, company, alice):
    if model is Company:
        return company
    if model is get_user_model():
        return alice
    names = {f.name for f in model._meta.get_fields()}
    for path in ("company", "profile__company", "group__company", "analysis__company"):
        if path.split("__")[0] in names:
            return model._base_manager.filter(**{path: company}).order_by("pk").first()
    return model._base_manager.order_by("pk").first()  # platform data (legislators, beat)


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


def admin_walk(company, alice, actor=None):
    """(model label, method, url, data) for every page of every registered admin model."""
    for model, _ in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        label = model._meta.label
        yield label, "get", reverse(f"admin:{info}_changelist"), {}
        yield label, "get", reverse(f"admin:{info}_add"), {}
        hostile = {**HOSTILE_POST, "company": company.pk, "user": getattr(actor, "pk", "")}
        yield label, "post", reverse(f"admin:{info}_add"), hostile
        for extra in ("export", "import"):
            if url := _admin_url(f"{info}_{extra}"):
                yield label, "get", url, {}
                yield label, "post", url, {"format": "0", "resource": "0"}
        obj = _acme_object(model, company, alice)
        if obj is None:
            continue
        yield (
            label,
            "post",
            reverse(f"admin:{info}_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [obj.pk],
                "post": "yes",
            },
        )
        for page in ("change", "delete", "history"):
            url = reverse(f"admin:{info}_{page}", args=[obj.pk])
            yield label, "get", url, {}
            yield label, "post", url, hostile


def _every_admin_row():
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in admin.site._registry
    }


def test_every_admin_page_refuses_another_company_and_changes_nothing(
    client_as, outsider, acme_for_admin, company, alice
):
    client = client_as(outsider)  # signs in first: last_login is not part of the check
    before = _every_admin_row()
    walked: set[str] = set()
    for label, method, url, data in admin_walk(company, alice, outsider):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (label, method, url)
        assert response["Location"].startswith(reverse("admin:login")), (label, url)
        assert MARK not in response.content.decode(), (label, url)
        if "/change/" in url:
            walked.add(label)
    # The walk reached Acme's own objects, not only empty lists.
    assert {"profiles.Profile", "accounts.Membership", "campaigns.Tag"} <= walked
    assert {"campaigns.Campaign", "messaging.Message", "reports.Export"} <= walked
    login = client.get(reverse("admin:index"), follow=True).content.decode()
    assert MARK not in login and acme_for_admin["profile"].phone_number not in login
    assert _every_admin_row() == before
    assert not outsider.memberships.filter(company=company).exists()


def test_the_admin_walk_reaches_real_pages_for_an_operator(
    client_as, acme_for_admin, company, alice
):
    operator = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    client = client_as(operator)
    for label, method, url, _ in admin_walk(company, alice):
        if method != "get" or "/import/" in url:
            continue
        # Interaction history is never deleted (HistoryAdmin, profiles) and sign-in
        # attempts are only written by the throttle (axes' read-only admin): 403 by design.
        refused_by_design = url.endswith("/delete/") or (
            label.startswith("axes.") and url.endswith("/add/")
        )
        expected = {200, 403} if refused_by_design else {200}
        assert client.get(url).status_code in expected, (label, url)


# --- Private files: exports, uploaded lists and results, console outboxes ------------
# Each is handed out only by a view that checks company and role; /media/ serves none
# of them, with DEBUG on too.

LOWER_ROLES = ["bob", "dana", "charlie"]  # Agent, Analyst, Staff


@pytest.fixture
def acme_files(company, alice):
    files = make_private_files(company, owner=alice, mark=MARK)
    outbox = console_outbox_path(company_id=company.pk)
    outbox.parent.mkdir(parents=True, exist_ok=True)
    outbox.write_text(f'{{"body": "{MARK} outbox"}}\n')
    yield files
    outbox.unlink(missing_ok=True)


def test_every_private_file_download_is_not_found_for_another_companys_admin(
    client_as, eve, acme_files
):
    client = client_as(eve)
    for file in acme_files:
        response = client.get(file.url)
        assert response.status_code == 404, file.what
        assert MARK.encode() not in body_of(response), file.what


@pytest.mark.parametrize("who", LOWER_ROLES)
def test_every_private_file_download_is_refused_to_each_lower_role(
    client_as, request, who, acme_files
):
    client = client_as(request.getfixturevalue(who))
    for file in acme_files:  # the export is alice's: no lower role owns it
        response = client.get(file.url)
        assert response.status_code == 403, (who, file.what)
        assert MARK.encode() not in body_of(response), (who, file.what)


@pytest.mark.parametrize("who", ["eve", *LOWER_ROLES, "alice"])
def test_no_media_path_of_a_private_file_is_served_with_debug_on(
    client_as, request, who, company, acme_files
):
    client = client_as(request.getfixturevalue(who))
    names = [file.name for file in acme_files]
    names += [f"outbox/{company.pk}.log", "sms-outbox.log"]
    with debug_urlconf():
        for name in names:
            response = client.get(f"/media/{name}")
            assert response.status_code == 404, (who, name)
            assert MARK.encode() not in body_of(response), (who, name)


def test_a_group_saved_from_a_search_holds_only_the_savers_own_companys_profiles(
    client_as, eve, acme, other_company
):
    from campaigns.selectors import group_members
    from profiles.selectors import profile_list

    mine = make_profile(other_company, first_name="Zora", last_name=MARK)
    response = client_as(eve).post(
        reverse("campaigns:group_create"),
        {"kind": Group.Kind.FILTERED, "query": f"q={MARK}", "name": "Eve's search"},
    )
    assert response.status_code == 302, response.context["form"].errors
    group = Group.objects.get(name="Eve's search")
    assert group.company == other_company
    assert list(group_members(group=group)) == [mine]
    assert acme["profile"] not in profile_list(company=group.company, params={"q": MARK})
