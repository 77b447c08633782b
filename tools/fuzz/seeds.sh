#!/usr/bin/env bash
# Remakes the fuzz tests' seeds from what the repository holds (analyzer, capture-agent, cli):
#  - the analyzer's FlowRecordFuzzTestInputs/<method>/: every flow record that
#    `./migaudit replay samples/` reads, one file each (named by its SHA-1), as the agent
#    publishes it to migaudit.flows;
#  - PolicyFuzzTestInputs/<method>/: samples/policy.yaml and each YAML example in README.md;
#  - capture-agent's CaptureFuzzTestInputs/<method>/sample-*.pcap: the opening frames of each
#    sample capture (tools/fuzz/capture_seeds.py);
#  - cli's ReportFuzzTestInputs/<method>/: the alerts and migration events of that replay and the
#    heartbeat golden file, four lines to a file, as the report reads them from the topics.
# Usage: tools/fuzz/seeds.sh   (from the repository root; needs ./migaudit to run)
set -euo pipefail
cd "$(dirname "$0")/../.."
res=analyzer/src/test/resources/io/migaudit/analyzer/fuzz
records=$res/FlowRecordFuzzTestInputs/anyValueIsSkippedOrJudgedWithoutEscapingException
policies=$res/PolicyFuzzTestInputs/anyTextLoadsOrIsRefusedInOneLine
mkdir -p "$records" "$policies"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

./migaudit replay samples/ --flows "$work/flows.jsonl" --alerts "$work/alerts.jsonl" \
  --events "$work/events.jsonl" >"$work/replay.log" 2>&1 \
  || { cat "$work/replay.log" >&2; exit 1; }
find "$records" -regextype posix-extended -regex ".*/[0-9a-f]{40}" -delete
while IFS= read -r line; do
  name=$(printf '%s' "$line" | sha1sum | cut -c1-40)
  printf '%s' "$line" >"$records/$name"
done <"$work/flows.jsonl"

rm -f "$policies"/*.yaml
cp samples/policy.yaml "$policies/sample-policy.yaml"
awk -v dir="$policies" '
  /^```yaml/ { n++; file = sprintf("%s/readme-%02d.yaml", dir, n); inside = 1; next }
  /^```/ { inside = 0; next }
  inside { print > file }
' README.md
reports=cli/src/test/resources/io/migaudit/cli/report/ReportFuzzTestInputs/anyLinesMakeAReport
mkdir -p "$reports"
find "$reports" -name 'lines-*' -delete
python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), separators=(",", ":")))' \
  <flow-record/src/test/resources/heartbeat-v1.json >"$work/heartbeat.jsonl"
# sorted: the replay's analyzer writes alerts and events in no fixed order
{ sort "$work/alerts.jsonl"; sort "$work/events.jsonl"; cat "$work/heartbeat.jsonl"; } \
  | grep -v '^$' | split -l 4 -d -a 3 - "$reports/lines-"

captures=capture-agent/src/test/resources/io/migaudit/agent/fuzz/CaptureFuzzTestInputs/anyBytesAreReadWithoutEscapingException
find "$captures" -name 'sample-*.pcap' -delete
python3 tools/fuzz/capture_seeds.py samples "$captures"

echo "flow records: $(ls "$records" | wc -l), policies: $(ls "$policies" | wc -l), report inputs: $(ls "$reports" | wc -l), capture seeds: $(ls "$captures" | grep -c '^sample-')"
