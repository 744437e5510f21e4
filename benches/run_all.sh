#!/usr/bin/env bash
# Every benchmark with its peer or floor in one run, one table at the end (see
# docs/PERFORMANCE.md). Builds the release binary and benches, installs the Python peers
# (python-odata 0.8.1 + lxml, requests) into a local virtual environment, generates the
# F&O-scale $metadata document when missing, and Xvfb for the cold start (as root, apt-get).
#
# usage: benches/run_all.sh [DOCUMENT.xml]
#   FLOWBENCH_BENCH_RUNS (default 5), FLOWBENCH_BENCH_ONLY=metadata,paging,parallel,batch,
#   runner,frames,start, FLOWBENCH_BENCH_QUICK=1 (smaller listings, no million-record run),
#   FLOWBENCH_BENCH_LATENCY_MS (default 300).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
doc="${1:-/tmp/flowbench_fno_scale_metadata.xml}"
venv="${FLOWBENCH_BENCH_VENV:-/tmp/flowbench-bench-venv}"

if [[ ! -f "$doc" ]]; then
  python3 "$repo/../shared/tools/make_fno_scale_metadata.py" "$doc" "$repo"/tests/fixtures/metadata/fno/*.xml
fi
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet "python-odata==0.8.1" lxml requests
command -v curl >/dev/null || { echo "curl is needed for the paging floor" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "GNU time (/usr/bin/time) is needed for peak memory" >&2; exit 1; }
# The cold-start row opens the window on a virtual display with software GL.
if ! command -v Xvfb >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends xvfb libgl1-mesa-dri libegl1 libxkbcommon-x11-0 >/dev/null
fi
command -v Xvfb >/dev/null || echo "Xvfb is missing: the cold-start row is left out" >&2

(cd "$repo" && cargo build --release --locked --bin flowbench && cargo bench --locked --no-run)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
FLOWBENCH_BENCH_PYTHON="$venv/bin/python" python3 "$repo/benches/compare.py" "$doc"
