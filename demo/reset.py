"""Removing the previous demo data before a new seed.

The demo companies themselves stay (with their users' memberships and API tokens), so
sign-ins keep working; everything they own goes. When the demo companies own every
row of the product tables, PostgreSQL empties them with one TRUNCATE, which takes
a second at a million profiles where DELETE would take minutes. Otherwise each table
is cleared with one DELETE scoped to the demo companies, following foreign keys to
the company for tables that have no company column.
"""

from django.apps import apps
from django.db import connection
from django.db.models import Model

from accounts.models import ApiToken, Company, Membership
from core.model_fields import column_of
from profiles.models import Legislator

# Kept across a reset: the companies, who may sign in to them, and public data.
KEPT = (Company, Membership, ApiToken, Legislator)


def _owned_models() -> list[type[Model]]:
    """Every table a company's data lives in, including many-to-many tables, ordered so
    that a table comes before the tables it refers to.

    Found in the app registry rather than in a list of apps, so that a table added to
    any app (or an app added) is cleared with the rest: a forgotten one would keep
    rows that point at deleted demo rows, and the reset would fail at commit.
    """
    models = []
    for model in apps.get_models(include_auto_created=True):
        # Only tables whose rows belong to a company (directly or through a parent).
        if model not in KEPT and model not in models and _scope(model, "0") is not None:
            models.append(model)
    ordered: list[type[Model]] = []
    visiting: set[type[Model]] = set()

    def visit(model: type[Model]) -> None:
        if model in ordered or model in visiting:
            return
        visiting.add(model)
        for other in models:
            refers = any(
                f.is_relation and f.related_model is model for f in other._meta.concrete_fields
            )
            if other is not model and refers:
                visit(other)
        visiting.discard(model)
        ordered.append(model)

    for model in models:
        visit(model)
    return ordered


def _scope(model: type[Model], ids: str, seen: frozenset = frozenset()) -> str | None:
    """A WHERE clause selecting `model`'s rows that belong to the companies `ids`."""
    quote = connection.ops.quote_name
    if model is Company:
        return f"{quote('id')} IN ({ids})"
    # (field, the model it points to); the related model is read once so that it stays
    # narrowed to a model ("self" is already resolved here, and only relations have one).
    fks = [
        (f, f.related_model)
        for f in model._meta.concrete_fields
        if f.is_relation and isinstance(f.related_model, type) and f.related_model not in seen
    ]
    for field, related in fks:
        if related is Company:
            return f"{quote(column_of(model, field.name))} IN ({ids})"
    # Prefer required foreign keys: a row hangs off its parent through them.
    for field, parent in sorted(fks, key=lambda fk: fk[0].null):
        if parent is model:
            continue
        inner = _scope(parent, ids, seen | {model})
        if inner is not None:
            table, pk = quote(parent._meta.db_table), quote(column_of(parent, "pk"))
            # Names come from the models, ids are integers: nothing user-typed.
            return (
                f"{quote(column_of(model, field.name))} IN (SELECT {pk} FROM {table} WHERE {inner})"  # noqa: S608  # names from the models, ids are integers
            )
    return None


def _only_demo_data(company_ids: list[int]) -> bool:
    for model in _owned_models():
        company = next(
            (
                f
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is Company
            ),
            None,
        )
        if company is not None:
            others = model._base_manager.exclude(**{f"{company.name}__in": company_ids})
            if others.exists():
                return False
    return True


def demo_reset(companies: list[Company]) -> str:
    """Delete everything the given companies own; returns how it was done."""
    if not companies:
        return "nothing to remove"
    ids = [c.pk for c in companies]
    models = _owned_models()
    with connection.cursor() as cursor:
        if _only_demo_data(ids):
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
            # Rows written earlier in this transaction may hold deferred foreign-key
            # checks, which TRUNCATE refuses to skip: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"TRUNCATE {tables} CASCADE")
            return "truncated"
        id_list = ", ".join(str(int(i)) for i in ids)
        # Dependants first: their scope is found through the rows they refer to.
        for model in models:
            where = _scope(model, id_list)
            if where is None:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {where}")  # noqa: S608 (see _scope)
    return "deleted"
