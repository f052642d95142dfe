"""Stands in for the rfc3987-syntax package in Ray's processes (put this folder first on PYTHONPATH).

Every Ray process imports jsonschema (for runtime_env schemas), and jsonschema imports
rfc3987-syntax when it is installed (Jupyter's jsonschema[format-nongpl] extra installs it
in .venv), which compiles a Lark grammar at import: about 3 s of CPU per process, on every
Ray worker and agent. On a busy 2-core machine that pushed the dashboard agent's start past
the raylet's fixed wait and `ray start` failed. jsonschema imports it under
`suppress(ImportError)` and Ray never validates IRIs, so failing the import costs nothing.
"""

raise ImportError("rfc3987_syntax is shadowed in losslens's Ray processes (scripts/ray_env)")
