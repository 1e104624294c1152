"""LOG-01 cases: each trail setting, and data-event coverage of a bucket or table by basic and advanced selectors.

Every trail writes to the shared trail bucket. A store is judged against every
trail of the run, so each case's selectors name only its own store (``{id}``),
never every bucket or table of the account: those readings are unit-tested in
``compliance_tests/controls/test_log_01.py``.
"""

from controls.cases import case, ref, resource
from controls.ret_05_cases import REGION_ACCOUNT, TAGS, trail

S3_OBJECT, TABLE = "AWS::S3::Object", "AWS::DynamoDB::Table"
DATA_BUCKET = "s3-data-{id}-{suffix}"
DATA_TABLE = "dynamodb-data-{id}-{suffix}"
TABLE_ARN = f"arn:aws:dynamodb:{REGION_ACCOUNT}:table/{DATA_TABLE}"
INSIGHTS = [{"insightType": "ApiCallRateInsight"}, {"insightType": "ApiErrorRateInsight"}]
BOTH_KINDS = [{"readWriteType": "All", "dataResources": [
    {"type": S3_OBJECT, "values": [f"arn:aws:s3:::{DATA_BUCKET}/"]}, {"type": TABLE, "values": [TABLE_ARN]}]}]


def audit_trail(**inputs):
    """A trail that meets every setting of LOG-01, with ``inputs`` changed."""
    settings = {"isMultiRegionTrail": True, "enableLogFileValidation": True, "insightSelectors": INSIGHTS,
                "eventSelectors": BOTH_KINDS, **inputs}
    return trail(**{k: v for k, v in settings.items() if v is not None})


def bucket():
    return resource("bucket", "aws:s3/bucket:Bucket", bucket=DATA_BUCKET, forceDestroy=True, tags=TAGS)


def table():
    return resource("table", "aws:dynamodb/table:Table", name=DATA_TABLE, hashKey="id", billingMode="PAY_PER_REQUEST",
                    attributes=[{"name": "id", "type": "S"}], tags=TAGS)


def basic(kind: str, *values, read_write: str = "All"):
    return [{"readWriteType": read_write, "dataResources": [{"type": kind, "values": list(values)}]}]


def advanced(kind: str, **arn_operators):
    fields = [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": [kind]}]
    extra = arn_operators.pop("extra", [])
    if arn_operators:
        fields.append({"field": "resources.ARN", **arn_operators})
    return {"name": f"{kind} data events", "fieldSelectors": fields + extra}


OBJECTS = f"arn:aws:s3:::{DATA_BUCKET}/"

CASES = [
    # the trail's own settings
    case("log-01-trail-compliant", "LOG-01", "pass", "trail", audit_trail()),
    case("log-01-trail-single-region", "LOG-01", "fail", "trail", audit_trail(isMultiRegionTrail=False)),
    case("log-01-trail-multi-region-absent", "LOG-01", "fail", "trail", audit_trail(isMultiRegionTrail=None),
         why="a trail is single-region unless told otherwise"),
    case("log-01-trail-without-validation", "LOG-01", "fail", "trail", audit_trail(enableLogFileValidation=False)),
    case("log-01-trail-not-logging", "LOG-01", "fail", "trail", audit_trail(enableLogging=False)),
    case("log-01-trail-one-insight", "LOG-01", "fail", "trail", audit_trail(insightSelectors=INSIGHTS[:1])),
    case("log-01-trail-without-insights", "LOG-01", "fail", "trail", audit_trail(insightSelectors=None)),
    case("log-01-trail-management-events-only", "LOG-01", "fail", "trail", audit_trail(eventSelectors=None)),
    case("log-01-trail-tables-only", "LOG-01", "fail", "trail",
         audit_trail(eventSelectors=basic(TABLE, TABLE_ARN)), why="no S3 data events at all"),
    case("log-01-trail-advanced-selectors", "LOG-01", "pass", "trail",
         audit_trail(eventSelectors=None, advancedEventSelectors=[advanced(S3_OBJECT, startsWiths=[OBJECTS]),
                                                                  advanced(TABLE, equals=[TABLE_ARN])])),
    # which stores the selectors cover
    case("log-01-bucket-covered", "LOG-01", "pass", "bucket", bucket(), audit_trail()),
    case("log-01-bucket-not-covered", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=basic(TABLE, TABLE_ARN))),
    case("log-01-bucket-prefix-only", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=basic(S3_OBJECT, f"{OBJECTS}only-this-prefix/")),
         why="a prefix inside the bucket records part of its objects"),
    case("log-01-bucket-namesake-only", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=basic(S3_OBJECT, f"arn:aws:s3:::{DATA_BUCKET}-old/"))),
    case("log-01-bucket-writes-only", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=basic(S3_OBJECT, OBJECTS, read_write="WriteOnly")),
         why="reads of the regulated data must be recorded too"),
    case("log-01-bucket-advanced-starts-with", "LOG-01", "pass", "bucket", bucket(),
         audit_trail(eventSelectors=None, advancedEventSelectors=[advanced(S3_OBJECT, startsWiths=[OBJECTS])])),
    case("log-01-bucket-excluded-by-advanced-selector", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=None, advancedEventSelectors=[
             advanced(S3_OBJECT, startsWiths=[f"arn:aws:s3:::{DATA_BUCKET}"], notStartsWiths=[OBJECTS])]),
         why="its namesakes (s3-data-<id>-<suffix>-*) but not itself"),
    case("log-01-bucket-advanced-reads-only", "LOG-01", "fail", "bucket", bucket(),
         audit_trail(eventSelectors=None, advancedEventSelectors=[advanced(
             S3_OBJECT, startsWiths=[OBJECTS], extra=[{"field": "readOnly", "equals": ["true"]}])])),
    case("log-01-table-covered-by-reference", "LOG-01", "pass", "table", table(),
         audit_trail(eventSelectors=basic(TABLE, ref("table", "arn")))),
    case("log-01-table-namesake-only", "LOG-01", "fail", "table", table(),
         audit_trail(eventSelectors=basic(TABLE, f"{TABLE_ARN}-old"))),
    case("log-01-table-advanced-equals", "LOG-01", "pass", "table", table(),
         audit_trail(eventSelectors=None, advancedEventSelectors=[advanced(TABLE, equals=[ref("table", "arn")])])),
    case("log-01-table-excluded-by-advanced-selector", "LOG-01", "fail", "table", table(),
         audit_trail(eventSelectors=None, advancedEventSelectors=[
             advanced(TABLE, startsWiths=[TABLE_ARN], notEquals=[ref("table", "arn")])]),
         why="its namesakes but not itself: the reference names the exclusion"),
]
