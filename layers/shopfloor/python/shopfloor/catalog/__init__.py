"""The product catalogue: products, and (later) their offers, history and trends."""
