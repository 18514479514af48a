"""Jacobiator: the numpy core of an interactive article about Jacobians.

Everything here is pure math on numpy arrays, so the same code runs at build
time in CPython and in the reader's browser through Pyodide.
"""

__version__ = "0.1.0"
