"""Cache-aside product catalog on PostgreSQL (psycopg 3) and Valkey/Redis. See README.md."""
