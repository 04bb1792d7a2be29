"""Security scanning helpers run outside the program (see docs/security.md)."""
