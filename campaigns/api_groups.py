"""Group endpoints of the XML API (seed 004).

List Groups, List Group Members, Create Group, Add Group Member, Remove Group Member.
Groups are profiles' models; listing them and evaluating a filtered group's saved
search are campaigns' reads (campaigns/selectors.py), as on the Groups pages.
"""

from lxml.etree import _Element as Element

from accounts.tenancy import Perm
from api import ApiCall, api_endpoint, not_found, sub, success
from api.xml import fmt_time
from core.errors import ServiceError
from profiles.api import write_error
from profiles.models import Group
from profiles.profile_xml import (
    ProfileParts,
    company_custom_fields,
    profile_element,
    profiles_with_details,
)
from profiles.services_groups import (
    group_create,
    group_members_add_numbers,
    group_members_remove_numbers,
)
from profiles.status import profiles_changed_between

from .selectors import group_list
from .selectors import group_members as members_of


def _group(call: ApiCall) -> Group:
    group_id = call.params.integer("group_id", 6, required=True)
    group = Group.objects.for_company(call.company).filter(pk=group_id).first()
    if group is None:
        raise not_found(6, str(group_id))
    return group


def _group_element(parent: Element, group: Group) -> Element:
    return sub(parent, "group", id=group.pk, type=group.kind, name=group.name)


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def groups(call: ApiCall) -> Element:
    page = call.params.page(default_limit=1000)
    rows = list(page.slice(group_list(company=call.company).order_by("name", "id")))
    root = success()
    container = sub(root, "groups", page=page.number, limit=page.limit, num=len(rows))
    for group in rows:
        element = sub(container, "group", id=group.pk, type=group.kind, status="active")
        sub(element, "name", group.name)
        # A filtered group's size depends on its saved search; counting it here would
        # run every saved search on each call, so only uploaded groups report a size.
        sub(element, "size", group.uploaded_count if group.kind == Group.Kind.UPLOADED else None)
        sub(element, "created_at", fmt_time(group.created_at))
    return root


@api_endpoint(methods=["GET"], perm=Perm.VIEW)
def group_members(call: ApiCall) -> Element:
    group = _group(call)
    page = call.params.page(default_limit=1000)
    since, until = call.params.date_range()
    queryset = profiles_changed_between(members_of(group=group), since=since, until=until)
    parts = ProfileParts.for_company(call.company)
    fields = company_custom_fields(call.company, parts)
    root = success()
    element = _group_element(root, group)
    for member in profiles_with_details(page.slice(queryset), parts):
        profile_element(element, member, custom_fields=fields, parts=parts)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def create_group(call: ApiCall) -> Element:
    name = call.params.required("name", 18)
    try:
        group = group_create(company=call.company, name=name, actor=call.user)
    except ServiceError as error:
        raise write_error(error) from None
    root = success()
    _group_element(root, group)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def add_group_member(call: ApiCall) -> Element:
    group = _group(call)
    numbers = call.params.phone_numbers(strict=False)
    try:
        group_members_add_numbers(group=group, numbers=numbers, actor=call.user)
    except ServiceError as error:
        raise write_error(error) from None
    root = success()
    _group_element(root, group)
    return root


@api_endpoint(methods=["GET", "POST"], perm=Perm.MANAGE)
def remove_group_member(call: ApiCall) -> Element:
    group = _group(call)
    numbers = call.params.phone_numbers()
    try:
        group_members_remove_numbers(group=group, numbers=numbers, actor=call.user)
    except ServiceError as error:
        raise write_error(error) from None
    root = success()
    _group_element(root, group)
    return root
