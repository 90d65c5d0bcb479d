"""Tests of the Discord adapter: pure rendering, and the real client driven through the loopback emulator."""
