"""Entry point of a demo data worker process (see demo.parallel).

A spawned process starts with a bare interpreter: it must set Django up before
anything that imports models can even be unpickled, so this module imports nothing
of the project at load time and receives its arguments as pickled bytes.
"""

import pickle
from typing import Any


def work(payload: bytes, out: Any) -> None:
    try:
        import django

        django.setup()
        from .parallel import run_shard

        # The payload comes from the parent process that started this one.
        run_shard(*pickle.loads(payload), out=out)  # noqa: S301  # the parent process wrote the payload
    except BaseException as error:  # reported to the parent, which re-raises it
        out.put(("error", f"{type(error).__name__}: {error}"))
