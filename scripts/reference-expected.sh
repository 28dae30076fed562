#!/usr/bin/env bash
# Regenerate the reference-parity fixture: 2,000 generated raw Gitea issues and what the reference
# Python triage (run_cycle.py --score-file) makes of them. Timings and reasons are dropped: the
# parity test compares scores, classification and decisions only.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
reference="${REFERENCE_DIR:-$here/bench/reference-python}"
python="${REFERENCE_PYTHON:-/usr/bin/python3}"
count="${COUNT:-2000}"
seed="${SEED:-20260320}"
out="$here/test/fixtures/reference"

mkdir -p "$out"
cd "$here"
npx tsx bench/generate-issues.ts "$count" "$seed" > "$out/issues.json"

"$python" "$reference/run_cycle.py" --score-file "$out/issues.json" | "$python" -c '
import json, sys
result = json.load(sys.stdin)
decisions = {d["issue_number"]: d for d in result["decisions"]}
keep = ("number", "score", "scope", "acceptance", "alignment", "issue_type", "is_p0", "is_blocked", "ready")
rows = []
for s in result["scores"]:
    row = {k: s[k] for k in keep}
    d = decisions[s["number"]]
    row["action"] = d["action"]
    row["agent"] = d["agent"]
    rows.append(json.dumps(row, separators=(",", ":")))
sys.stdout.write("[\n" + ",\n".join(rows) + "\n]\n")
' > "$out/expected.json"

echo "wrote $out/issues.json ($(wc -c < "$out/issues.json") bytes) and $out/expected.json ($(wc -c < "$out/expected.json") bytes)" >&2
