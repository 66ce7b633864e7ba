"""Compiled expressions kept with their rulebook, so that auditing many units with one book
(``assess``) checks and lowers each rule's expressions once, not once per unit.

The cache lives on the Rulebook (a private attribute) and is keyed by what compiling reads:
the rule's id and expression texts, and the name, type, aliases and labels of every field
it may name. A rule or field edited after an audit therefore compiles afresh.
"""

from __future__ import annotations

from .expressions import compile_rule_expressions

__all__ = ["compiled_for"]


def _signature(fields: dict) -> tuple:
    return tuple((name, spec.type, tuple(spec.aliases),
                  None if spec.values is None else tuple((code, tuple(labels)) for code, labels in spec.values.items()))
                 for name, spec in fields.items())


def compiled_for(book, rule, fields: dict) -> dict:
    """``compile_rule_expressions(rule, fields)``, from the book's cache when compiled before."""
    cache = book.compiled_cache
    key = (rule.id, tuple(rule.expressions.items()), _signature(fields))
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = compile_rule_expressions(rule, fields)
    return hit
