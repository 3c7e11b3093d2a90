"""The stack's constructs: one per capability, each reading infra.topology for what it declares."""
