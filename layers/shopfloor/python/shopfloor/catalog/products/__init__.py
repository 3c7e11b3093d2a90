"""The `products` function: products over HTTP, registered with the offers service."""
