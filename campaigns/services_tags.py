"""Tag writes the API makes (Add Tag, Remove Tag)."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Company

from .models import Broadcast, Campaign, OptInPath, Tag

_RELATION = {Campaign: "campaigns", Broadcast: "broadcasts", OptInPath: "opt_in_paths"}


@transaction.atomic
def tag_attach(*, company: Company, name: str, targets: Iterable) -> Tag:
    """Tag every target (campaigns, broadcasts, opt-in paths), creating the tag if new."""
    tag, _ = Tag.objects.get_or_create(company=company, name=name.strip()[:100])
    for target in targets:
        if target.company_id != company.pk:
            raise ValueError("a target belongs to another company")
        getattr(tag, _RELATION[type(target)]).add(target)
    return tag


@transaction.atomic
def tag_detach(*, tag: Tag, targets: Iterable) -> Tag:
    for target in targets:
        getattr(tag, _RELATION[type(target)]).remove(target)
    return tag
