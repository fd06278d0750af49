from .activity import ActivityEvent, Note
from .companies import ApiToken, Company, Membership, Role
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
    "ApiToken",
    "CleanedReason",
    "Company",
    "CrmSync",
    "CustomField",
    "CustomFieldType",
    "CustomFieldValue",
    "Gender",
    "Group",
    "GroupMembership",
    "Legislator",
    "Membership",
    "Note",
    "OptOutSource",
    "Profile",
    "ProfileState",
    "ProfileStatus",
    "Role",
    "SourceType",
    "Suppression",
]
