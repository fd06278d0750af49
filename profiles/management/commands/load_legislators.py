from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.legislators import LegislatorFileError, legislators_load


class Command(BaseCommand):
    help = (
        "Load legislators from a congress-legislators YAML or CSV file "
        "(e.g. legislators-current.yaml or profiles/data/legislators-sample.yaml)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            result = legislators_load(path=file)
        except (LegislatorFileError, ValueError) as error:
            raise CommandError(f"{file}: {error}") from error
        for line in result.errors:
            self.stderr.write(f"skipped {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.created + result.updated} legislators "
                f"({result.created} new, {result.updated} updated, "
                f"{len(result.errors)} skipped)."
            )
        )
