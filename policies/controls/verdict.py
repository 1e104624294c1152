"""Verdicts: what a control's decision says about one resource, and why.

A decision returns one ``Verdict``:

* ``pass``: the facts meet the control (``reason`` says how);
* ``fail``: one ``Problem`` per violation, each naming what to change and the
  property path (in the decision's own fact vocabulary) that decided it;
* ``unknown``: a fact the decision needs is not known (a value computed at apply
  during a first preview, a plan reference that does not resolve): never a pass;
* ``not_applicable``: the control does not apply to this resource (``reason``
  says why, e.g. an asymmetric KMS key cannot rotate).

A failing verdict may also carry undecided paths: every definite violation is
reported, and what could not be decided is not forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE)


@dataclass(frozen=True)
class Problem:
    """One violation (or one undecided fact): the sentence a user reads, and the path that decided it.

    ``parts`` name the parts of the facts it is about when facts hold several
    (e.g. ``"rule 'ssh'"`` among a security group's permissions), so that an
    adapter can also report it on the resources that declared those parts.
    """

    reason: str
    path: str = ""
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""
    problems: tuple[Problem, ...] = ()
    undecided: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}")

    @property
    def message(self) -> str:
        """One line for a report: the problems of a fail, the undecided facts of an unknown, else the reason."""
        if self.status == FAIL:
            return "; ".join(p.reason for p in self.problems)
        if self.status == UNKNOWN:
            return "; ".join(p.reason for p in self.undecided) or self.reason
        return self.reason

    @property
    def paths(self) -> tuple[str, ...]:
        """The property paths that decided: the problems', else the undecided ones'."""
        chosen = self.problems if self.status == FAIL else self.undecided
        return tuple(dict.fromkeys(p.path for p in chosen if p.path))

    def parts(self) -> frozenset[str]:
        """The parts of the facts that some problem is about (see ``Problem.parts``)."""
        return frozenset(part for p in self.problems for part in p.parts)


def detail_mark(verdict: Verdict, text: str) -> str:
    """A checkov detail that carries an unknown or not_applicable verdict to the static scan's mapping."""
    return f"{verdict.status}: {text}"


def marked_status(detail: str) -> str | None:
    """The verdict status a checkov detail was marked with (``detail_mark``), if any."""
    status = detail.split(": ", 1)[0]
    return status if status in (UNKNOWN, NOT_APPLICABLE) else None


def not_applicable(reason: str) -> Verdict:
    return Verdict(NOT_APPLICABLE, reason)


@dataclass
class Judgement:
    """Collects a decision's problems and undecided facts, then gives the verdict.

    fail wins over unknown (a definite violation is reported even while another
    fact is undecided); unknown wins over pass.
    """

    problems: list[Problem] = field(default_factory=list)
    undecided: list[Problem] = field(default_factory=list)

    def fail(self, reason: str, path: str = "", parts: tuple[str, ...] = ()) -> None:
        self.problems.append(Problem(reason, path, tuple(parts)))

    def unknown(self, path: str, reason: str = "", parts: tuple[str, ...] = ()) -> None:
        self.undecided.append(Problem(reason or f"{path} is not known until apply, so it cannot be judged yet",
                                      path, tuple(parts)))

    def absorb(self, verdict: Verdict) -> None:
        """Take another verdict's problems and undecided facts (for decisions made of several)."""
        self.problems.extend(verdict.problems)
        self.undecided.extend(verdict.undecided)

    def verdict(self, passed: str) -> Verdict:
        if self.problems:
            return Verdict(FAIL, problems=tuple(self.problems), undecided=tuple(self.undecided))
        if self.undecided:
            return Verdict(UNKNOWN, undecided=tuple(self.undecided))
        return Verdict(PASS, passed)
