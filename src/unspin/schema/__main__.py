import json

from . import SCHEMA_FILE, build

SCHEMA_FILE.write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")
print(SCHEMA_FILE)
