"""Factories and sprockets: factories' production chart data (stored in chunks of points, read by
time range, drawn as an SVG chart) and sprockets, behind the versioned /v1 API."""
