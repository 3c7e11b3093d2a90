"""Shopfloor's shared code: the platform and one package per bounded context."""
