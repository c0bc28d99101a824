"""Telegram bot front-end for SMM panels speaking the standard API v2."""

__version__ = "0.1.0"
