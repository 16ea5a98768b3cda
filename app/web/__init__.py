"""HTTP glue shared by every router: representations, request bodies, errors, CSRF, auth."""
