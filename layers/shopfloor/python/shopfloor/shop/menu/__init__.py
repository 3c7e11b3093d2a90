"""The `menu` function: the shop's products with their variations. Managers write; anyone reads the
precomputed view of the whole menu (one item, one GetItem)."""
