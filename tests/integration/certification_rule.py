"""The certification rule (results/README.md, "certification.json"), for the certify tests to
check certify's verdicts against: a profile is met iff at least one of its cells executed
(status not `unsupported`) and every executed cell matched its expectation; not applicable
with no executed cell; otherwise not met."""
import fnmatch


def counted_cells(profile, cells):
    """The ids of `cells` (id -> cell) whose suite/scenario the profile counts, sorted."""
    return sorted(cid for cid, c in cells.items()
                  if any(fnmatch.fnmatchcase(f"{c['suite']}/{c['scenario']}", g)
                         for g in profile["scenarios"]))


def rule_verdict(profile, cells, status_of):
    """(verdict, executed, failing) for `profile` over `cells` (id -> cell), each judged with
    the status and reason `status_of(cell id)` returns against the cell's own expectation."""
    executed = failing = 0
    for cid in counted_cells(profile, cells):
        status, reason = status_of(cid)
        if status == "unsupported":
            continue
        executed += 1
        expected = cells[cid]["expected"]
        matched = status == expected["status"] and all(
            text in reason for text in expected.get("reason_contains", []))
        failing += 0 if matched else 1
    verdict = "not_applicable" if executed == 0 else "not_met" if failing else "met"
    return verdict, executed, failing
