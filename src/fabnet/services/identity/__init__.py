"""Identity: organisations, users, API tokens, passwords and sign-in."""
