"""The stack's configuration, read and validated before any resource is declared.

Every check raises ``ConfigError`` (a ``ValueError``) with ONE line that names the
key and what it accepts; the offline engine turns that into exit code 2, and
``pulumi preview`` prints it as the program's error. Nothing here declares a
resource, so a bad stack file never leaves a half-declared stack behind.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi

PROJECT = "iot-sensor-platform"

# GOV-02: data residency. The plants' data stays in these regions.
APPROVED_REGIONS = ("sa-east-1", "ap-southeast-1")
DEVICE_TYPES = ("temperature", "pressure", "vibration", "production_counter")
DATA_CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")

# Lowercase letters, digits and hyphens, 2-16 characters. It also has to start and
# end with a letter or digit and hold no "--", because it ends RDS and ElastiCache
# identifiers, which reject a trailing or doubled hyphen.
SUFFIX_PATTERN = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{0,14}[a-z0-9]$")
FACILITY_ID_PATTERN = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{0,22}[a-z0-9]$")

AURORA_ACU_MIN, AURORA_ACU_MAX = 0.5, 128.0
KINESIS_RETENTION_MIN_HOURS, KINESIS_RETENTION_MAX_HOURS = 24, 8760
MAX_DEVICES_PER_TYPE = 500
MAX_DEVICES_TOTAL = 10_000

DEFAULT_FACILITIES: list[dict[str, Any]] = [
    {"id": "plant-1", "devices": [
        {"type": "temperature", "count": 3},
        {"type": "pressure", "count": 2},
        {"type": "vibration", "count": 2},
        {"type": "production_counter", "count": 1},
    ]},
    {"id": "plant-2", "devices": [
        {"type": "temperature", "count": 2},
        {"type": "vibration", "count": 2},
        {"type": "production_counter", "count": 1},
    ]},
]


# The compliance auditor deployed with the platform (program/components/compliance_auditor.py).
SCHEDULE_PATTERN = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$")
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
EVIDENCE_RETENTION_MAX_DAYS = 3650


class ConfigError(ValueError):
    """A config value the program refuses; the message is one line naming the key."""


@dataclass(frozen=True)
class DeviceGroup:
    type: str
    count: int


@dataclass(frozen=True)
class Facility:
    id: str
    devices: tuple[DeviceGroup, ...]


@dataclass(frozen=True)
class AuditorConfig:
    """``complianceAuditor`` (on by default), its schedule and the evidence bucket's Object Lock.

    GOVERNANCE mode keeps the stack destroyable (DES-02): the retention can be bypassed by whoever holds
    s3:BypassGovernanceRetention, which a force-destroy uses. COMPLIANCE mode cannot be bypassed by anyone
    until the retention ends: use it only for an evidence bucket kept in a long-lived stack of its own
    (the catalog's DES-02 exception).
    """

    enabled: bool = True
    schedule: str = "rate(1 day)"
    evidence_retention_days: int = 30
    evidence_lock_mode: str = "GOVERNANCE"


@dataclass(frozen=True)
class PlatformConfig:
    environment_suffix: str
    region: str
    owner: str
    data_classification: str
    facilities: tuple[Facility, ...]
    aurora_min_capacity: float
    aurora_max_capacity: float
    kinesis_retention_hours: int
    require_processor_bundle: bool  # both functions' bundles (processor, Redis AUTH rotation): function_bundle.py
    auditor: AuditorConfig = field(default_factory=lambda: AuditorConfig())

    @property
    def device_types(self) -> list[str]:
        """The device types in use, in catalog order (one IoT thing type each)."""
        used = {group.type for facility in self.facilities for group in facility.devices}
        return [t for t in DEVICE_TYPES if t in used]


def _key(name: str) -> str:
    return name if ":" in name else f"{PROJECT}:{name}"


def _suffix(raw: str | None) -> str:
    key = _key("environmentSuffix")
    if raw is None or raw == "":
        raise ConfigError(f"{key} is required: set it to 2-16 lowercase letters, digits or hyphens (e.g. dev)")
    if not SUFFIX_PATTERN.match(raw):
        raise ConfigError(
            f"{key}={raw!r} is invalid: use 2-16 lowercase letters, digits or hyphens, "
            "starting and ending with a letter or digit, no '--'"
        )
    return raw


def _region(raw: str | None) -> str:
    if raw not in APPROVED_REGIONS:
        shown = "unset" if raw is None else repr(raw)
        raise ConfigError(f"aws:region is {shown}: approved regions are {', '.join(APPROVED_REGIONS)} (GOV-02)")
    return raw


def _choice(name: str, raw: str | None, default: str, allowed: tuple[str, ...] | None = None) -> str:
    value = default if raw is None else raw
    if allowed is not None and value not in allowed:
        raise ConfigError(f"{_key(name)}={value!r} is invalid: allowed values are {', '.join(allowed)}")
    if not value.strip():
        raise ConfigError(f"{_key(name)} must not be empty")
    return value


def _number(name: str, raw: str | None, default: float, low: float, high: float, *, integer: bool) -> float:
    key = _key(name)
    if raw is None:
        return default
    kind = "an integer" if integer else "a number"
    try:
        value = float(json.loads(raw))
    except (ValueError, TypeError):
        raise ConfigError(f"{key}={raw!r} is not {kind}: allowed values are {low:g}..{high:g}") from None
    if math.isnan(value) or not low <= value <= high or (integer and value != int(value)):
        raise ConfigError(f"{key}={raw} is out of range: allowed values are {kind} in {low:g}..{high:g}")
    return value


def _boolean(name: str, raw: str | None, default: bool) -> bool:
    if raw is None:
        return default
    if raw not in ("true", "false"):
        raise ConfigError(f"{_key(name)}={raw!r} is invalid: allowed values are true, false")
    return raw == "true"


def _facilities(raw: str | None) -> tuple[Facility, ...]:
    key = _key("facilities")
    shape = (f"a list of {{id, devices: [{{type, count}}]}} with ids matching {FACILITY_ID_PATTERN.pattern}, "
             f"types from {', '.join(DEVICE_TYPES)}, counts 1..{MAX_DEVICES_PER_TYPE}")
    if raw is None:
        data: Any = DEFAULT_FACILITIES
    else:
        try:
            data = json.loads(raw)
        except ValueError:
            raise ConfigError(f"{key} is not valid JSON/YAML structure: expected {shape}") from None
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{key} must be a non-empty list: expected {shape}")
    facilities: list[Facility] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        where = f"{key}[{index}]"
        if not isinstance(item, dict) or set(item) - {"id", "devices"}:
            raise ConfigError(f"{where} must be a mapping with only 'id' and 'devices': expected {shape}")
        facility_id = item.get("id")
        if not isinstance(facility_id, str) or not FACILITY_ID_PATTERN.match(facility_id):
            raise ConfigError(f"{where}.id={facility_id!r} is invalid: use 2-24 lowercase letters, digits or hyphens")
        if facility_id in seen:
            raise ConfigError(f"{where}.id={facility_id!r} is a duplicate: facility ids must be unique")
        seen.add(facility_id)
        devices = item.get("devices")
        if not isinstance(devices, list) or not devices:
            raise ConfigError(f"{where}.devices must be a non-empty list of {{type, count}}: expected {shape}")
        groups: list[DeviceGroup] = []
        for d_index, group in enumerate(devices):
            d_where = f"{where}.devices[{d_index}]"
            if not isinstance(group, dict) or set(group) != {"type", "count"}:
                raise ConfigError(f"{d_where} must be a mapping with exactly 'type' and 'count': expected {shape}")
            if group["type"] not in DEVICE_TYPES:
                raise ConfigError(f"{d_where}.type={group['type']!r} is invalid: allowed values are {', '.join(DEVICE_TYPES)}")
            count = group["count"]
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_DEVICES_PER_TYPE:
                raise ConfigError(f"{d_where}.count={count!r} is invalid: allowed values are integers 1..{MAX_DEVICES_PER_TYPE}")
            if any(g.type == group["type"] for g in groups):
                raise ConfigError(f"{d_where}.type={group['type']!r} is listed twice for {facility_id}: merge the counts")
            groups.append(DeviceGroup(type=group["type"], count=count))
        facilities.append(Facility(id=facility_id, devices=tuple(groups)))
    total = sum(g.count for f in facilities for g in f.devices)
    if total > MAX_DEVICES_TOTAL:
        raise ConfigError(f"{key} declares {total} devices: allowed values are at most {MAX_DEVICES_TOTAL} per stack")
    return tuple(facilities)


def load() -> PlatformConfig:
    """Read and validate the stack's config; raise ConfigError on the first bad key."""
    project = pulumi.Config(PROJECT)
    aws = pulumi.Config("aws")
    suffix = _suffix(project.get("environmentSuffix"))
    region = _region(aws.get("region"))
    owner = _choice("owner", project.get("owner"), "platform-team")
    classification = _choice("dataClassification", project.get("dataClassification"), "confidential",
                             DATA_CLASSIFICATIONS)
    facilities = _facilities(project.get("facilities"))
    aurora_min = _number("auroraMinCapacity", project.get("auroraMinCapacity"), 0.5,
                         AURORA_ACU_MIN, AURORA_ACU_MAX, integer=False)
    aurora_max = _number("auroraMaxCapacity", project.get("auroraMaxCapacity"), 4.0,
                         AURORA_ACU_MIN, AURORA_ACU_MAX, integer=False)
    for name, value in (("auroraMinCapacity", aurora_min), ("auroraMaxCapacity", aurora_max)):
        if value * 2 != int(value * 2):
            raise ConfigError(f"{_key(name)}={value:g} is invalid: Aurora capacity moves in steps of 0.5 ACU")
    if aurora_min > aurora_max:
        raise ConfigError(
            f"{_key('auroraMinCapacity')}={aurora_min:g} exceeds {_key('auroraMaxCapacity')}={aurora_max:g}: "
            "the minimum must be <= the maximum"
        )
    retention = _number("kinesisRetentionHours", project.get("kinesisRetentionHours"), 24,
                        KINESIS_RETENTION_MIN_HOURS, KINESIS_RETENTION_MAX_HOURS, integer=True)
    return PlatformConfig(
        environment_suffix=suffix,
        region=region,
        owner=owner,
        data_classification=classification,
        facilities=facilities,
        aurora_min_capacity=aurora_min,
        aurora_max_capacity=aurora_max,
        kinesis_retention_hours=int(retention),
        require_processor_bundle=_boolean("requireProcessorBundle", project.get("requireProcessorBundle"), True),
        auditor=_auditor(project),
    )


def _auditor(project: pulumi.Config) -> AuditorConfig:
    schedule = _choice("auditorSchedule", project.get("auditorSchedule"), AuditorConfig.schedule)
    if not SCHEDULE_PATTERN.match(schedule):
        raise ConfigError(f"{_key('auditorSchedule')}={schedule!r} is invalid: use an EventBridge Scheduler "
                          "expression such as rate(1 day), rate(12 hours) or cron(0 3 * * ? *)")
    days = _number("evidenceRetentionDays", project.get("evidenceRetentionDays"), AuditorConfig.evidence_retention_days,
                   1, EVIDENCE_RETENTION_MAX_DAYS, integer=True)
    return AuditorConfig(
        enabled=_boolean("complianceAuditor", project.get("complianceAuditor"), True),
        schedule=schedule,
        evidence_retention_days=int(days),
        evidence_lock_mode=_choice("evidenceLockMode", project.get("evidenceLockMode"), AuditorConfig.evidence_lock_mode,
                                   LOCK_MODES),
    )
