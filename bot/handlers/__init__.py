"""Telegram front doors: thin handlers over the service, matcher and renderer."""
