"""Business rules. Nothing here imports a blueprint, the request or a template."""
