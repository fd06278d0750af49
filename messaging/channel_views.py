"""Settings → Sending numbers (Admins): list, add, edit and retire a company's numbers,
see the webhook URLs to paste into the provider's console, and send a test message.

Credentials are write-only: no page ever renders a stored value (the form's password
inputs render none, and templates get the channel, whose credentials stay encrypted).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm
from core.phones import phone_normalize
from profiles.creation import profile_get_or_create
from profiles.models import SourceType
from profiles.services import ProfileActionError

from .channel_forms import ChannelForm, TestMessageForm
from .channels import (
    ChannelError,
    channel_create,
    channel_deactivate,
    channel_update,
    channel_webhook_urls,
)
from .models import Channel, Message
from .services import SendError, message_send

TEST_SOURCE = "Test message from Settings → Sending numbers"


def _base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")


def _channel(request: CompanyRequest, pk: int) -> Channel:
    return get_object_or_404(Channel.objects.for_company(request.company), pk=pk)


@require_perm(Perm.MANAGE)
def channel_list(request: CompanyRequest) -> HttpResponse:
    base = _base_url(request)
    channels = Channel.objects.for_company(request.company).prefetch_related("campaigns")
    rows = [
        {"channel": c, "urls": channel_webhook_urls(channel=c, base_url=base)} for c in channels
    ]
    ctx = {"rows": rows, "providers": Channel.Provider.choices}
    return render(request, "messaging/channels.html", ctx)


@require_perm(Perm.MANAGE)
def channel_add(request: CompanyRequest, provider: str) -> HttpResponse:
    if provider not in Channel.Provider.values:
        raise Http404("No such provider")
    form = ChannelForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            channel = channel_create(
                company=request.company,
                kind=form.cleaned_data["kind"],
                number=form.cleaned_data["number"],
                provider=provider,
                credentials=form.credentials(),
                mps=form.cleaned_data["mps"],
            )
        except ChannelError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{channel.number} added. Paste its webhook URLs into the console."
            )
            return redirect("messaging:channel_edit", pk=channel.pk)
    ctx = {"form": form, "channel": None, "provider_label": Channel.Provider(provider).label}
    return render(request, "messaging/channel_form.html", ctx, status=400 if form.errors else 200)


def _edit_context(request: HttpRequest, channel: Channel, form: ChannelForm, **extra) -> dict:
    return {
        "form": form,
        "channel": channel,
        "provider_label": channel.get_provider_display(),
        "urls": channel_webhook_urls(channel=channel, base_url=_base_url(request)),
        "test_form": extra.pop("test_form", None) or TestMessageForm(),
        **extra,
    }


@require_perm(Perm.MANAGE)
def channel_edit(request: CompanyRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    initial = {"kind": channel.kind, "number": channel.number, "mps": channel.mps}
    form = ChannelForm(
        request.POST or None,
        initial=initial,
        provider=channel.provider,
        saved=bool(channel.credentials_encrypted),
    )
    if request.method == "POST" and form.is_valid():
        try:
            channel_update(
                channel=channel,
                kind=form.cleaned_data["kind"],
                number=form.cleaned_data["number"],
                mps=form.cleaned_data["mps"],
                credentials=form.credentials(),
            )
        except ChannelError as exc:
            form.add_error(None, str(exc))
            channel.refresh_from_db()
        else:
            messages.success(request, f"{channel.number} saved.")
            return redirect("messaging:channel_edit", pk=channel.pk)
    ctx = _edit_context(request, channel, form)
    return render(request, "messaging/channel_form.html", ctx, status=400 if form.errors else 200)


@require_POST
@require_perm(Perm.MANAGE)
def channel_deactivate_view(request: CompanyRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    channel_deactivate(channel=channel)
    messages.success(request, f"{channel.number} deactivated: its webhooks are refused now.")
    return redirect("messaging:channels")


def _test_send(request: CompanyRequest, channel: Channel, form: TestMessageForm) -> Message:
    """The test text, through the one send function and its compliance rule."""
    phone = phone_normalize(form.cleaned_data["phone"])
    if not phone.valid or not phone.e164:
        raise SendError(f"{form.cleaned_data['phone']!r} is not a phone number.")
    # The one creation rule (suppression check, first-seen source, created event).
    profile, _ = profile_get_or_create(
        company=request.company,
        phone=phone,
        source_type=SourceType.UNKNOWN,
        source_name=TEST_SOURCE,
        by=request.user,
        origin="channels",
        description=f"Created by a test text from {channel.number}",
    )
    return message_send(
        company=request.company,
        profile=profile,
        body=form.cleaned_data["body"],
        originator=channel.number,
        sent_by=request.user,
    )


@require_POST
@require_perm(Perm.MANAGE)
def channel_test(request: CompanyRequest, pk: int) -> HttpResponse:
    channel = _channel(request, pk)
    test_form = TestMessageForm(request.POST)
    result: Message | None = None
    if test_form.is_valid():
        if not channel.active:
            test_form.add_error(None, "The number is deactivated.")
        else:
            try:
                result = _test_send(request, channel, test_form)
            except (SendError, ProfileActionError) as exc:
                test_form.add_error(None, str(exc))
            else:
                result.refresh_from_db()
    form = ChannelForm(
        initial={"kind": channel.kind, "number": channel.number, "mps": channel.mps},
        provider=channel.provider,
        saved=bool(channel.credentials_encrypted),
    )
    ctx = _edit_context(request, channel, form, test_form=test_form, test_result=result)
    status = 400 if test_form.errors else 200
    return render(request, "messaging/channel_form.html", ctx, status=status)
