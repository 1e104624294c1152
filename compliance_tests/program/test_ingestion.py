"""IAM-02/IAM-03/ENC-01 on the rendered dev graph: device identity, the device policy, the topic rule, the stream."""

from __future__ import annotations

from collections import Counter

from compliance_tests.program.graph_helpers import as_list, depends_on, of_type, one, policy, statements

THING = "aws:iot/thing:Thing"
CERTIFICATE = "aws:iot/certificate:Certificate"
THING_NAME = "${iot:Connection.Thing.ThingName}"
THING_FACILITY = "${iot:Connection.Thing.Attributes[facility]}"

# program/config.py DEFAULT_FACILITIES: what the dev stack (which sets no facilities) declares.
DEV_DEVICES = {("plant-1", "temperature"): 3, ("plant-1", "pressure"): 2, ("plant-1", "vibration"): 2,
               ("plant-1", "production_counter"): 1, ("plant-2", "temperature"): 2, ("plant-2", "vibration"): 2,
               ("plant-2", "production_counter"): 1}


def test_thing_type_per_device_type(dev_graph):
    types = of_type(dev_graph, "aws:iot/thingType:ThingType")
    assert sorted(t["inputs"]["name"] for t in types) == sorted(
        f"thingtype-{kind.replace('_', '-')}-dev" for kind in {kind for _, kind in DEV_DEVICES})


def test_one_thing_per_configured_device(dev_graph, outputs):
    things = of_type(dev_graph, THING)
    counted = Counter((t["inputs"]["attributes"]["facility"], t["inputs"]["attributes"]["deviceType"]) for t in things)
    assert counted == Counter(DEV_DEVICES)
    assert sorted(outputs["thingNames"]) == sorted(t["inputs"]["name"] for t in things)
    for thing in things:
        [thing_type] = depends_on(dev_graph, thing, "thingTypeName", "aws:iot/thingType:ThingType")
        assert thing_type["name"] == thing["inputs"]["attributes"]["deviceType"]


def test_every_thing_has_its_own_active_certificate_attached_to_the_policy(dev_graph):
    """IAM-03: one active AWS-generated certificate per thing, attached to the thing and the device policy."""
    certificates = {c["urn"]: c for c in of_type(dev_graph, CERTIFICATE)}
    for certificate in certificates.values():
        assert certificate["inputs"]["active"] is True
        assert not {"csr", "certificatePem", "caPem"} & set(certificate["inputs"]), "AWS generates the key pair"
    thing_of_certificate = {}
    for attachment in of_type(dev_graph, "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment"):
        [thing] = depends_on(dev_graph, attachment, "thing", THING)
        [certificate] = depends_on(dev_graph, attachment, "principal", CERTIFICATE)
        thing_of_certificate[certificate["urn"]] = thing["urn"]
    assert set(thing_of_certificate) == set(certificates)
    assert len(set(thing_of_certificate.values())) == len(of_type(dev_graph, THING))
    attached = Counter()
    device_policy = one(dev_graph, "aws:iot/policy:Policy")
    for attachment in of_type(dev_graph, "aws:iot/policyAttachment:PolicyAttachment"):
        assert depends_on(dev_graph, attachment, "policy", "aws:iot/policy:Policy") == [device_policy]
        [certificate] = depends_on(dev_graph, attachment, "target", CERTIFICATE)
        attached[certificate["urn"]] += 1
    assert attached == Counter(dict.fromkeys(certificates, 1))


def test_certificate_private_keys_are_never_exported(dev_graph, outputs):
    text = str(outputs)
    assert "privateKey" not in text and "PRIVATE KEY" not in text


def test_iot_policy_scoped_to_the_connecting_thing(dev_graph):
    """IAM-02: connect as itself, publish only to its own telemetry topic under its own facility (the
    thing's facility attribute, so the broker enforces it), nothing else, no iot:*."""
    document = policy(one(dev_graph, "aws:iot/policy:Policy"))
    actions = {}
    for stmt in statements(document):
        assert stmt["Effect"] == "Allow"
        for action in as_list(stmt["Action"]):
            assert action in {"iot:Connect", "iot:Publish"}, action
            actions[action] = as_list(stmt["Resource"])
    assert actions["iot:Connect"] == [f"arn:aws:iot:sa-east-1:123456789012:client/{THING_NAME}"]
    assert actions["iot:Publish"] == [
        f"arn:aws:iot:sa-east-1:123456789012:topic/factory/{THING_FACILITY}/{THING_NAME}/telemetry"]
    connect = [s for s in statements(document) if "iot:Connect" in as_list(s["Action"])]
    assert [s["Condition"] for s in connect] == [{"Bool": {"iot:Connection.Thing.IsAttached": "true"}}]


def test_every_thing_carries_the_facility_attribute_the_policy_is_scoped_by(dev_graph):
    """The publish grant resolves ${iot:Connection.Thing.Attributes[facility]}: a thing without it could
    publish nowhere, a wrong one would file its readings under another plant."""
    for thing in of_type(dev_graph, THING):
        facility = thing["inputs"]["attributes"]["facility"]
        assert f"-{facility}-" in thing["inputs"]["name"], thing["inputs"]["name"]


def test_topic_rule_routes_telemetry_to_kinesis_with_an_error_action(dev_graph):
    rule = one(dev_graph, "aws:iot/topicRule:TopicRule")
    inputs = rule["inputs"]
    assert inputs["sql"] == (
        "SELECT *, clientid() AS authenticatedThingName, topic(2) AS authorizedFacility "
        "FROM 'factory/+/+/telemetry' "
        "WHERE isUndefined(authenticatedThingName) AND isUndefined(authorizedFacility)")
    assert inputs["sqlVersion"] == "2016-03-23"  # isUndefined() needs it
    assert inputs["enabled"] is True
    [kinesis] = inputs["kineses"]
    assert kinesis["streamName"] == "kinesis-telemetry-dev"
    assert kinesis["partitionKey"] == "${topic(3)}"
    error_logs = inputs["errorAction"]["cloudwatchLogs"]
    assert error_logs["logGroupName"] == "/aws/iot/iotrule-telemetry-errors-dev"
    error_group = [g for g in of_type(dev_graph, "aws:cloudwatch/logGroup:LogGroup")
                   if g["inputs"]["name"] == error_logs["logGroupName"]]
    assert len(error_group) == 1


def test_the_rule_adds_exactly_the_identity_fields_the_processor_checks(dev_graph):
    """Same field names on both sides: the processor dead-letters a message without them."""
    from compliance_tests.processor import servers

    servers.add_processor_to_path()
    from telemetry_processor import validation

    sql = one(dev_graph, "aws:iot/topicRule:TopicRule")["inputs"]["sql"]
    assert f"clientid() AS {validation.AUTHENTICATED_THING_FIELD}," in sql
    assert f"topic(2) AS {validation.AUTHORIZED_FACILITY_FIELD} " in sql


def test_topic_rule_role_is_least_privilege(dev_graph, key_arns, outputs):
    rule = one(dev_graph, "aws:iot/topicRule:TopicRule")
    [role] = depends_on(dev_graph, rule, "kineses", "aws:iam/role:Role")
    trust = statements(policy(role, "assumeRolePolicy"))
    assert [s["Principal"] for s in trust] == [{"Service": "iot.amazonaws.com"}]
    grants, log_groups = {}, []
    for role_policy in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy"):
        if depends_on(dev_graph, role_policy, "role", "aws:iam/role:Role") == [role]:
            log_groups += depends_on(dev_graph, role_policy, "policy", "aws:cloudwatch/logGroup:LogGroup")
            for stmt in statements(policy(role_policy)):
                for action in as_list(stmt["Action"]):
                    grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    assert [g["inputs"]["name"] for g in log_groups] == ["/aws/iot/iotrule-telemetry-errors-dev"]
    log_streams = {r for r in grants.get("logs:PutLogEvents", ()) if r.endswith(":log-stream:*")}
    assert len(log_streams) == 1
    assert grants == {
        "kinesis:PutRecord": {outputs["streamArn"]},
        "kms:GenerateDataKey": {key_arns["kinesis"]},
        "logs:CreateLogStream": log_streams,
        "logs:PutLogEvents": log_streams,
    }


def test_kinesis_on_demand_with_the_configured_retention(dev_graph):
    stream = one(dev_graph, "aws:kinesis/stream:Stream")
    assert stream["inputs"]["name"] == "kinesis-telemetry-dev"
    assert stream["inputs"]["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert "shardCount" not in stream["inputs"]
    assert stream["inputs"]["retentionPeriod"] == 24  # the default; Pulumi.dev.yaml sets none
