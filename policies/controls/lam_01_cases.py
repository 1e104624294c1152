"""LAM-01 cases: the approved runtime, runtimes AWS accepts but the catalog does not, a container image."""

from controls.cases import case, ref, resource
from controls.log_02_cases import TAGS, function

CASES = [
    case("lam-01-approved-runtime", "LAM-01", "pass", "function", function()),
    case("lam-01-newer-python-not-approved", "LAM-01", "fail", "function", function(runtime="python3.12"),
         why="supported by AWS, not in approvedRuntimes"),
    case("lam-01-nodejs-not-approved", "LAM-01", "fail", "function", function(runtime="nodejs22.x")),
    case("lam-01-container-image", "LAM-01", "not_applicable", "function",
         resource("function", "aws:lambda/function:Function", name="lambda-image-{id}-{suffix}", packageType="Image",
                  imageUri="123456789012.dkr.ecr.sa-east-1.amazonaws.com/retlog:latest",
                  role=ref("@retlog-lambda-role", "arn"), tags=TAGS),
         why="an image brings its own runtime"),
    case("lam-01-runtime-absent", "LAM-01", "fail", "function", function(runtime=None),
         not_live="AWS refuses a zip function without a runtime (InvalidParameterValueException)"),
    case("lam-01-retired-runtime", "LAM-01", "fail", "function", function(runtime="python2.7"),
         not_live="AWS no longer creates functions on a deprecated runtime (moto does)"),
]
