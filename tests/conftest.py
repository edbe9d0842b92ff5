"""Shared fixtures: the loopback Discord and Anthropic servers live in tests/fakes."""

pytest_plugins = ["tests.fakes.fixtures"]
