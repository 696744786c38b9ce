"""Helpers the tests import (pytest's `pythonpath` puts tests/ on sys.path): plain functions
and classes, no fixtures. Fixtures live in the conftest.py files and use these; a test module
never imports another test module. Not shipped: the wheel holds buildtools/ only (helpers for
users' own tests are buildtools.testing)."""
