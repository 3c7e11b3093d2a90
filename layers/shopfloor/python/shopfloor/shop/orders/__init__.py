"""The `orders` function: orders placed by customers, priced from the menu view, and moved through
their status flow (shop/orders/flow.py) by managers, each move one conditional write."""
