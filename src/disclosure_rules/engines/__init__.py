"""Engines that evaluate a rulebook on SQL databases (DESIGN §16).

The pandas path (``engine.py``) evaluates in memory. The engines here lower the same typed
expression tree and rule kinds to SQL, generated through SQLGlot so that one lowering
serves DuckDB (embedded, out of core) and Spark SQL (a cluster).
"""
