"""DES-01 / DES-02: every stack must be destroyable by the pipeline that created it.

``refuse_undestroyable`` is registered as a stack transformation before any
resource is declared, so it sees every resource's options. It uses the legacy
synchronous ``register_stack_transformation``: it runs inside each resource's
constructor (the error points at the declaring line) and it works under the
offline engine's mocks.
"""

from __future__ import annotations

import pulumi

# Inputs that would make `pulumi destroy` fail or leave something behind (DES-02).
UNDESTROYABLE_INPUTS = {
    "deletion_protection": "deletion protection",
    "deletion_protection_enabled": "deletion protection",
    "skip_destroy": "skip_destroy (left behind on destroy)",
}


class UndestroyableResourceError(pulumi.RunError):
    """A resource asked to be protected or retained; the message names it and the fix."""


def refuse_undestroyable(args: pulumi.ResourceTransformationArgs) -> None:
    """Raise if a resource sets protect, retain_on_delete or a deletion-protection input."""
    opts = args.opts
    where = f"{args.type_} {args.name!r}"
    if opts is not None and opts.protect:
        raise UndestroyableResourceError(
            f"DES-01: {where} sets protect=True; stacks must be destroyable: remove the protect option"
        )
    if opts is not None and opts.retain_on_delete:
        raise UndestroyableResourceError(
            f"DES-01: {where} sets retain_on_delete=True; stacks must be destroyable: remove the option"
        )
    # Provider SDKs pass an input-type object whose __dict__ holds the snake_case inputs.
    raw = args.props if args.props is not None else {}
    props = raw if isinstance(raw, dict) else vars(raw)
    for prop, what in UNDESTROYABLE_INPUTS.items():
        if props.get(prop) is True:
            raise UndestroyableResourceError(f"DES-02: {where} enables {what}; set {prop}=False")
    return None


def register() -> None:
    pulumi.runtime.register_stack_transformation(refuse_undestroyable)
