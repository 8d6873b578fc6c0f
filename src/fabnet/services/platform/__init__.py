"""Platform services: database set-up, health, files, idempotency, pagination, webhooks,
notifications, secrets."""
