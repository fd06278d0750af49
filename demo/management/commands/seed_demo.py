from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DemoDataExists, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo companies with N realistic profiles: campaigns, keywords, custom "
        "fields, subscriptions, opt-outs, message history, donations and groups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profiles", type=int, default=2000, help="profiles to create")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if demo profiles exist"
        )
        parser.add_argument("--reset", action="store_true", help="replace the existing demo data")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed (same seed, same people)"
        )

    def handle(self, *args, **options) -> None:
        if options["profiles"] < 1:
            raise CommandError("--profiles must be at least 1.")
        verbose = options["verbosity"] > 1

        def log(line: str) -> None:
            if verbose:
                self.stdout.write(line)

        try:
            result = demo_seed(
                profiles=options["profiles"],
                seed=options["seed"],
                reset=options["reset"],
                if_empty=options["if_empty"],
                log=log,
            )
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] == 0:
            return
        if result.skipped:
            self.stdout.write("Demo data already present: nothing to do.")
            return
        counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {result.seconds:.1f} s: {counts}.")
        )
