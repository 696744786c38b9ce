"""`python -m buildtools`: the same as the `buildtools` command."""

from buildtools.ui.cli import main

main()
