"""axe-core in the browser tests: the WCAG 2.0/2.1 A and AA rules run on a page the tests have drawn.

axe-core is an npm package installed into tests/node_modules by `.ci/run` (tests/package.json and its lock file
pin the version); the tests inject the file into the page, so nothing is fetched while they run.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page, context: str = "document") -> list[dict]:
    """axe's violations of the WCAG 2.1 A and AA rules on the page as drawn: each with its rule id, impact, help and
    the nodes (CSS target, HTML, failure summary)."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` in tests/ (.ci/run does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async ([context, tags]) => {
            const result = await axe.run(eval(context), {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))}));
        }""",
        [context, WCAG_AA],
    )


def summary(found: list[dict]) -> dict[str, int]:
    """Rule id -> number of nodes that fail it."""
    return {v["id"]: len(v["nodes"]) for v in found}
