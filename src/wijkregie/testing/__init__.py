"""Test support shared by the app test suites and the browser tests (not imported by the app)."""
