"""Links from outside are stored only when they are http(s), and rendered only when safe."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from core.safe_urls import UnsafeUrlError, external_url_clean, external_url_is_safe
from profiles.legislators import legislators_load
from profiles.models import Legislator
from profiles.services import ProfileActionError, profile_update
from tests.api_client import api_post, error_of
from tests.factories import make_profile
from tests.profiles.detail_builders import make_message

# Every way a browser can be made to run or load something other than a web page.
UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    " data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://files.example.com/a.png",
    "//evil.example/a.png",
    "/media/a.png",
    "https:evil.example/a.png",
    "https:\\\\evil.example/a.png",
    "https://user:secret@carrier.example/a.png",
    "https://carrier.example/a b.png",
    "https://carrier.example/a.png ",
    "https://",
    "https://carrier.example:port/a.png",
    "https://carrier.example/" + "a" * 2100,
]
SAFE_URLS = [
    "https://mms.carrier.example/media/abc123.jpg",
    "http://mms.carrier.example/m?id=42&sig=x%20y",
    "HTTPS://MMS.CARRIER.EXAMPLE/A.JPG",
    "https://[2001:db8::1]:8443/a.png",
]


@pytest.mark.parametrize("value", UNSAFE_URLS)
def test_the_url_rule_refuses_every_non_http_or_malformed_link(value):
    with pytest.raises(UnsafeUrlError):
        external_url_clean(value)
    assert not external_url_is_safe(value)


@pytest.mark.parametrize("value", SAFE_URLS)
def test_the_url_rule_keeps_http_and_https_links_exactly_as_given(value):
    assert external_url_clean(value) == value
    assert external_url_is_safe(value)


def test_the_url_rule_says_why_a_link_is_refused():
    with pytest.raises(UnsafeUrlError, match="must start with http:// or https://"):
        external_url_clean("javascript:alert(1)")
    with pytest.raises(UnsafeUrlError, match="longer than 200 characters"):
        external_url_clean("https://a.example/" + "x" * 200, max_length=200)
    assert external_url_clean("") == ""


@pytest.mark.parametrize("value", UNSAFE_URLS)
def test_the_render_filters_print_nothing_for_an_unsafe_value(value):
    html = Template(
        "{% load safe_urls %}[{{ value|safe_external_url }}][{{ value|safe_url }}]"
    ).render(Context({"value": value}))
    site_path = value.startswith("/") and not value.startswith("//")
    assert html == ("[][/media/a.png]" if site_path else "[][]")


def test_the_site_filter_accepts_a_stored_file_path_but_not_a_protocol_relative_one():
    template = Template("{% load safe_urls %}{{ value|safe_url }}")
    assert template.render(Context({"value": "/media/a.png"})) == "/media/a.png"
    assert template.render(Context({"value": "//evil.example/a.png"})) == ""
    assert template.render(Context({"value": "/\\evil.example/a.png"})) == ""


def test_the_image_filter_keeps_only_https_and_site_paths_for_img_src():
    template = Template("{% load safe_urls %}[{{ value|safe_image_url }}]")
    render = lambda value: template.render(Context({"value": value}))  # noqa: E731  # a one-line helper reads better inline
    assert render("https://a.example/p.jpg") == "[https://a.example/p.jpg]"
    assert render("/media/attachments/p.jpg") == "[/media/attachments/p.jpg]"
    assert render("http://a.example/p.jpg") == "[]"
    assert render("javascript:alert(1)") == "[]"


@pytest.mark.django_db
def test_an_old_stored_javascript_media_url_renders_inert_on_the_messages_tab(
    client_as, bob, company
):
    profile = make_profile(company, "+12025550170")
    # Written straight to the table, as rows stored before the rule existed were.
    make_message(profile, direction="mo", body="see pic", media_url="javascript:alert(1)")
    make_message(profile, direction="mo", body="good pic", media_url=SAFE_URLS[0])
    url = reverse("profiles:detail", args=[profile.pk])
    html = client_as(bob).get(url, {"tab": "messages"}).content.decode()
    assert "see pic" in html
    assert "javascript:" not in html.lower()
    assert "(unsafe link hidden)" in html
    assert f'<img class="media-thumb" src="{SAFE_URLS[0]}"' in html
    make_message(profile, direction="mo", body="http pic", media_url="http://a.example/p.jpg")
    html = client_as(bob).get(url, {"tab": "messages"}).content.decode()
    assert '<a href="http://a.example/p.jpg" rel="noopener noreferrer">Media</a>' in html


@pytest.mark.django_db
def test_an_old_stored_javascript_avatar_renders_as_initials(client_as, bob, company):
    profile = make_profile(company, "+12025550171", first_name="Ana", last_name="Ruiz")
    type(profile).objects.filter(pk=profile.pk).update(avatar_url="javascript:alert(1)")
    html = client_as(bob).get(reverse("profiles:detail", args=[profile.pk])).content.decode()
    assert "javascript:" not in html.lower()
    assert '<div class="avatar" aria-hidden="true">AR</div>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:,x"])
def test_an_avatar_link_with_a_script_scheme_is_refused_with_a_field_error(
    client_as, bob, company, value
):
    profile = make_profile(company, "+12025550172", first_name="Ana")
    url = reverse("profiles:edit", args=[profile.pk])
    response = client_as(bob).post(url, {"first_name": "Ana", "avatar_url": value})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["avatar_url"] == ["The link must start with http:// or https://."]
    profile.refresh_from_db()
    assert profile.avatar_url == ""


@pytest.mark.django_db
def test_an_avatar_link_without_a_scheme_is_read_as_https(client_as, bob, company):
    profile = make_profile(company, "+12025550173", first_name="Ana")
    url = reverse("profiles:edit", args=[profile.pk])
    client_as(bob).post(url, {"first_name": "Ana", "avatar_url": "img.example/ana.png"})
    profile.refresh_from_db()
    assert profile.avatar_url == "https://img.example/ana.png"


@pytest.mark.django_db
def test_the_profile_update_service_refuses_a_javascript_avatar_from_any_caller(bob, company):
    profile = make_profile(company, "+12025550174")
    with pytest.raises(ProfileActionError, match="Avatar link: The link must start with http"):
        profile_update(profile=profile, actor=bob, data={"avatar_url": "javascript:alert(1)"})
    profile.refresh_from_db()
    assert profile.avatar_url == ""


@pytest.mark.django_db
def test_the_api_cannot_set_an_avatar_link_through_update_attribute(alice, company):
    profile = make_profile(company, "+12025551234")
    data = {
        "phone_number": "12025551234",
        "attribute": "avatar_url",
        "attribute_value": "javascript:alert(1)",
        "save_behavior": "always_create",
    }
    response = api_post(alice, "profile_update_attribute", data)
    assert response.status_code == 400 and error_of(response)[0] == 30
    profile.refresh_from_db()
    assert profile.avatar_url == ""


@pytest.mark.django_db
def test_a_legislator_file_with_a_javascript_website_loads_without_the_link(tmp_path):
    path = tmp_path / "legislators.yaml"
    path.write_text(
        "- id: {bioguide: X000001}\n"
        "  name: {first: Ada, last: Byron}\n"
        "  terms:\n"
        "    - {type: sen, state: NY, party: Independent, class: 1,"
        " url: 'javascript:alert(1)', start: '2025-01-03', end: '2031-01-03'}\n"
        "- id: {bioguide: X000002}\n"
        "  name: {first: Bo, last: Lee}\n"
        "  terms:\n"
        "    - {type: sen, state: NY, party: Independent, class: 2,"
        " url: 'https://lee.senate.example', start: '2025-01-03', end: '2031-01-03'}\n"
    )
    legislators_load(path=path)
    assert dict(Legislator.objects.values_list("last_name", "url")) == {
        "Byron": "",
        "Lee": "https://lee.senate.example",
    }
