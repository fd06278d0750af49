"""`make run` and `make test` on a machine with no PostgreSQL: bin/with_postgres.py."""

import os
import subprocess
import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import os, dj_database_url, psycopg
db = dj_database_url.parse(os.environ["DATABASE_URL"])
with psycopg.connect(dbname=db["NAME"], host=db["HOST"], user=db["USER"]) as conn:
    print(conn.execute("SHOW server_version").fetchone()[0])
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    print(conn.execute("SELECT similarity('shortcode', 'shortcodes') > 0.5").fetchone()[0])
"""


def _servers_on(data: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(data) in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_an_unset_database_url_runs_the_command_on_an_embedded_postgresql_and_stops_it(
    tmp_path,
):
    data = tmp_path / "pgdata"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["EMBEDDED_POSTGRES_DATA"] = str(data)
    result = subprocess.run(  # noqa: S603 (this interpreter and the project's own script)
        [sys.executable, str(ROOT / "bin/with_postgres.py"), "--", sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    version, trigram = result.stdout.split()
    assert version.startswith("18.")
    assert trigram == "True"
    assert (data / "PG_VERSION").read_text().strip() == "18"
    assert _servers_on(data) == []


def test_a_set_database_url_is_used_as_it_is(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://someone@db.example.org/elsewhere"}
    env["EMBEDDED_POSTGRES_DATA"] = str(tmp_path / "unused")
    result = subprocess.run(  # noqa: S603 (this interpreter and the project's own script)
        [
            sys.executable,
            str(ROOT / "bin/with_postgres.py"),
            "--",
            sys.executable,
            "-c",
            "import os; print(os.environ['DATABASE_URL'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "postgres://someone@db.example.org/elsewhere"
    assert not (tmp_path / "unused").exists()


def test_a_command_without_database_url_stops_with_advice_not_a_driver_error():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    result = subprocess.run(  # noqa: S603 (this interpreter and the project's own script)
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "shortcode.E004" in result.stderr
    assert "The database is not PostgreSQL (DATABASE_URL is unset)" in result.stderr
    assert "make run" in result.stderr
