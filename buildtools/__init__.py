"""buildtools: build and package the JavaScript webapps that Python projects ship."""

__version__ = "0.1.0"
