"""The coffee shop: accounts (auth), the menu with its variations, and orders through their status flow."""
