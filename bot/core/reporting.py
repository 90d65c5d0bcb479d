"""Plain-text lines describing what a build or re-index changed (shared by the CLI and /reindex)."""

from __future__ import annotations

from bot.core.models import ChangeReport


def describe_change_lines(report: ChangeReport) -> list[str]:
    """Human-readable diff of a ChangeReport, most important first."""
    lines = [f"build {report.build_id}"]
    for label, ids in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        if ids:
            lines.append(f"articles {label}: {', '.join(ids)}")
    for name, reason in report.skipped:
        lines.append(f"skipped {name}: {reason}")
    for recovered in report.recovered:
        lines.append(f"recovered: {recovered}")
    if report.is_noop and not report.skipped:
        lines.append("no article changed")
    lines.append(
        f"chunks: +{report.chunks_added} -{report.chunks_removed} ({report.chunks_embedded} embedded, the rest reused)"
    )
    added = [c for c in report.fact_changes if not c.before]
    removed = [c for c in report.fact_changes if not c.after]
    changed = [c for c in report.fact_changes if c.before and c.after]
    if report.fact_changes:
        lines.append(f"benchmark facts: +{len(added)} -{len(removed)} ~{len(changed)}")
    for change in changed:
        lines.append(f"  {change.benchmark}, {change.model} ({change.article_id}): {change.before} → {change.after}")
    for line in report.conflicts_introduced:
        lines.append(f"new conflict: {line}")
    for line in report.conflicts_resolved:
        lines.append(f"conflict resolved: {line}")
    if report.now_answered:
        count = len(report.now_answered)
        lines.append(f"now answered: {count} earlier question{'s' if count != 1 else ''}")
        lines.extend(f"  “{question}”" for question in report.now_answered)
    return lines
