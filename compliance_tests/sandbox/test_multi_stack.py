"""Several suffixes deployed into one sandbox coexist: a multi-stack account."""

from __future__ import annotations

from collections.abc import Callable

from compliance.sandbox import SandboxStack


def test_a_second_suffix_coexists_with_dev(deployed_dev: SandboxStack, sandbox_stack_factory: Callable[..., SandboxStack]):
    qa = sandbox_stack_factory("qa")
    assert qa.endpoint == deployed_dev.endpoint and qa.suffix == "qa"
    assert qa.outputs["streamName"] != deployed_dev.outputs["streamName"]
    assert qa.outputs["vpcId"] != deployed_dev.outputs["vpcId"]
    kinesis = qa.client("kinesis")
    # StreamSummaries, not StreamNames: moto 5.2.5 caps StreamNames at 10 with no NextToken to page on, and the
    # session's sandbox also holds the control case tables' streams.
    streams = {s["StreamName"] for page in kinesis.get_paginator("list_streams").paginate()
               for s in page["StreamSummaries"]}
    assert {qa.outputs["streamName"], deployed_dev.outputs["streamName"]} <= streams
    for stack in (deployed_dev, qa):
        summary = kinesis.describe_stream_summary(StreamName=stack.outputs["streamName"])["StreamDescriptionSummary"]
        assert summary["KeyId"] == stack.outputs["kmsKeyArns"]["kinesis"]
    assert set(qa.outputs["thingNames"]).isdisjoint(deployed_dev.outputs["thingNames"])
    assert qa.outputs_path != deployed_dev.outputs_path and qa.outputs_path.exists()
