"""CrossGuard policy pack (run with `pulumi preview --policy-pack policy`); see __main__.py."""
