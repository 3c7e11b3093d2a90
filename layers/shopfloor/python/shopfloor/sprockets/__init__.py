"""Sprockets: created, read, replaced and listed, behind the versioned /v1 API."""
