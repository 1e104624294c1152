import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
suffix = cfg.require("environmentSuffix")
key = aws.kms.Key("kinesis", enable_key_rotation=True, deletion_window_in_days=7)
stream = aws.kinesis.Stream("telemetry", name=f"kinesis-telemetry-{suffix}", encryption_type="KMS", kms_key_id=key.arn,
                            tags={"Environment": suffix})
secret = aws.secretsmanager.SecretVersion("v", secret_id="x", secret_string=pulumi.Output.secret("hunter2"))
pulumi.export("stream", stream.name)
pulumi.export("keyArn", key.arn)
