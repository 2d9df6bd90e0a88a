"""axe-core in the browser tests: inject the npm copy into a page, run the WCAG 2.0/2.1 A and
AA rules, and report violations readably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                     resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.map(t => [].concat(t).join(" >>> "))
      .join(" | ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 200))}));
}"""


def axe_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """The page's axe violations (tags wcag2a, wcag2aa, wcag21a, wcag21aa)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through the debugging protocol: the page's CSP does not apply
        page.evaluate(axe_source + "\n;void 0")
    return list(page.evaluate(RUN, TAGS))


def assert_no_violations(page: Any, axe_source: str, where: str) -> None:
    """Fail with the rule ids, targets and summaries of any violation."""
    found = axe_violations(page, axe_source)
    assert found == [], f"{where}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found)
