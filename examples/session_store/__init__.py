"""Server-side web sessions in Valkey/Redis with a signed session-id cookie. See README.md."""
