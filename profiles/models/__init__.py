from .activity import ActivityEvent, Note
from .groups import Group, GroupMembership
from .legislators import Legislator
from .profiles import (
    CleanedReason,
    CrmSync,
    CustomField,
    CustomFieldType,
    CustomFieldValue,
    Gender,
    OptOutSource,
    Profile,
    ProfileState,
    ProfileStatus,
    SourceType,
    Suppression,
)

__all__ = [
    "ActivityEvent",
    "CleanedReason",
    "CrmSync",
    "CustomField",
    "CustomFieldType",
    "CustomFieldValue",
    "Gender",
    "Group",
    "GroupMembership",
    "Legislator",
    "Note",
    "OptOutSource",
    "Profile",
    "ProfileState",
    "ProfileStatus",
    "SourceType",
    "Suppression",
]
