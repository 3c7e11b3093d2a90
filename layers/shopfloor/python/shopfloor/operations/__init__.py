"""Operating the API: its health check and its documentation (the merged OpenAPI document, Swagger UI)."""
