"""Administration of the outbox: list messages, retry failed ones (the machinery is app.kit)."""
