"""Lazy re-exports: a package names its API without importing its modules first."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """Return a module `__getattr__` that imports `name` from `homes[name]` on use.

    Examples:
        >>> getattr_ = lazy_exports("graph", {"version": "settings"})
        >>> getattr_("nothing")
        Traceback (most recent call last):
        ...
        AttributeError: module 'graph' has no attribute 'nothing'
    """

    def getattr_(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f".{homes[name]}", package), name)

    return getattr_
