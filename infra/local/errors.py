"""The one error the local cloud reports: a single line on stderr, then exit code 1."""


class LocalCloudError(Exception):
    """Something the developer must fix before the local cloud can run (port taken, no java...)."""
