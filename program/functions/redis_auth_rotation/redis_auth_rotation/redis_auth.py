"""Does Redis accept a token? One connection, TLS and AUTH as the clients use them, then PING.

ElastiCache requires TLS for AUTH (in-transit encryption); its certificates
chain to public roots, so the default trust store verifies them and the
endpoint's name. A refused token is an answer (False); anything else that stops
the check (no route, TLS failure, timeout) is an error: the step must fail, not
guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

CONNECT_TIMEOUT_SECONDS = 3.0
COMMAND_TIMEOUT_SECONDS = 3.0


class RedisUnreachable(Exception):
    """The AUTH check could not run (network, TLS, timeout); the message names the cause, never a token."""


@dataclass(frozen=True)
class RedisAuthProbe:
    host: str
    port: int
    tls: bool

    def accepts(self, token: str) -> bool:
        """True if Redis authenticates ``token`` and answers PING; False if it refuses the token."""
        client = redis.Redis(
            host=self.host, port=self.port, ssl=self.tls, password=token,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=COMMAND_TIMEOUT_SECONDS, retry=None,
        )
        try:
            return client.ping() is True
        except redis.AuthenticationError:
            return False
        except (redis.RedisError, OSError) as error:
            raise RedisUnreachable(f"cannot check the AUTH token on {self.host}:{self.port}: "
                                   f"{type(error).__name__}") from None
        finally:
            client.close()
