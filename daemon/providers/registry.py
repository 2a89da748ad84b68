"""Discovers provider types from the modules of ``daemon.providers``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import daemon.providers as package
from daemon.providers.base import Provider

_NOT_ADAPTERS = {"base", "registry", "sse"}


@cache
def provider_types() -> Mapping[str, type[Provider]]:
    found: dict[str, type[Provider]] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in _NOT_ADAPTERS or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for type_name, cls in getattr(module, "PROVIDERS", {}).items():
            if type_name in found:
                raise RuntimeError(f"provider type {type_name!r} is defined twice")
            found[type_name] = cls
    return MappingProxyType(dict(sorted(found.items())))


def provider_class(type_name: str) -> type[Provider] | None:
    return provider_types().get(type_name)
