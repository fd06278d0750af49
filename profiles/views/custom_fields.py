"""Settings → Custom fields (Admins): add, rename and retype field definitions."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import CompanyRequest, Perm, require_perm

from ..custom_fields import FORMAT_HINTS
from ..forms import CustomFieldForm
from ..models import CustomField
from ..services import ProfileActionError, custom_field_create, custom_field_update


@require_perm(Perm.MANAGE)
def custom_field_list(request: CompanyRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            field = custom_field_create(company=request.company, **form.cleaned_data)
        except ProfileActionError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"Field “{field.name}” added.")
            return redirect("profiles:custom_fields")
    q = request.GET.get("q", "").strip()
    fields = CustomField.objects.for_company(request.company).annotate(value_count=Count("values"))
    if q:
        fields = fields.filter(name__icontains=q)
    rows = [
        {
            "field": f,
            "form": CustomFieldForm(initial={"name": f.name, "field_type": f.field_type}),
            "hint": FORMAT_HINTS.get(f.field_type, ""),
        }
        for f in fields.order_by("name")
    ]
    return render(
        request,
        "profiles/custom_fields.html",
        {"form": form, "rows": rows, "q": q},
        status=400 if form.errors else 200,
    )


@require_POST
@require_perm(Perm.MANAGE)
def custom_field_edit(request: CompanyRequest, field_id: int) -> HttpResponse:
    field = get_object_or_404(CustomField.objects.for_company(request.company), pk=field_id)
    form = CustomFieldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the field a name and a type.")
        return redirect("profiles:custom_fields")
    old_name, old_type = field.name, field.field_type
    try:
        custom_field_update(field=field, **form.cleaned_data)
    except ProfileActionError as error:
        messages.error(request, f"{old_name}: {error}")
    else:
        changes = []
        if field.name != old_name:
            changes.append(f"renamed to “{field.name}”")
        if field.field_type != old_type:
            changes.append(f"retyped to {field.field_type}")
        messages.success(
            request, f"“{old_name}” {' and '.join(changes)}." if changes else "Nothing changed."
        )
    return redirect("profiles:custom_fields")
