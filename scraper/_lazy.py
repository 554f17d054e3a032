"""Lazily exported names (PEP 562) for the package `__init__`s.

Each `__init__` maps the names it exports to the module that defines them; a module is imported
when one of its names is first used. So `import scraper` and `scraper --help` load no
trafilatura, httpx or pyarrow, and a stage's seam costs nothing until it is crossed. Type
checkers read the same names from the `__init__`'s `if TYPE_CHECKING:` imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`; `names` maps each exported name to its module."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
