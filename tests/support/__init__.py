"""Helpers the tests share across folders (importable as ``support.*``)."""
