"""Warranties: stores send sold items; each gets a warranty priced by plan, archived to S3."""
