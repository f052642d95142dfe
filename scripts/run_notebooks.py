"""Execute losslens notebooks headless under the tslab kernel with nbclient, and publish them.

Parameters are injected the way papermill does it: after the cell tagged `parameters`
(which declares `const params = {...}`), a cell tagged `injected-parameters` runs
`Object.assign(params, <json>)`, so the notebook reads the same whether it ran by hand
or headless. A profile names a set of parameters (PROFILES below is the only definition
of them); `--params` is merged on top.

With `--html`, each executed notebook is also exported as self-contained HTML: figures
are the PNG/SVG fallbacks of losslens bundles, embedded as data URIs, and the page loads
no scripts from CDNs (see `export_html`).

Cells tagged `summary` hold each notebook's key table; `--summary` prints their text
after all notebooks ran.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

KERNEL = "tslab"

# Full fidelity is the notebooks' own defaults (the seed's 10 epochs × 60,000 images).
# Quick is for smoke runs and CI: every step runs, on a few hundred images for one epoch.
PROFILES: dict[str, dict] = {
    "full": {},
    "quick": {"epochs": 1, "trainSamples": 512, "testSamples": 256, "seeds": [1, 2]},
}

# The lab template pulls require.js, MathJax and mermaid from cdnjs. losslens notebooks
# use none of them (no widgets, JavaScript outputs, LaTeX or mermaid diagrams), and
# figures are data-URI images, so the published page drops those script tags and makes
# no network request at all. A notebook that adds LaTeX would need MathJax back.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def cells_tagged(notebook: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if tag in cell.get("metadata", {}).get("tags", [])]


def inject_parameters(notebook: nbformat.NotebookNode, params: dict) -> None:
    cells = notebook.cells
    position = next(
        (i for i, cell in enumerate(cells) if "parameters" in cell.get("metadata", {}).get("tags", [])),
        None,
    )
    if position is None:
        raise SystemExit("the notebook has no cell tagged 'parameters' to inject into")
    cells[:] = [c for c in cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    injected = nbformat.v4.new_code_cell(
        f"Object.assign(params, {json.dumps(params)});",
        metadata={"tags": ["injected-parameters"]},
    )
    cells.insert(position + 1, injected)


def execute(source: Path, destination: Path, params: dict, timeout: int) -> nbformat.NotebookNode:
    notebook = nbformat.read(source, as_version=4)
    if params:
        inject_parameters(notebook, params)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=timeout,
        resources={"metadata": {"path": str(source.parent.resolve())}},
    )
    started = time.monotonic()
    try:
        client.execute()
    finally:
        destination.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, destination)
    print(f"executed {source} in {time.monotonic() - started:.1f} s -> {destination}", file=sys.stderr)
    return notebook


def export_html(notebook: nbformat.NotebookNode, destination: Path) -> None:
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"losslens-offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="losslens-offline.html.j2",
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": destination.stem}})
    destination.write_text(body, encoding="utf-8")
    print(f"published {destination}", file=sys.stderr)


def summary_text(notebook: nbformat.NotebookNode) -> list[str]:
    texts = []
    for cell in cells_tagged(notebook, "summary"):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = data.get("text/markdown") or data.get("text/plain") or output.get("text")
            if text:
                texts.append(text if isinstance(text, str) else "".join(text))
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, required=True, help="folder for the executed notebooks (and HTML)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full", help="named parameter set (default: full)")
    parser.add_argument("--params", default="{}", help="JSON object merged into each notebook's params, over the profile")
    parser.add_argument("--html", action="store_true", help="also write self-contained HTML next to each executed notebook")
    parser.add_argument("--summary", action="store_true", help="print the outputs of cells tagged 'summary' at the end")
    parser.add_argument("--timeout", type=int, default=-1, help="seconds per cell (-1: no limit)")
    args = parser.parse_args()
    try:
        extra = json.loads(args.params)
    except json.JSONDecodeError as error:
        parser.error(f"--params is not JSON: {error}")
    if not isinstance(extra, dict):
        parser.error("--params must be a JSON object")
    params = {**PROFILES[args.profile], **extra}
    for source in args.notebooks:
        if not source.is_file():
            parser.error(f"no notebook at {source}")
    summaries = [f"Profile '{args.profile}', parameters {json.dumps(params)}."]
    for source in args.notebooks:
        started = time.monotonic()
        try:
            notebook = execute(source, args.output / source.name, params, args.timeout)
        except CellExecutionError as error:
            print(f"{source}: a cell failed; the executed notebook was kept in {args.output}\n{error}", file=sys.stderr)
            return 1
        if args.html:
            export_html(notebook, (args.output / source.name).with_suffix(".html"))
        texts = summary_text(notebook)
        summaries.append(f"## {source.name} (executed in {time.monotonic() - started:.0f} s)")
        summaries.extend(texts or ["(no cell tagged 'summary' produced output)"])
    if args.summary:
        print("\n\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
