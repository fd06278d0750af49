from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
