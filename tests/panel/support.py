"""Shared constants for the panel client tests."""

# Distinctive so a leak is unmistakable in any text we search.
KEY = "sk-LEAKCANARY-5f0c9e2d71ab4e88"
