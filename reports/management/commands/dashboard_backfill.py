import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Company
from reports.rollup import dashboard_backfill, history_first_day, local_today


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's daily figures from the messages and subscriptions: "
        "every day since a company's first message (or --since), a week at a time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--company", type=int, action="append", help="company id (repeatable)")
        parser.add_argument("--since", help="first local day, YYYY-MM-DD")
        parser.add_argument("--days", type=int, help="only the last N days")

    def handle(self, *args, **options) -> None:
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(pk__in=options["company"])
            missing = set(options["company"]) - set(companies.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No company with id {', '.join(map(str, sorted(missing)))}.")
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError("--since takes a date like 2026-01-31.") from exc
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days takes a number of days from 1.")
        log = self.stdout.write if options["verbosity"] > 1 else (lambda line: None)
        for company in companies:
            first = since
            if options["days"]:
                first = local_today(company) - dt.timedelta(days=options["days"] - 1)
            first = first or history_first_day(company)
            if first is None:
                self.stdout.write(f"{company.name}: nothing to count yet")
                continue
            result = dashboard_backfill(company=company, first=first, log=log)
            self.stdout.write(f"{company.name}: {result['days']} days from {first}")
