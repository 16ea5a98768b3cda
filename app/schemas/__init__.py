"""Request and response models for the API: what OpenAPI shows and what fragments render."""
