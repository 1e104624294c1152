"""LOG-01: the audit trail is multi-region, validated, with Insights, and records data events on every data store.

Two decisions, one per kind of resource:

* ``decide_trail``: a trail is multi-region, validates its log files, logs (absent
  ``enableLogging`` means it does), has the ``ApiCallRateInsight`` and
  ``ApiErrorRateInsight`` Insights, and records data events of S3 objects and
  DynamoDB tables at all;
* ``decide_store``: a data store (a bucket, or a table; a trail's own log bucket
  is none) is covered by some trail's data-event selectors, reads and writes, the
  whole store:

  - basic selectors: ``ReadWriteType`` All (the default); an S3 value is a prefix of
    object ARNs, so it covers the bucket when it is a prefix of
    ``arn:aws:s3:::<bucket>/`` (``arn:aws:s3``, ``arn:aws:s3:::<bucket>/``), never a
    prefix inside it (``<bucket>/logs/``) nor a namesake (``<bucket>-old/``); a
    DynamoDB value is the table's ARN or ``arn:aws:dynamodb`` (every table);
  - advanced selectors: ``eventCategory`` Data and ``resources.type`` the store's
    kind; ``resources.ARN`` absent (every store of the kind) or ``StartsWith`` a
    prefix of the store's ARN (``Equals`` names single S3 objects, and a table
    exactly); any excluding condition that reaches the store (``NotStartsWith`` it
    or a prefix inside it, ``NotEquals``/``NotEndsWith``), ``EndsWith``, ``readOnly``
    or any other field narrows the selector to part of the store: no coverage.

  While selector values are unknown (a first preview), a selector input computed
  from the store counts as naming it, except in advanced selectors that use an
  excluding operator (a reference there may be the exclusion); known values
  always decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from controls.values import MISSING, UNKNOWN, as_list, describe, lookup, truthy
from controls.verdict import Judgement, Verdict, not_applicable

CONTROL = "LOG-01"

S3_OBJECT = "AWS::S3::Object"
DYNAMODB_TABLE = "AWS::DynamoDB::Table"
DATA_KINDS = {S3_OBJECT: "the S3 buckets", DYNAMODB_TABLE: "the DynamoDB tables"}
INSIGHTS = ("ApiCallRateInsight", "ApiErrorRateInsight")
_EVERY_TABLE = "arn:aws:dynamodb"
_WHOLE_STORE_FIELDS = frozenset({"eventCategory", "resources.type", "resources.ARN"})


@dataclass(frozen=True)
class DataResource:
    type: Any
    values: Any  # a tuple of ARNs (entries may be ``UNKNOWN``), or ``UNKNOWN``


@dataclass(frozen=True)
class BasicSelector:
    read_write_type: Any  # "All" (also when ``MISSING``), "ReadOnly", "WriteOnly"
    data_resources: Any  # a tuple of ``DataResource``, or ``UNKNOWN``


@dataclass(frozen=True)
class FieldSelector:
    """One field condition of an advanced selector; each operator holds a tuple of values (or ``UNKNOWN``)."""

    field: Any
    equals: Any = ()
    starts_with: Any = ()
    ends_with: Any = ()
    not_equals: Any = ()
    not_starts_with: Any = ()
    not_ends_with: Any = ()

    def excludes(self) -> bool:
        return any(op is UNKNOWN or bool(op) for op in (self.not_equals, self.not_starts_with, self.not_ends_with))


@dataclass(frozen=True)
class AdvancedSelector:
    fields: Any  # a tuple of ``FieldSelector``, or ``UNKNOWN``


@dataclass(frozen=True)
class Selectors:
    """A trail's data-event selectors, and the stores (by ``Store.key``) each kind of selector input is computed from."""

    basic: Any = ()  # a tuple of ``BasicSelector``, or ``UNKNOWN``
    advanced: Any = ()  # a tuple of ``AdvancedSelector``, or ``UNKNOWN``
    basic_refers_to: frozenset[str] = frozenset()
    advanced_refers_to: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Trail:
    name: str
    multi_region: Any
    log_file_validation: Any
    logging: Any  # ``MISSING``: the trail logs (the provider's default)
    insights: Any  # the insight types (a tuple, entries may be ``UNKNOWN``), or ``UNKNOWN``
    selectors: Selectors = field(default_factory=Selectors)


@dataclass(frozen=True)
class Store:
    key: str  # how the adapter names the store in ``Selectors.*_refers_to``
    kind: str  # S3_OBJECT or DYNAMODB_TABLE
    name: Any  # the bucket or table name
    label: str  # how messages name it
    log_bucket: bool = False  # a bucket a trail writes its log files to


# -- reading selectors, in each layer's vocabulary -----------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """The key names of one layer's selector shapes (Pulumi inputs, Terraform plan values, CloudTrail's API)."""

    read_write_type: str
    data_resources: str
    type: str
    values: str
    field_selectors: str
    field: str
    operators: tuple[str, str, str, str, str, str]  # equals, startsWith, endsWith, notEquals, notStartsWith, notEndsWith
    insight_type: str


PULUMI = Vocabulary("readWriteType", "dataResources", "type", "values", "fieldSelectors", "field",
                    ("equals", "startsWiths", "endsWiths", "notEquals", "notStartsWiths", "notEndsWiths"), "insightType")
TERRAFORM = Vocabulary("read_write_type", "data_resource", "type", "values", "field_selector", "field",
                       ("equals", "starts_with", "ends_with", "not_equals", "not_starts_with", "not_ends_with"),
                       "insight_type")
API = Vocabulary("ReadWriteType", "DataResources", "Type", "Values", "FieldSelectors", "Field",
                 ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith"), "InsightType")


def read_selectors(basic: Any, advanced: Any, words: Vocabulary, basic_refers_to: Iterable[str] = (),
                   advanced_refers_to: Iterable[str] = ()) -> Selectors:
    """Selectors from plain data (lists of dicts; ``MISSING``/``UNKNOWN`` anywhere) named in ``words``."""
    return Selectors(
        basic=UNKNOWN if basic is UNKNOWN else tuple(_basic(s, words) for s in as_list(basic)),
        advanced=UNKNOWN if advanced is UNKNOWN else tuple(_advanced(s, words) for s in as_list(advanced)),
        basic_refers_to=frozenset(basic_refers_to), advanced_refers_to=frozenset(advanced_refers_to))


def read_insights(selectors: Any, words: Vocabulary) -> Any:
    """The insight types of a trail's insight selectors (``UNKNOWN`` while unknown)."""
    if selectors is UNKNOWN:
        return UNKNOWN
    return tuple(UNKNOWN if s is UNKNOWN else lookup(s, words.insight_type) for s in as_list(selectors))


def _listed(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else tuple(as_list(value))


def _basic(selector: Any, words: Vocabulary) -> BasicSelector:
    if selector is UNKNOWN:
        return BasicSelector(UNKNOWN, UNKNOWN)
    resources = lookup(selector, words.data_resources)
    return BasicSelector(lookup(selector, words.read_write_type), UNKNOWN if resources is UNKNOWN else tuple(
        DataResource(UNKNOWN, UNKNOWN) if r is UNKNOWN else DataResource(lookup(r, words.type),
                                                                         _listed(lookup(r, words.values)))
        for r in as_list(resources)))


def _advanced(selector: Any, words: Vocabulary) -> AdvancedSelector:
    fields = UNKNOWN if selector is UNKNOWN else lookup(selector, words.field_selectors)
    if fields is UNKNOWN:
        return AdvancedSelector(UNKNOWN)
    return AdvancedSelector(tuple(
        FieldSelector(UNKNOWN) if f is UNKNOWN else
        FieldSelector(lookup(f, words.field), *(_listed(lookup(f, op)) for op in words.operators))
        for f in as_list(fields)))


# -- the trail ------------------------------------------------------------------

def decide_trail(trail: Trail) -> Verdict:
    judgement = Judgement()
    for path, value in (("isMultiRegionTrail", trail.multi_region), ("enableLogFileValidation",
                                                                      trail.log_file_validation)):
        if value is UNKNOWN:
            judgement.unknown(path)
        elif not truthy(value):
            judgement.fail(f"{path} is {describe(value)}: set {path} to true.", path)
    if trail.logging is UNKNOWN:
        judgement.unknown("enableLogging")
    elif trail.logging is not MISSING and not truthy(trail.logging):
        judgement.fail("enableLogging is false, so the trail records nothing: set enableLogging to true (or leave it "
                       "unset).", "enableLogging")
    if trail.insights is UNKNOWN or UNKNOWN in _items(trail.insights):
        judgement.unknown("insightSelectors")
    else:
        missing = [i for i in INSIGHTS if i not in trail.insights]
        if missing:
            judgement.fail(f"insightSelectors lacks {', '.join(missing)}: add an insight selector for each.",
                           "insightSelectors")
    kinds = _data_kinds(trail.selectors)
    if kinds is None:
        judgement.unknown("eventSelectors")
    else:
        missing = [kind for kind in DATA_KINDS if kind not in kinds]
        if missing:
            judgement.fail(f"no data events for {' and '.join(DATA_KINDS[k] for k in missing)}: add event selectors "
                           f"with dataResources of type {', '.join(missing)}.", "eventSelectors")
    return judgement.verdict("multi-region, validated, logging, with API call and error rate Insights and data events "
                             "on S3 objects and DynamoDB tables")


def _data_kinds(selectors: Selectors) -> set[str] | None:
    """The kinds of data the trail records events for at all; None while that is unknown."""
    if selectors.basic is UNKNOWN or selectors.advanced is UNKNOWN:
        return None
    found: list[Any] = []
    for selector in selectors.basic:
        if selector.data_resources is UNKNOWN:
            return None
        found += [resource.type for resource in selector.data_resources]
    for selector in selectors.advanced:
        if selector.fields is UNKNOWN:
            return None
        by_field = _by_field(selector.fields)
        if by_field is None:
            return None
        category, kind = by_field.get("eventCategory"), by_field.get("resources.type")
        if (category and UNKNOWN in _items(category.equals)) or (kind and UNKNOWN in _items(kind.equals)):
            return None
        if category and "Data" in _items(category.equals) and kind:
            found += list(_items(kind.equals))
    return None if UNKNOWN in found else {str(kind) for kind in found}


# -- a data store -----------------------------------------------------------------

def decide_store(store: Store, trails: Iterable[Trail]) -> Verdict:
    if store.log_bucket:
        return not_applicable("a trail's log bucket holds the trail's own log files, not data: recording its data "
                              "events would log every delivery of the trail")
    judgement = Judgement()
    covering, undecided = [], False
    for trail in trails:
        covered = covers(trail.selectors, store)
        if covered:
            covering.append(trail.name)
        undecided = undecided or covered is None
    if covering:
        return judgement.verdict(f"data events recorded by trail {', '.join(repr(n) for n in covering)}")
    if undecided:
        judgement.unknown("eventSelectors", f"the trails' data-event selectors for {store.label} are not known until "
                                            "apply, so its coverage cannot be judged yet")
    else:
        judgement.fail(f"{store.label} is not in any trail's data-event selectors: add its ARN to the trail's "
                       f"{store.kind} data resources.", "eventSelectors")
    return judgement.verdict("")


def covers(selectors: Selectors, store: Store) -> bool | None:
    """Do the selectors record reads and writes of the whole store? None while unknown values leave it open."""
    by_value = _covers_by_value(selectors, store)
    if by_value is not None:
        return by_value
    advanced = selectors.advanced if selectors.advanced is not UNKNOWN else ()
    excluding = any(f.excludes() for s in advanced if s.fields is not UNKNOWN for f in s.fields)
    if store.key in selectors.basic_refers_to or (store.key in selectors.advanced_refers_to and not excluding):
        return True
    return None


def _covers_by_value(selectors: Selectors, store: Store) -> bool | None:
    undecided = selectors.basic is UNKNOWN or selectors.advanced is UNKNOWN
    for selector in () if selectors.basic is UNKNOWN else selectors.basic:
        covered = _basic_covers(selector, store)
        if covered:
            return True
        undecided = undecided or covered is None
    for selector in () if selectors.advanced is UNKNOWN else selectors.advanced:
        covered = _advanced_covers(selector, store)
        if covered:
            return True
        undecided = undecided or covered is None
    return None if undecided else False


def _basic_covers(selector: BasicSelector, store: Store) -> bool | None:
    if selector.read_write_type is UNKNOWN or selector.data_resources is UNKNOWN:
        return None
    if selector.read_write_type not in (MISSING, "All"):
        return False
    undecided = False
    for resource in selector.data_resources:
        if resource.type is UNKNOWN or resource.values is UNKNOWN:
            undecided = True
            continue
        if resource.type != store.kind:
            continue
        for value in resource.values:
            if value is UNKNOWN or store.name is UNKNOWN:
                undecided = True
            elif _names_whole(value, store, prefix=store.kind == S3_OBJECT):
                return True
    return None if undecided else False


def _advanced_covers(selector: AdvancedSelector, store: Store) -> bool | None:
    if selector.fields is UNKNOWN:
        return None
    by_field = _by_field(selector.fields)
    if by_field is None:
        return None
    category, kind, arns = by_field.get("eventCategory"), by_field.get("resources.type"), by_field.get("resources.ARN")
    if category is None or kind is None:
        return False
    if any(_unknown_in(f) for f in (category, kind)):
        return None
    if "Data" not in _items(category.equals) or store.kind not in _items(kind.equals):
        return False
    if set(by_field) - _WHOLE_STORE_FIELDS:
        return False  # readOnly, eventName, ...: part of the store's events only
    if arns is None:
        return True
    if _unknown_in(arns) or store.name is UNKNOWN:
        return None
    if arns.ends_with or arns.not_ends_with or any(_reaches(value, store) for value in arns.not_starts_with) \
            or any(_names_whole(value, store, prefix=False) or _inside(value, store) for value in arns.not_equals):
        return False
    included = [v for v in _items(arns.starts_with) if _names_whole(v, store, prefix=True)]
    if store.kind == DYNAMODB_TABLE:
        included += [v for v in _items(arns.equals) if _names_whole(v, store, prefix=False)]
    if not (arns.equals or arns.starts_with):
        return True  # only exclusions, none of which reaches the store
    return bool(included)


def _by_field(fields: Sequence[FieldSelector]) -> dict[str, FieldSelector] | None:
    if any(f.field is UNKNOWN for f in fields):
        return None
    return {str(f.field): f for f in fields}


def _unknown_in(selector: FieldSelector) -> bool:
    operators = (selector.equals, selector.starts_with, selector.ends_with, selector.not_equals,
                 selector.not_starts_with, selector.not_ends_with)
    return any(op is UNKNOWN or UNKNOWN in _items(op) for op in operators)


def _items(value: Any) -> tuple[Any, ...]:
    """An operator's values (``UNKNOWN`` stays visible as an entry)."""
    if value is UNKNOWN:
        return (UNKNOWN,)
    return () if value is MISSING or value is None else tuple(value)


def _objects(bucket: Store) -> str:
    """The ARN prefix of every object of a bucket."""
    return f"arn:aws:s3:::{bucket.name}/"


def _names_whole(value: Any, store: Store, *, prefix: bool) -> bool:
    """Does ``value`` (an ARN, or an ARN prefix when ``prefix``) take in every event of the store?"""
    if not isinstance(value, str) or not isinstance(store.name, str):
        return False
    value = _aws_partition(value)
    if store.kind == S3_OBJECT:
        return prefix and value.startswith("arn:aws:s3") and _objects(store).startswith(value)
    if value == _EVERY_TABLE or (prefix and value.startswith(_EVERY_TABLE) and ":table/" not in value):
        return True
    if ":dynamodb:" not in value or ":table/" not in value:
        return False
    table = value.split(":table/", 1)[1]
    return store.name.startswith(table) if prefix else table == store.name


def _reaches(value: Any, store: Store) -> bool:
    """A NotStartsWith value that excludes all or part of the store."""
    return _names_whole(value, store, prefix=True) or _inside(value, store)


def _inside(value: Any, store: Store) -> bool:
    """An ARN (prefix) inside the store: an S3 object or object prefix of the bucket."""
    return isinstance(value, str) and store.kind == S3_OBJECT and _aws_partition(value).startswith(_objects(store))


def _aws_partition(arn: str) -> str:
    """ARNs of the other partitions (aws-cn, aws-us-gov) compared as ``arn:aws:``."""
    parts = arn.split(":", 2)
    return f"arn:aws:{parts[2]}" if len(parts) == 3 and parts[0] == "arn" and parts[1].startswith("aws") else arn
