from conftest import aws_config

def test_dev(run_stack):
    rec = run_stack("dev")
    assert len(rec.of_type("aws:elasticache/replicationGroup:ReplicationGroup")) == 1

def test_bad(attempt):
    msg, rec = attempt(aws_config({"s": {"replicas": 9}}))
    assert "replicas" in msg and rec.registrations == []

def test_dev_again(run_stack):
    rec = run_stack("prod", preview=True)
    assert len(rec.of_type("aws:elasticache/replicationGroup:ReplicationGroup")) == 1
