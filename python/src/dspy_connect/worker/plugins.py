"""Loads the plugin modules a worker starts with (`--import`), found on `--python-path` first.

The client passes its `pythonPath` folders (absolute; default: the Node process's working
directory), so where `imports` come from does not depend on how the worker was started."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from .startup_error import StartupError

__all__ = ["load_plugins"]

log = logging.getLogger("dspy_connect.worker")


def load_plugins(modules: Sequence[str], python_path: Sequence[str]) -> None:
    for folder in reversed(python_path):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not _names_the_plugin(module, exc.name):
                raise _failed(module, exc) from None
            raise StartupError(
                f"plugin module {module!r} (imports) was not found; searched {list(python_path)} (pythonPath), "
                f"then the worker's own sys.path. Put {module.replace('.', '/')}.py in one of those folders, "
                "or pass its folder in the client's `pythonPath` option"
            ) from None
        except Exception as exc:  # its own code failed: the traceback is for the plugin's author
            raise _failed(module, exc) from None


def _names_the_plugin(module: str, missing: str | None) -> bool:
    """Whether the missing module is the plugin (or a package on its dotted path), not a dependency."""
    return missing is not None and (module == missing or module.startswith(f"{missing}."))


def _failed(module: str, exc: BaseException) -> StartupError:
    log.error("plugin module %r failed to import", module, exc_info=exc)
    return StartupError(f"plugin module {module!r} (imports) failed to import: {type(exc).__name__}: {exc}")
