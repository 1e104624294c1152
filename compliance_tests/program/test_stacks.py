"""The same program for other stacks and other plants: the apac stack file, facilities from config."""

from __future__ import annotations

from collections import Counter

from compliance.render import render_graph
from compliance_tests.program.graph_helpers import of_type, one


def test_apac_stack_renders_in_its_region_with_its_suffix(apac_graph):
    outputs = apac_graph.data["outputs"]
    assert (outputs["region"], outputs["environmentSuffix"]) == ("ap-southeast-1", "apac")
    assert outputs["streamName"] == "kinesis-telemetry-apac"
    for endpoint in of_type(apac_graph, "aws:ec2/vpcEndpoint:VpcEndpoint"):
        assert endpoint["inputs"]["serviceName"].startswith("com.amazonaws.ap-southeast-1.")
    [layer] = one(apac_graph, "aws:lambda/function:Function", "processor")["inputs"]["layers"]
    assert layer.startswith("arn:aws:lambda:ap-southeast-1:017000801446:layer:")
    for resource in apac_graph.custom_resources():
        tags = resource["inputs"].get("tags")
        if tags is not None:
            assert tags["Environment"] == "apac", resource["urn"]


def test_apac_stack_declares_its_plants_devices(apac_graph):
    things = of_type(apac_graph, "aws:iot/thing:Thing")
    counted = Counter((t["inputs"]["attributes"]["facility"], t["inputs"]["attributes"]["deviceType"]) for t in things)
    assert counted == Counter({("sg-plant-1", "temperature"): 4, ("sg-plant-1", "vibration"): 4,
                               ("sg-plant-2", "pressure"): 3})
    assert sorted(t["inputs"]["name"] for t in of_type(apac_graph, "aws:iot/thingType:ThingType")) == [
        "thingtype-pressure-apac", "thingtype-temperature-apac", "thingtype-vibration-apac"]
    assert len(of_type(apac_graph, "aws:iot/certificate:Certificate")) == 11


def test_facilities_and_capacity_from_config_shape_the_stack():
    graph = render_graph("dev", {
        "facilities": [{"id": "line-7", "devices": [{"type": "production_counter", "count": 2}]}],
        "auroraMinCapacity": 1, "auroraMaxCapacity": 16, "kinesisRetentionHours": 168,
        "owner": "plant-ops", "dataClassification": "restricted",
    })
    assert sorted(t["inputs"]["name"] for t in of_type(graph, "aws:iot/thing:Thing")) == [
        "thing-line-7-production-counter-01-dev", "thing-line-7-production-counter-02-dev"]
    assert [t["inputs"]["name"] for t in of_type(graph, "aws:iot/thingType:ThingType")] == [
        "thingtype-production-counter-dev"]
    cluster = one(graph, "aws:rds/cluster:Cluster")
    assert cluster["inputs"]["serverlessv2ScalingConfiguration"] == {"minCapacity": 1, "maxCapacity": 16}
    assert one(graph, "aws:kinesis/stream:Stream")["inputs"]["retentionPeriod"] == 168
    tags = one(graph, "aws:kinesis/stream:Stream")["inputs"]["tags"]
    assert (tags["Owner"], tags["DataClassification"]) == ("plant-ops", "restricted")
    assert graph.data["outputs"]["thingNames"] == [
        "thing-line-7-production-counter-01-dev", "thing-line-7-production-counter-02-dev"]
