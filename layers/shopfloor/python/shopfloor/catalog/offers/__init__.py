"""The `offers` function: a product's cached offers, price history and price trend over HTTP."""
