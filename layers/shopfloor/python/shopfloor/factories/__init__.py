"""Factories: production chart data (stored in chunks of points, read by time range, drawn as an
SVG chart), behind the versioned /v1 API."""
