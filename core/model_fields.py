"""A model's own fields by name, typed as fields.

`Model._meta.get_field()` may also answer with the reverse side of a relation
(ForeignObjectRel), which has no column, verbose name or max length; code that writes
SQL or messages from a field's attributes asks here instead and fails loudly on a name
that is not one of the model's own fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model


def concrete_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise FieldDoesNotExist(f"{model.__name__}.{name} is a relation's reverse side")
    return field


def column_of(model: type[Model], name: str) -> str:
    """The database column of the model's field `name` ("pk": the primary key's)."""
    field = model._meta.pk if name == "pk" else concrete_field(model, name)
    if field is None or not field.column:
        raise FieldDoesNotExist(f"{model.__name__}.{name} has no column")
    return field.column
