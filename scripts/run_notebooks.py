"""Execute losslens notebooks headless under the tslab kernel with nbclient, and publish them.

Parameters are injected the way papermill does it: after the cell tagged `parameters`
(which declares `const params = {...}`), a cell tagged `injected-parameters` runs
`Object.assign(params, <json>)`, so the notebook reads the same whether it ran by hand
or headless. A profile names a set of parameters (PROFILES below is the only definition
of them); `--params` is merged on top.

With `--html`, each executed notebook is also exported as self-contained HTML: figures
are the PNG/SVG fallbacks of losslens bundles, embedded as data URIs with their text/plain
as alt text, the page loads no scripts from CDNs, code cells marked
`jupyter.source_hidden` (those that only compute prose) are collapsed behind a "show code"
toggle, and a table of contents follows the title (see `export_html`).

Cells tagged `summary` hold each notebook's key table; `--summary` prints their text
after all notebooks ran.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from html.parser import HTMLParser
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
# Reading aids for published pages. A cell whose metadata says `jupyter.source_hidden`
# (JupyterLab collapses its input too) shows its output with the code behind a native
# <details> toggle, so the reader can still open it and no script is needed. Figures get
# their bundle's text/plain as alt text. `add_contents` puts a table of contents under the
# title.
READABLE_BLOCKS = """
{% block input_group -%}
{%- if cell.metadata.get('jupyter', {}).get('source_hidden') -%}
<details class="losslens-hidden-source"><summary>show the code that computes this text</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock input_group %}

{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
<img src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}"
 alt="{{ output.data.get('text/plain', '') | escape_html }}">
</div>
{%- endblock data_svg %}

{% block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ output.data.get('text/plain', '') | escape_html }}">
</div>
{%- endblock data_png %}

{% block extra_css -%}
{{ super() }}
<style>
.losslens-hidden-source > summary { cursor: pointer; color: var(--jp-ui-font-color2); font-size: var(--jp-ui-font-size1);
  padding: 2px 0 2px calc(var(--jp-cell-prompt-width) + 4px); }
.losslens-contents { margin: 0 0 1em; padding: 0.5em 1em; border-left: 3px solid var(--jp-border-color1); }
.losslens-contents ol { margin: 0.25em 0; }
</style>
{%- endblock extra_css %}
"""

OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
""" + READABLE_BLOCKS


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
    destination.write_text(add_contents(body), encoding="utf-8")
    print(f"published {destination}", file=sys.stderr)


class _Headings(HTMLParser):
    """Collects the h2/h3 headings (id and text) of an exported notebook page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._in_anchor = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("h2", "h3") and values.get("id"):
            self._open, self._text = (int(tag[1]), values["id"] or ""), []
        elif tag == "a" and self._open and "anchor-link" in (values.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = False
        elif self._open and tag == f"h{self._open[0]}":
            self.headings.append((self._open[0], self._open[1], "".join(self._text).strip()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._in_anchor:
            self._text.append(data)


def add_contents(body: str) -> str:
    """The page with a table of contents of its h2/h3 headings inserted after its first h1."""
    parser = _Headings()
    parser.feed(body)
    title_end = body.find("</h1>")
    if title_end < 0 or not parser.headings:
        return body
    items, depth = [], 2
    for level, anchor, text in parser.headings:
        if level > depth:
            items.append("<ol>")
        elif level < depth:
            items.append("</li></ol></li>")
        elif items:
            items.append("</li>")
        depth = level
        items.append(f'<li><a href="#{html.escape(anchor)}">{html.escape(text)}</a>')
    items.append("</li>" + "</ol></li>" * (depth - 2))
    nav = f'<nav class="losslens-contents" aria-label="Contents"><strong>Contents</strong><ol>{"".join(items)}</ol></nav>'
    # The h1 sits in a markdown cell's rendered div; the list goes right after the heading.
    insert_at = title_end + len("</h1>")
    return body[:insert_at] + nav + body[insert_at:]


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
