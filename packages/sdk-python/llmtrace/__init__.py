"""``import llmtrace`` works as well as ``import llmtrace_python``: this package re-exports it."""

from llmtrace_python import *  # noqa: F401,F403
from llmtrace_python import __all__, __version__  # noqa: F401
