"""The replication group's AUTH token, as ElastiCache changes it: ROTATE, then SET.

``ModifyReplicationGroup`` with ``AuthTokenUpdateStrategy=ROTATE`` adds a token
(the old and the new one are both accepted); with ``SET`` after a ROTATE it
keeps only the given token. Both run asynchronously: the group reports
``modifying`` (and ``PendingModifiedValues.AuthTokenStatus`` ROTATING or
SETTING) until the change is applied, and refuses another modification
meanwhile (InvalidReplicationGroupStateFault).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

POLL_SECONDS = 15


class StillModifying(Exception):
    """The group did not settle before the step's time ran out; Secrets Manager's retry resumes the step."""


@dataclass
class ReplicationGroup:
    client: Any  # a boto3 ElastiCache client
    group_id: str
    sleep: Callable[[float], None]

    def settled(self) -> bool:
        """True when the group is available with no AUTH token change pending."""
        group = self.client.describe_replication_groups(ReplicationGroupId=self.group_id)["ReplicationGroups"][0]
        pending = group.get("PendingModifiedValues") or {}
        return group["Status"] == "available" and not pending.get("AuthTokenStatus")

    def wait_until_settled(self, seconds_left: Callable[[], float]) -> None:
        """Poll until settled; raise StillModifying when the next poll would not fit in the time left."""
        while not self.settled():
            if seconds_left() < POLL_SECONDS:
                raise StillModifying(f"replication group {self.group_id} is still modifying; the step resumes "
                                     "when Secrets Manager retries the rotation")
            self.sleep(POLL_SECONDS)

    def change_token(self, token: str, strategy: str) -> None:
        """``ModifyReplicationGroup(AuthToken, AuthTokenUpdateStrategy=strategy, ApplyImmediately=True)``."""
        self.client.modify_replication_group(
            ReplicationGroupId=self.group_id, AuthToken=token, AuthTokenUpdateStrategy=strategy,
            ApplyImmediately=True,
        )
