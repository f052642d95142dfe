"""Execute losslens notebooks headless under the tslab kernel with nbclient.

Parameters are injected the way papermill does it: after the cell tagged `parameters`
(which declares `const params = {...}`), a cell tagged `injected-parameters` runs
`Object.assign(params, <json>)`, so the notebook reads the same whether it ran by hand
or headless.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL = "tslab"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, required=True, help="folder for the executed notebooks")
    parser.add_argument("--params", default="{}", help="JSON object merged into each notebook's params")
    parser.add_argument("--timeout", type=int, default=-1, help="seconds per cell (-1: no limit)")
    args = parser.parse_args()
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as error:
        parser.error(f"--params is not JSON: {error}")
    if not isinstance(params, dict):
        parser.error("--params must be a JSON object")
    for source in args.notebooks:
        if not source.is_file():
            parser.error(f"no notebook at {source}")
        try:
            execute(source, args.output / source.name, params, args.timeout)
        except CellExecutionError as error:
            print(f"{source}: a cell failed; the executed notebook was kept in {args.output}\n{error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
