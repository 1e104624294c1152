"""ENC-08 cases: CloudTrail log files and the key in every spelling CloudTrail accepts.

The trails write to the fixture bucket whose policy admits CloudTrail (AWS checks
it at CreateTrail); its id is the bucket's name, so naming it also declares the policy.
"""

from controls.cases import case, ref, resource
from controls.enc_01_cases import TAGS, key_cases

TRAIL = "aws:cloudtrail/trail:Trail"


def trail(key=None):
    return resource("trail", TRAIL, name="trail-{id}-{suffix}", s3BucketName=ref("@enc-trail-bucket-policy", "id"),
                    enableLogging=False, tags=TAGS, **({"kmsKeyId": key} if key is not None else {}))


CASES = [
    *key_cases("ENC-08", "enc-08", "cloudtrail", "trail", lambda key: (trail(key),)),
    case("enc-08-without-key", "ENC-08", "fail", "trail", trail(),
         why="without kmsKeyId the log files get only the bucket's default encryption"),
    case("enc-08-aws-managed-alias", "ENC-08", "fail", "trail", trail("alias/aws/cloudtrail"),
         not_live="CloudTrail has no AWS-managed key: alias/aws/cloudtrail names no key, and AWS refuses it"),
]
