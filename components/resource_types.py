"""The Pulumi type token of every resource type the program registers, each written once.

The plan, its security checks, the Terraform rendering for Checkov and the provider facts all
dispatch on these. Standard library only: the policy pack imports the checks with nothing but
the project on sys.path. (infra/plan/mocks.py keeps its own literals: the language-host
harness loads it by file path, without the project's packages.)
"""

# --- AWS: ElastiCache -------------------------------------------------------------------------
AWS_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
AWS_CLUSTER = "aws:elasticache/cluster:Cluster"                    # Memcached
AWS_SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
AWS_GLOBAL_REPLICATION_GROUP = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
AWS_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup"
AWS_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
AWS_USER = "aws:elasticache/user:User"
AWS_USER_GROUP = "aws:elasticache/userGroup:UserGroup"
AWS_SCALING_TARGET = "aws:appautoscaling/target:Target"
AWS_SCALING_POLICY = "aws:appautoscaling/policy:Policy"
# --- AWS: network -----------------------------------------------------------------------------
AWS_VPC = "aws:ec2/vpc:Vpc"
AWS_SUBNET = "aws:ec2/subnet:Subnet"
AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
AWS_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
AWS_SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
AWS_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
AWS_FLOW_LOG = "aws:ec2/flowLog:FlowLog"
AWS_ROUTE53_ZONE = "aws:route53/zone:Zone"
AWS_ROUTE53_ZONE_ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
AWS_ROUTE53_RECORD = "aws:route53/record:Record"
# --- AWS: keys, secrets, logs, monitoring -----------------------------------------------------
AWS_KMS_KEY = "aws:kms/key:Key"
AWS_KMS_ALIAS = "aws:kms/alias:Alias"
AWS_SECRET = "aws:secretsmanager/secret:Secret"
AWS_SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
AWS_IAM_ROLE = "aws:iam/role:Role"
AWS_IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
AWS_METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
AWS_DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
AWS_SNS_TOPIC = "aws:sns/topic:Topic"
AWS_SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
AWS_SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
TIME_SLEEP = "time:index/sleep:Sleep"

# --- GCP: Memorystore -------------------------------------------------------------------------
GCP_VALKEY = "gcp:memorystore/instance:Instance"
GCP_REDIS = "gcp:redis/instance:Instance"
GCP_REDIS_CLUSTER = "gcp:redis/cluster:Cluster"      # not created; the checks know it
GCP_MEMCACHED = "gcp:memcache/instance:Instance"
# --- GCP: network -----------------------------------------------------------------------------
GCP_NETWORK = "gcp:compute/network:Network"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
GCP_GLOBAL_ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
GCP_PSA_CONNECTION = "gcp:servicenetworking/connection:Connection"
GCP_CONNECTION_POLICY = "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy"
GCP_MANAGED_ZONE = "gcp:dns/managedZone:ManagedZone"
GCP_RECORD_SET = "gcp:dns/recordSet:RecordSet"
# --- GCP: project, keys, secrets, monitoring --------------------------------------------------
GCP_SERVICE = "gcp:projects/service:Service"
GCP_SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
GCP_PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
GCP_KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
GCP_SECRET = "gcp:secretmanager/secret:Secret"
GCP_SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
GCP_NOTIFICATION_CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
GCP_DASHBOARD = "gcp:monitoring/dashboard:Dashboard"
