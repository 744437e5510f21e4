#!/usr/bin/env bash
# Times python-odata (PyPI package `python-odata`, module `odata`) and flowbench on the same
# F&O-scale $metadata document in one run, and prints the ratio.
#
# usage: benches/compare_python_odata.sh [DOCUMENT.xml]
#   DOCUMENT defaults to /tmp/flowbench_fno_scale_metadata.xml and is generated from the F&O
#   fixtures with ../shared/tools/make_fno_scale_metadata.py when missing.
#   PYTHON_ITERATIONS (default 3), FLOWBENCH_BENCH_ITERATIONS (default 9),
#   PYODATA_FULL=1 also times python-odata's full reflection (get_entity_sets; slow).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
doc="${1:-/tmp/flowbench_fno_scale_metadata.xml}"
venv="${PYODATA_VENV:-/tmp/flowbench-pyodata-venv}"
python_iterations="${PYTHON_ITERATIONS:-3}"

if [[ ! -f "$doc" ]]; then
  python3 "$repo/../shared/tools/make_fno_scale_metadata.py" "$doc" "$repo"/tests/fixtures/metadata/fno/*.xml
fi

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet "python-odata==0.8.1"

echo "== python-odata $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("python-odata"))') on $doc"
python_out="$("$venv/bin/python" - "$doc" "$python_iterations" <<'PY'
import os, statistics, sys, time
from odata import ODataService
from odata.metadata import ET, has_lxml

path, iterations = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
service = ODataService("http://127.0.0.1:9/data/", reflect_entities=False, quiet_progress=True)
metadata = service.metadata
runs = []
for _ in range(iterations):
    start = time.perf_counter()
    # What python-odata does with a downloaded $metadata before building classes:
    # ElementTree parse + MetaData.parse_document into its schema dictionaries.
    schemas, entity_sets, actions, functions = metadata.parse_document(ET.fromstring(data))
    runs.append((time.perf_counter() - start) * 1e3)
entity_types = sum(len(s["entities"]) for s in schemas)
print(f"lxml={has_lxml} entity_sets={len(entity_sets)} entity_types={entity_types} actions={len(actions)}")
print("runs_ms=" + ",".join(f"{r:.0f}" for r in runs))
print(f"python_parse_median_ms={statistics.median(runs):.1f}")
if os.environ.get("PYODATA_FULL") == "1":
    metadata.load_document = lambda: ET.fromstring(data)
    start = time.perf_counter()
    metadata.get_entity_sets()
    print(f"python_reflect_ms={(time.perf_counter() - start) * 1e3:.1f}")
PY
)"
echo "$python_out"

echo "== flowbench (cargo bench --bench metadata, release)"
rust_out="$(cd "$repo" && cargo bench --quiet --bench metadata -- "$doc" 2>/dev/null)"
echo "$rust_out"

py_ms="$(sed -n 's/^python_parse_median_ms=//p' <<<"$python_out")"
rs_ms="$(sed -n 's/^parse_median_ms=\([0-9.]*\).*/\1/p' <<<"$rust_out")"
echo "== ratio"
python3 -c "print(f'python-odata parse_document {float($py_ms):.1f} ms / flowbench parse_metadata {float($rs_ms):.1f} ms = {float($py_ms) / float($rs_ms):.1f}x')"
reflect_ms="$(sed -n 's/^python_reflect_ms=//p' <<<"$python_out")"
if [[ -n "$reflect_ms" ]]; then
  python3 -c "print(f'python-odata get_entity_sets {float($reflect_ms):.1f} ms / flowbench parse_metadata {float($rs_ms):.1f} ms = {float($reflect_ms) / float($rs_ms):.1f}x')"
fi
