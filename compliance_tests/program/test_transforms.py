"""DES-01/DES-02: the program's stack transform refuses protect, retain_on_delete and deletion protection."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from compliance import engine
from compliance.errors import UsageError
from compliance.render import render_graph


@pytest.fixture(scope="module")
def transforms(program_module):
    return program_module("transforms.py")


def transformation_args(opts=None, props=None, type_="aws:kinesis/stream:Stream", name="telemetry"):
    return pulumi.ResourceTransformationArgs(None, type_, name, props or {}, opts or pulumi.ResourceOptions())


def test_transform_refuses_protect(transforms):
    with pytest.raises(transforms.UndestroyableResourceError) as refused:
        transforms.refuse_undestroyable(transformation_args(pulumi.ResourceOptions(protect=True)))
    assert str(refused.value) == ("DES-01: aws:kinesis/stream:Stream 'telemetry' sets protect=True; "
                                  "stacks must be destroyable: remove the protect option")


def test_transform_refuses_retain_on_delete(transforms):
    with pytest.raises(transforms.UndestroyableResourceError, match="DES-01: .* 'telemetry' sets retain_on_delete"):
        transforms.refuse_undestroyable(transformation_args(pulumi.ResourceOptions(retain_on_delete=True)))


def test_transform_refuses_deletion_protection_inputs(transforms):
    with pytest.raises(transforms.UndestroyableResourceError, match="DES-02: .* 'aurora' enables deletion protection"):
        transforms.refuse_undestroyable(transformation_args(
            props={"deletion_protection": True}, type_="aws:rds/cluster:Cluster", name="aurora"))
    # Provider SDKs pass an input-type object rather than a dict.
    props = aws.cloudwatch.LogGroupArgs(name="g", skip_destroy=True)
    with pytest.raises(transforms.UndestroyableResourceError, match="DES-02: .* 'g' enables skip_destroy"):
        transforms.refuse_undestroyable(transformation_args(
            props=props, type_="aws:cloudwatch/logGroup:LogGroup", name="g"))


def test_transform_lets_a_destroyable_resource_through(transforms):
    props = aws.rds.ClusterArgs(engine="aurora-postgresql", deletion_protection=False)
    assert transforms.refuse_undestroyable(transformation_args(props=props)) is None
    assert transforms.refuse_undestroyable(transformation_args(pulumi.ResourceOptions(protect=False))) is None


@pytest.mark.parametrize("option", ["protect", "retain_on_delete"])
def test_program_refuses_an_injected_undestroyable_resource(monkeypatch, option):
    """End to end: a resource made protected/retained while the real program runs stops the run."""
    run_main = engine._run_main

    def run_main_with_injection(monitor, main=None):
        def mark_stream(args: pulumi.ResourceTransformationArgs):
            if args.type_ != "aws:kinesis/stream:Stream":
                return None
            opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(**{option: True}))
            return pulumi.ResourceTransformationResult(args.props, opts)

        pulumi.runtime.register_stack_transformation(mark_stream)
        run_main(monitor, main)

    monkeypatch.setattr(engine, "_run_main", run_main_with_injection)
    with pytest.raises(UsageError) as refused:
        render_graph("dev")
    assert str(refused.value).startswith(f"DES-01: aws:kinesis/stream:Stream 'telemetry' sets {option}=True")
