"""The external offers service: its HTTP client and the access token every container shares."""
