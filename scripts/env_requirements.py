"""Print the pip requirements of environment.yml, one a line (for `pip install -r`)."""
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as handle:
    environment = yaml.safe_load(handle)

for dependency in environment["dependencies"]:
    if isinstance(dependency, dict) and "pip" in dependency:
        print("\n".join(dependency["pip"]))
