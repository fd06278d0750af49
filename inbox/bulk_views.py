"""Manual bulk opt-out pages (Admins): the form, progress and results."""

import csv
import io
from itertools import islice
from pathlib import PurePath
from typing import cast

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts.tenancy import CompanyRequest, Perm, require_perm
from campaigns.models import Campaign
from core.csv_safe import FORMULA_PREFIXES
from core.phone_csv import NOT_CSV, CsvError, parse_phone_csv
from core.private_files import private_file_response
from core.text_rules import TextRulesFormMixin

from .bulk import bulk_opt_out_queue
from .models import BulkOptOut

ACCEPTED_EXTENSIONS = {".csv", ".txt"}
PASTE_PLACEHOLDER = "phone\n"


class BulkOptOutForm(TextRulesFormMixin, forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(),
        required=False,
        label="Opt-out users from",
    )
    file = forms.FileField(required=False, label="CSV file")
    numbers = forms.CharField(
        required=False,
        label="Or paste phone numbers",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        initial=PASTE_PLACEHOLDER,
    )

    def __init__(self, *args, company, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        field = cast(forms.ModelChoiceField, self.fields["campaign"])
        field.queryset = Campaign.objects.for_company(company)
        field.empty_label = f"{company.name} (all campaigns)"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(
                f"The file is larger than {limit} MB. Split it and upload the parts."
            )
        if PurePath(upload.name).suffix.lower() not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(NOT_CSV)
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        pasted = (data.get("numbers") or "").strip()
        has_paste = pasted and pasted.lower() != "phone"
        if self.errors:
            return data
        if upload and has_paste:
            raise forms.ValidationError("Upload a file or paste numbers, not both.")
        if not upload and not has_paste:
            raise forms.ValidationError("Upload a CSV file or paste at least one phone number.")
        if upload:
            content = upload.read()
            upload.seek(0)
        else:
            content = pasted.encode("utf-8")
        try:
            # Reading the first row now reports a wrong file at once, not in the results.
            list(islice(parse_phone_csv(content, normalize=False), 1))
        except CsvError as exc:
            raise forms.ValidationError(str(exc)) from exc
        data["content"] = content
        data["source_name"] = upload.name if upload else "Pasted numbers"
        return data


@require_perm(Perm.MANAGE)
def bulk_opt_out(request: CompanyRequest) -> HttpResponse:
    company = request.company
    form = BulkOptOutForm(request.POST or None, request.FILES or None, company=company)
    if request.method == "POST" and form.is_valid():
        # Stored, not run: the next page asks with the count and the scope first.
        bulk = BulkOptOut(
            company=company,
            campaign=form.cleaned_data["campaign"],
            source_name=form.cleaned_data["source_name"][:200],
            uploaded_by=request.user,
            status=BulkOptOut.Status.CONFIRMING,
        )
        bulk.source_file.save("opt-out.csv", ContentFile(form.cleaned_data["content"]), save=False)
        bulk.save()
        return redirect("inbox:bulk_opt_out_confirm", pk=bulk.pk)
    recent = BulkOptOut.objects.for_company(company).select_related("campaign", "uploaded_by")[:10]
    return render(request, "inbox/bulk_opt_out.html", {"form": form, "recent": recent})


def _numbers_in(bulk: BulkOptOut) -> int:
    """How many numbers the list names (a number written twice counts once)."""
    with bulk.source_file.open("rb") as handle:
        rows = parse_phone_csv(handle.read(), normalize=False)
        return sum(1 for row in rows if row.duplicate_of is None)


@require_perm(Perm.MANAGE)
def bulk_opt_out_confirm(request: CompanyRequest, pk: int) -> HttpResponse:
    """ "Opt 212 numbers out of all campaigns of Demo Action Network?", then run it."""
    company = request.company
    bulk = get_object_or_404(
        BulkOptOut.objects.for_company(company).select_related("campaign"), pk=pk
    )
    if bulk.status != BulkOptOut.Status.CONFIRMING:
        return redirect("inbox:bulk_opt_out_detail", pk=bulk.pk)
    if request.method == "POST" and request.POST.get("discard"):
        bulk.source_file.delete(save=False)
        bulk.delete()
        return redirect("inbox:bulk_opt_out")
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        with transaction.atomic():
            # One confirmation queues the list once, however often the button is pressed.
            started = BulkOptOut.objects.filter(
                pk=bulk.pk, status=BulkOptOut.Status.CONFIRMING
            ).update(status=BulkOptOut.Status.PENDING)
            if started:
                bulk_opt_out_queue(bulk)
        return redirect("inbox:bulk_opt_out_detail", pk=bulk.pk)
    try:
        count = _numbers_in(bulk)
    except CsvError as exc:  # checked on upload; kept for a file changed since
        return render(request, "inbox/bulk_opt_out_confirm.html", {"bulk": bulk, "error": exc})
    scope = bulk.campaign.name if bulk.campaign else f"all campaigns of {company.name}"
    ctx = {"bulk": bulk, "count": count, "scope": scope, "company": company}
    return render(request, "inbox/bulk_opt_out_confirm.html", ctx)


def _results_preview(bulk: BulkOptOut, limit: int = 100) -> list[list[str]]:
    """The rows that need attention (not opted out), for reading on the page."""
    if not bulk.results_file:
        return []
    with bulk.results_file.open("rb") as handle:
        reader = csv.reader(io.StringIO(handle.read().decode("utf-8-sig")))
        next(reader, None)
        rows = islice((row for row in reader if row[3] != "opted out"), limit)
        # The file's cells carry the spreadsheet-safety apostrophe; the page needs none.
        return [[_unescape(cell) for cell in row] for row in rows]


def _unescape(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_PREFIXES else cell


@require_GET
@require_perm(Perm.MANAGE)
def bulk_opt_out_detail(request: CompanyRequest, pk: int) -> HttpResponse:
    company = request.company
    bulk = get_object_or_404(
        BulkOptOut.objects.for_company(company).select_related("campaign"), pk=pk
    )
    if bulk.status == BulkOptOut.Status.CONFIRMING:
        return redirect("inbox:bulk_opt_out_confirm", pk=bulk.pk)
    context = {"bulk": bulk, "preview": _results_preview(bulk) if bulk.status == "done" else []}
    if request.htmx:
        return render(request, "inbox/_bulk_status.html", context)
    return render(request, "inbox/bulk_opt_out_detail.html", context)


@require_GET
@require_perm(Perm.MANAGE)
def bulk_opt_out_results(request: CompanyRequest, pk: int) -> FileResponse:
    company = request.company
    bulk = get_object_or_404(BulkOptOut.objects.for_company(company), pk=pk)
    if not bulk.results_file:
        raise Http404("The results are not ready yet.")
    return private_file_response(bulk.results_file, filename=f"opt-out-results-{bulk.pk}.csv")


@require_GET
@require_perm(Perm.MANAGE)
def bulk_opt_out_source(request: CompanyRequest, pk: int) -> FileResponse:
    """The list as it was uploaded or pasted (Admins only, like the opt-out itself)."""
    company = request.company
    bulk = get_object_or_404(BulkOptOut.objects.for_company(company), pk=pk)
    if not bulk.source_file:
        raise Http404("This opt-out has no stored list.")
    return private_file_response(bulk.source_file, filename=f"opt-out-list-{bulk.pk}.csv")
