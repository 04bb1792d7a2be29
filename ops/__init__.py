"""managed-cache operations: runbooks as code (boto3) for the caches a stack declares.

`python -m ops <command> --stack <stack>`; see ops/README.md. Every command reads the stack's
config through `infra.stackfile` and `infra.config.load_stack_config` and every physical name
through `infra.naming`, so it looks at exactly what `pulumi up` created.
"""
