"""LOG-02 cases: log groups, stream mappings at and beyond their bounds, and functions nothing invokes asynchronously.

A function's code is written in Pulumi's wire form of an ``AssetArchive`` (the
engine's signature keys): case modules are standard library only, and the engine
turns it into the archive a program would pass.
"""

import json

from controls.cases import case, ref, resource

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
_SIG = "4dabf18193072939515e22adb298388d"
CODE = {_SIG: "0def7320c3a5731c473e5ecbe6d01bc7",
        "assets": {"index.py": {_SIG: "c44067f5952c0a294b673a41bacd8c17",
                                "text": "def handler(event, context):\n    return None\n"}}}
TAGS = {"Environment": "{suffix}"}

FIXTURES = [
    resource("retlog-lambda-role", "aws:iam/role:Role", name="role-retlog-lambda-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
    resource("retlog-stream", "aws:kinesis/stream:Stream", name="kinesis-retlog-{suffix}", shardCount=1, tags=TAGS),
    resource("retlog-dlq", "aws:sqs/queue:Queue", name="sqs-retlog-dlq-{suffix}", tags=TAGS),
    resource("retlog-source-queue", "aws:sqs/queue:Queue", name="sqs-retlog-source-{suffix}", tags=TAGS),
]


def function(key: str = "function", **inputs):
    """A zip function (LAM-01's approved runtime) named lambda-<key>-<case>-<suffix>."""
    settings = {"runtime": "python3.11", "handler": "index.handler", "code": CODE, **inputs}
    return resource(key, FUNCTION, name=f"lambda-{key}-{{id}}-{{suffix}}", role=ref("@retlog-lambda-role", "arn"),
                    tags=TAGS, **{k: v for k, v in settings.items() if v is not None})


def log_group(key: str = "function", retention=30):
    """The function's /aws/lambda/<name> group."""
    settings = {} if retention is None else {"retentionInDays": retention}
    return resource("logs", LOG_GROUP, name=f"/aws/lambda/lambda-{key}-{{id}}-{{suffix}}", tags=TAGS, **settings)


def mapping(*, retries=10, bisect=True, destination=True, source="@retlog-stream"):
    """A mapping of the case's function; retries, bisect and starting position exist for streams only."""
    settings = {}
    if source == "@retlog-stream":
        settings = {"startingPosition": "LATEST", "maximumRetryAttempts": retries, "bisectBatchOnFunctionError": bisect}
    if destination:
        settings["destinationConfig"] = {"onFailure": {"destinationArn": ref("@retlog-dlq", "arn")}}
    return resource("mapping", MAPPING, eventSourceArn=ref(source, "arn"), functionName=ref("function", "name"),
                    **{k: v for k, v in settings.items() if v is not None})


def streamed(**mapped):
    """A function with its log group and a Kinesis mapping."""
    return function(), log_group(), mapping(**mapped)


CASES = [
    case("log-02-stream-function-compliant", "LOG-02", "pass", "function", *streamed(),
         why="log group kept 30 days; the mapping keeps failures, retries 10 times (maxRetryAttempts) and bisects"),
    case("log-02-stream-mapping-compliant", "LOG-02", "pass", "mapping", *streamed(), live_subject="function"),
    case("log-02-mapping-retries-0", "LOG-02", "pass", "mapping", *streamed(retries=0), live_subject="function",
         why="no retry at all is bounded"),
    case("log-02-mapping-retries-forever", "LOG-02", "fail", "mapping", *streamed(retries=None),
         live_subject="function", why="absent: AWS retries until the record expires, blocking the shard"),
    case("log-02-mapping-retries-minus-1", "LOG-02", "fail", "mapping", *streamed(retries=-1),
         live_subject="function", why="-1 is AWS's 'retry forever'"),
    case("log-02-mapping-retries-11", "LOG-02", "fail", "mapping", *streamed(retries=11), live_subject="function",
         why="one above maxRetryAttempts"),
    case("log-02-mapping-no-bisect", "LOG-02", "fail", "mapping", *streamed(bisect=False), live_subject="function"),
    case("log-02-mapping-failures-lost", "LOG-02", "fail", "mapping", *streamed(destination=False),
         live_subject="function"),
    case("log-02-function-of-mapping-failures-lost", "LOG-02", "fail", "function", *streamed(destination=False),
         why="the function's stream drops failed records"),
    case("log-02-function-without-log-group", "LOG-02", "fail", "function", function(),
         why="Lambda would create /aws/lambda/<name> with no retention"),
    case("log-02-function-log-group-never-expires", "LOG-02", "fail", "function", function(),
         log_group(retention=None)),
    case("log-02-function-nothing-invokes-asynchronously", "LOG-02", "pass", "function", function(), log_group(),
         why="no stream mapping and no service may invoke it: a dead-letter queue would catch nothing "
             "(only asynchronous invocations use one)"),
    case("log-02-function-queue-source-only", "LOG-02", "pass", "function", function(), log_group(),
         mapping(source="@retlog-source-queue", destination=False),
         why="a queue keeps failed messages with its own redrive policy; the mapping polls synchronously"),
    case("log-02-function-configured-log-group", "LOG-02", "pass", "function",
         function(loggingConfig={"logFormat": "JSON", "logGroup": "/retlog/loggroup-function-{id}-{suffix}"}),
         resource("logs", LOG_GROUP, name="/retlog/loggroup-function-{id}-{suffix}", retentionInDays=30, tags=TAGS),
         gaps={"live": "moto drops a function's LoggingConfig, so the audit looks for /aws/lambda/<name> instead of "
                       "the group the function logs to"}),
]
