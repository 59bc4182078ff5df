from . import SCHEMA_FILE, build
import json

SCHEMA_FILE.write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")
print(SCHEMA_FILE)
