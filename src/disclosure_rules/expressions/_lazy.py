"""Modules imported on first use: checking a rulebook (``validate``, ``--help``) needs
neither numpy nor pandas, evaluating does."""

from __future__ import annotations

import importlib


class Lazy:
    """Stands for ``module`` under ``alias`` in ``namespace`` (a module's globals); the
    first attribute access imports it and puts the real module there instead."""

    def __init__(self, alias: str, module: str, namespace: dict):
        self._alias = alias
        self._module = module
        self._namespace = namespace

    def __getattr__(self, name: str):
        module = importlib.import_module(self._module)
        self._namespace[self._alias] = module
        return getattr(module, name)
