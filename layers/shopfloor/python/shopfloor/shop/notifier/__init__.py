"""The notifier: e-mails about the shop's order events, each exactly once per event and recipient."""
