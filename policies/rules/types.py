"""Type tokens of the pulumi-aws (7.x) resources the policies judge."""

KINESIS_STREAM = "aws:kinesis/stream:Stream"

RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
RDS_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"

ELASTICACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
ELASTICACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
ELASTICACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
ELASTICACHE_SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"

S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_BUCKETS = (S3_BUCKET, S3_BUCKET_V2)
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
S3_SSES = (S3_SSE, S3_SSE_V2)
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
S3_VERSIONINGS = (S3_VERSIONING, S3_VERSIONING_V2)
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
S3_LIFECYCLES = (S3_LIFECYCLE, S3_LIFECYCLE_V2)
S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRAIL = "aws:cloudtrail/trail:Trail"

LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
SQS_QUEUE = "aws:sqs/queue:Queue"

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"

IAM_ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"
IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"

IOT_THING = "aws:iot/thing:Thing"
IOT_THING_TYPE = "aws:iot/thingType:ThingType"
IOT_CERTIFICATE = "aws:iot/certificate:Certificate"
IOT_POLICY = "aws:iot/policy:Policy"
IOT_POLICY_ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"
IOT_THING_PRINCIPAL_ATTACHMENT = "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment"
IOT_TOPIC_RULE = "aws:iot/topicRule:TopicRule"
