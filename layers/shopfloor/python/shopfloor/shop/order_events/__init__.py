"""The shop's order events: one on the `shopfloor` bus for every order placed, moved or cancelled,
published from the orders table's stream by the `order-events` function."""
