"""Support for tests of code that uses buildtools, shipped as click ships click.testing: fakes
that stand in for the programs the core starts (fake_npm), so that a test starts no process."""
