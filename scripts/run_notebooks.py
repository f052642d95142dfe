"""Execute losslens notebooks headless under the tslab kernel with nbclient, and publish them.

Parameters are injected the way papermill does it: after the cell tagged `parameters`
(which declares `const params = {...}`), a cell tagged `injected-parameters` runs
`Object.assign(params, <json>)`, so the notebook reads the same whether it ran by hand
or headless. A profile names a set of parameters (scripts/profiles.json is the only
definition of them, which `losslens plan --profile` reads too); `--params` is merged on top.

With `--html`, each executed notebook is also exported as self-contained HTML: figures
are the PNG/SVG fallbacks of losslens bundles, embedded as data URIs with their text/plain
as alt text, the page loads no scripts from CDNs, code cells marked
`jupyter.source_hidden` (those that only compute prose) are collapsed behind a "show code"
toggle, and a table of contents follows the title (see `export_html`).

Cells tagged `summary` hold each notebook's key table; `--summary` prints their text
after all notebooks ran.

Before the first notebook starts, the terminal (stderr) says how many trainings the job
needs, and how many runs are already in the cache or trained by an earlier notebook of the
job: `losslens plan` evaluates each notebook's
cell tagged `runs` with its parameters (see `print_plan`). While a notebook runs, it shows
which notebook and cell runs and mirrors each training's progress line (bar, rate, ETA)
from the kernel's progress displays; `--log` keeps every line for later (see `Reporter`).
`--report` writes the same counts as JSON for programs (see `write_report`).
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

KERNEL = "tslab"
ROOT = Path(__file__).resolve().parent.parent

# Full fidelity is the notebooks' own defaults (the question's 10 epochs × 60,000 images).
# Quick is for smoke runs and CI: every step runs, on a few hundred images for one epoch.
PROFILES: dict[str, dict] = json.loads((ROOT / "scripts" / "profiles.json").read_text(encoding="utf-8"))

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


class Reporter:
    """The main job's voice on stderr: lines that stay (`say`) and one status line that is
    redrawn in place on a terminal (`status`; on a pipe it is printed at most every
    STATUS_INTERVAL seconds, or when it changes kind). Every line also goes to the log,
    unthrottled. A heartbeat thread says what runs whenever nothing was shown for
    HEARTBEAT seconds, so the job is never silent for long."""

    STATUS_INTERVAL = 5.0
    HEARTBEAT = 5.0

    def __init__(self, stream: TextIO = sys.stderr, log: TextIO | None = None) -> None:
        self.stream, self.log = stream, log
        self.tty = stream.isatty()
        self.lock = threading.Lock()
        self.status_shown = False
        self.last_shown = time.monotonic()
        self.activity = ""
        self.activity_started = time.monotonic()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._heartbeat, daemon=True)
        self.thread.start()

    def _write_log(self, line: str) -> None:
        if self.log:
            self.log.write(f"{time.strftime('%H:%M:%S')} {line}\n")
            self.log.flush()

    def say(self, line: str) -> None:
        with self.lock:
            if self.status_shown:
                self.stream.write("\r\x1b[2K")
                self.status_shown = False
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_shown = time.monotonic()
            self._write_log(line)

    def status(self, line: str, force: bool = False) -> None:
        with self.lock:
            self._write_log(line)
            now = time.monotonic()
            if self.tty:
                width = 200
                try:
                    import shutil

                    width = shutil.get_terminal_size().columns
                except OSError:
                    pass
                self.stream.write("\r\x1b[2K" + line[: max(20, width - 1)])
                self.status_shown = True
            elif force or now - self.last_shown >= self.STATUS_INTERVAL:
                self.stream.write(line + "\n")
            else:
                return
            self.stream.flush()
            self.last_shown = now

    def doing(self, activity: str) -> None:
        """What runs now, for the heartbeat (e.g. "01-the-question.ipynb: cell 4/19")."""
        self.activity, self.activity_started = activity, time.monotonic()

    def _heartbeat(self) -> None:
        while not self.stopped.wait(1.0):
            if self.activity and time.monotonic() - self.last_shown >= self.HEARTBEAT:
                self.status(f"{self.activity} running for {time.monotonic() - self.activity_started:.0f} s", force=True)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        with self.lock:
            if self.status_shown:
                self.stream.write("\n")
                self.status_shown = False


PROGRESS_MIME = "application/vnd.losslens.progress+json"
FINAL_STATES = {"completed", "interrupted", "diverged", "failed", "cancelled"}


def run_states(part: dict) -> list[dict]:
    """The runs a progress display's part (src/display/progress.ts ProgressPart) stands for."""
    return part.get("points", []) if part.get("kind") == "sweep" else [part]


def state_key(state: dict) -> tuple:
    """What changes a run's line: its state, where its result came from, and the epoch and batch it is at."""
    return (state.get("state"), state.get("origin"), state.get("epoch"), state.get("batch"))


class MirroringClient(NotebookClient):
    """nbclient that mirrors the kernel's progress displays to a Reporter. losslens shows
    each run (or sweep) as one output with a display_id that later update_display_data
    messages replace (src/display/progress.ts); beside its text each carries a typed part
    (PROGRESS_MIME: the runs' states, where a finished run's result came from, the epoch and
    batch of a training), which is all this reads: the text is only shown."""

    def __init__(self, notebook: nbformat.NotebookNode, reporter: Reporter, name: str, **kwargs) -> None:
        super().__init__(notebook, **kwargs)
        self.reporter, self.name = reporter, name
        self.code_cells = sum(1 for cell in notebook.cells if cell.cell_type == "code")
        self.parts: dict[str, dict] = {}
        self.shown: dict[tuple[str, int], tuple] = {}
        self.on_cell_execute = self._cell_starts

    def _cell_starts(self, cell: nbformat.NotebookNode, cell_index: int) -> None:
        number = sum(1 for c in self.nb.cells[: cell_index + 1] if c.cell_type == "code")
        self.reporter.doing(f"{self.name}: cell {number}/{self.code_cells}")

    def process_message(self, msg: dict, cell: nbformat.NotebookNode, cell_index: int):
        content = msg.get("content", {})
        display_id = (content.get("transient") or {}).get("display_id")
        data = content.get("data") or {}
        part, text = data.get(PROGRESS_MIME), data.get("text/plain")
        if msg.get("msg_type") in ("display_data", "update_display_data") and display_id and isinstance(part, dict):
            self._mirror(display_id, part, text if isinstance(text, str) else "")
        return super().process_message(msg, cell, cell_index)

    def _mirror(self, display_id: str, part: dict, text: str) -> None:
        first = display_id not in self.parts
        self.parts[display_id] = part
        if first:
            self.reporter.say(f"  run {len(self.parts)} of {self.name}: {text.splitlines()[0] if text else ''}")
        for index, state in enumerate(run_states(part)):
            line = (state.get("text") or "").strip()
            if not line or state.get("state") == "pending":
                continue
            before, now = self.shown.get((display_id, index)), state_key(state) + (line if not state.get("epoch") else "",)
            if first and part.get("kind") != "sweep":
                # The line just said, as "run N of …".
                self.shown[(display_id, index)] = now
                continue
            if now == before:
                continue
            self.shown[(display_id, index)] = now
            if state.get("state") in FINAL_STATES:
                self.reporter.say(f"  {line}")
            else:
                # Stage changes and epoch ends always show; batch updates at most every STATUS_INTERVAL.
                epoch_end = state.get("batch") is not None and state.get("batch") == state.get("batches")
                self.reporter.status(f"  {line}", force=epoch_end or before is None or before[:3] != now[:3] or now[4] != before[4])

    def counts(self) -> dict[str, int]:
        """Runs so far by where their results came from: trained here, read from the cache, read from the archive."""
        counts = {"trained": 0, "cache": 0, "archive": 0}
        for part in self.parts.values():
            for state in run_states(part):
                if state.get("state") == "completed":
                    counts[{"computed": "trained", "cache": "cache", "archive": "archive"}.get(state.get("origin"), "trained")] += 1
                elif state.get("state") in ("interrupted", "diverged", "failed", "running"):
                    counts["trained"] += 1
        return counts


def execute(
    source: Path, destination: Path, params: dict, timeout: int, reporter: Reporter | None = None
) -> tuple[nbformat.NotebookNode, dict[str, int]]:
    """Runs the notebook into `destination`; returns it with its runs counted by origin (`MirroringClient.counts`)."""
    notebook = nbformat.read(source, as_version=4)
    if params:
        inject_parameters(notebook, params)
    own_reporter = reporter is None
    reporter = reporter or Reporter()
    client = MirroringClient(
        notebook,
        reporter,
        source.name,
        kernel_name=KERNEL,
        timeout=timeout,
        resources={"metadata": {"path": str(source.parent.resolve())}},
    )
    started = time.monotonic()
    reporter.doing(f"{source.name}: starting the tslab kernel")
    try:
        client.execute()
    finally:
        reporter.doing("")
        destination.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, destination)
        counts = client.counts()
        reporter.say(
            f"executed {source} in {time.monotonic() - started:.1f} s ({counts['trained']} training(s) run, "
            f"{counts['cache']} from the cache, {counts['archive']} from the published archive) -> {destination}"
        )
        if own_reporter:
            reporter.close()
    return notebook, counts


def write_report(path: Path, plan: dict | None, notebooks: list[dict]) -> None:
    """The job's counts as JSON, rewritten after each notebook (an interrupted job keeps those that
    ran): `{"plan": <losslens plan --json> or null, "notebooks": [{"notebook", "seconds",
    "trained", "cache", "archive"}]}`, in the order they ran. Replaced whole, never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps({"plan": plan, "notebooks": notebooks}, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


def print_plan(notebooks: list[Path], params: dict, reporter: Reporter) -> dict | None:
    """Says up front how many trainings the notebooks need and how many of their runs come
    from the cache: now (already there) or because an earlier notebook of this job trains
    the same configuration. The runs are each notebook's own (`losslens plan` evaluates its
    cell tagged `runs`, see src/cli/plan.ts); a notebook without that cell is named as not
    counted, never guessed."""
    reporter.doing("counting the trainings (losslens plan)")
    node = shutil.which("node")
    command = [node or "node", str(ROOT / "bin" / "losslens.js"), "plan", *map(str, notebooks), "--params", json.dumps(params), "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False) if node else None
    finally:
        reporter.doing("")
    if done is None or done.returncode != 0:
        why = "node is not on PATH" if done is None else (done.stderr.strip().splitlines() or ["no message"])[-1]
        reporter.say(f"plan: the trainings could not be counted up front ({why})")
        return None
    plan = json.loads(done.stdout)
    lines = []
    for notebook in plan["notebooks"]:
        runs = notebook["runs"]
        if runs is None:
            lines.append(f"  {notebook['notebook']}: not counted (no cell tagged 'runs')")
            continue
        new = [run for run in runs if not run["cached"] and "earlierIn" not in run]
        resumed = sum(1 for run in new if "checkpointEpoch" in run)
        in_cache = sum(1 for run in runs if run["cached"] and run.get("origin") == "cache")
        in_archive = sum(1 for run in runs if run["cached"] and run.get("origin") == "archive")
        earlier = sum(1 for run in runs if not run["cached"] and "earlierIn" in run)
        resuming = f" ({resumed} from a checkpoint of an interrupted run)" if resumed else ""
        lines.append(
            f"  {notebook['notebook']}: {len(runs)} run(s): {len(new)} to train{resuming}, {in_cache} in the cache, "
            f"{in_archive} in the published archive, {earlier} trained earlier in this job"
        )
    totals = plan["totals"]
    not_counted = f"; {totals['uncounted']} notebook(s) not counted" if totals["uncounted"] else ""
    reporter.say(
        f"plan: {totals['toTrain']} training(s) needed for {totals['runs']} run(s); {totals['inCache']} already in the cache, "
        f"{totals['inArchive']} in the published archive, {totals['trainedEarlier']} trained earlier in this job{not_counted}"
    )
    for line in lines:
        reporter.say(line)
    return plan


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
    parser.add_argument("--log", type=Path, help="also append every progress line, unthrottled, to this file")
    parser.add_argument("--report", type=Path, help="write the plan and each notebook's run counts to this JSON file")
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
    custom = f" with custom parameters {json.dumps(extra)}" if extra else ""
    summaries = [f"Profile '{args.profile}'{custom}; parameters {json.dumps(params)}."]
    log = None
    if args.log:
        args.log.parent.mkdir(parents=True, exist_ok=True)
        log = args.log.open("a", encoding="utf-8")
    reporter = Reporter(sys.stderr, log)
    try:
        return run_all(args, params, summaries, reporter)
    finally:
        reporter.close()
        if log:
            log.close()


def run_all(args: argparse.Namespace, params: dict, summaries: list[str], reporter: Reporter) -> int:
    plan = print_plan(args.notebooks, params, reporter)
    executed: list[dict] = []
    if args.report:
        write_report(args.report, plan, executed)
    for number, source in enumerate(args.notebooks, 1):
        started = time.monotonic()
        reporter.say(f"[{number}/{len(args.notebooks)}] running {source}")
        try:
            notebook, counts = execute(source, args.output / source.name, params, args.timeout, reporter)
        except CellExecutionError as error:
            reporter.say(f"{source}: a cell failed; the executed notebook was kept in {args.output}\n{error}")
            return 1
        if args.html:
            reporter.doing(f"{source.name}: exporting HTML")
            export_html(notebook, (args.output / source.name).with_suffix(".html"))
            reporter.doing("")
        seconds = time.monotonic() - started
        if args.report:
            executed.append({"notebook": source.name, "seconds": round(seconds, 1), **counts})
            write_report(args.report, plan, executed)
        texts = summary_text(notebook)
        summaries.append(f"## {source.name} (executed in {seconds:.0f} s)")
        summaries.extend(texts or ["(no cell tagged 'summary' produced output)"])
    if args.summary:
        print("\n\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
