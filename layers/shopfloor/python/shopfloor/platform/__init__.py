"""What every function shares: HTTP resolver, error envelope, pagination, ids, settings, tables."""
