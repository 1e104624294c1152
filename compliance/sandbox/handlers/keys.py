"""KMS-01/02/03: customer-managed keys (rotation, key policy) and their aliases."""

from __future__ import annotations

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, tag_list

DEFAULT_ROTATION_DAYS = 365


@handles("aws:kms/key:Key", not_api=("deletionWindowInDays", "bypassPolicyLockoutSafetyCheck"))
def key(ctx: Context, inputs: Inputs) -> Created:
    kms = ctx.client("kms")
    metadata = kms.create_key(**compact(
        Description=inputs.get("description"), KeyUsage=inputs.get("keyUsage"),
        KeySpec=inputs.get("customerMasterKeySpec"), Policy=inputs.get("policy"),
        MultiRegion=inputs.get("multiRegion"), CustomKeyStoreId=inputs.get("customKeyStoreId"),
        XksKeyId=inputs.get("xksKeyId"),
        Tags=tag_list(inputs.get("tags"), "TagKey", "TagValue")))["KeyMetadata"]
    key_id = metadata["KeyId"]
    rotation = bool(inputs.get("enableKeyRotation", False))
    period = num(inputs.get("rotationPeriodInDays", DEFAULT_ROTATION_DAYS))
    if rotation:
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=period)
    enabled = bool(inputs.get("isEnabled", True))
    if not enabled:
        kms.disable_key(KeyId=key_id)
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    return Created(key_id, {
        "arn": metadata["Arn"], "keyId": key_id, "isEnabled": enabled, "enableKeyRotation": rotation,
        "rotationPeriodInDays": period if rotation else 0, "policy": policy,
        "keyUsage": metadata.get("KeyUsage", "ENCRYPT_DECRYPT"),
        "customerMasterKeySpec": metadata.get("KeySpec", "SYMMETRIC_DEFAULT"),
        "multiRegion": bool(metadata.get("MultiRegion", False)),
    })


@handles("aws:kms/alias:Alias")
def alias(ctx: Context, inputs: Inputs) -> Created:
    kms = ctx.client("kms")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix") or "alias/")
    target = inputs["targetKeyId"]
    kms.create_alias(AliasName=name, TargetKeyId=target)
    target_arn = kms.describe_key(KeyId=target)["KeyMetadata"]["Arn"]
    return Created(name, {"arn": ctx.arn("kms", name), "name": name, "targetKeyArn": target_arn})


@handles("aws:kms/keyPolicy:KeyPolicy", not_api=("bypassPolicyLockoutSafetyCheck",))
def key_policy(ctx: Context, inputs: Inputs) -> Created:
    """KMS-03: a key policy managed apart from its key (it replaces the key's policy)."""
    ctx.client("kms").put_key_policy(KeyId=inputs["keyId"], PolicyName="default", Policy=inputs["policy"])
    return Created(inputs["keyId"])
