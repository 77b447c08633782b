#!/usr/bin/env bash
# Fuzzes one @FuzzTest class for longer than the build's maxDuration, without touching this tree:
#
#   tools/fuzz/long.sh MODULE TEST_CLASS SECONDS      (from the repository root)
#   e.g. tools/fuzz/long.sh capture-agent CaptureFuzzTest 300
#
# A throwaway git worktree of HEAD gets the test's maxDuration raised to SECONDS and runs it in
# fuzzing mode (Jazzer's JAZZER_FUZZ as the build sets it), in the one surefire execution of MODULE's
# pom that includes it (`mvn -o test-compile surefire:test@ID -Dtest=TEST_CLASS`; -Dtest alone would
# run it once in every execution), with
# this tree's local corpus (MODULE/.cifuzz-corpus) copied in when there is one. Findings (crash-*
# files) are copied back into MODULE's test resources, where the regression run replays them; the
# worktree is removed on exit. Prints Jazzer's last status line and the surefire result.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
module=$1 test=$2 seconds=$3
source=$(grep -rl --include="$test.java" "@FuzzTest" "$module/src/test/java" | head -1)
[ -n "$source" ] || { echo "long.sh: no @FuzzTest class $test in $module" >&2; exit 2; }
# the execution whose <include> names the class (the fuzz tests each have one), else the default
execution=$(awk -v t="/$test.java<" '/<id>/ { id = $0; gsub(/.*<id>|<\/id>.*/, "", id) }
  index($0, t) { print id; exit }' "$module/pom.xml")
execution=${execution:-default-test}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/tree" HEAD
[ -d "$module/.cifuzz-corpus" ] && cp -r "$module/.cifuzz-corpus" "$work/tree/$module/"
sed -i -E "s/maxDuration = \"[0-9]+[smh]\"/maxDuration = \"${seconds}s\"/" "$work/tree/$source"
(cd "$work/tree" && mvn -o -B -pl "flow-record,$module" -am test-compile "surefire:test@$execution" -Dtest="$test" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true -Djacoco.skip=true) \
  >"$work/fuzz.log" 2>&1 || status=$?
grep -E '^#[0-9]+' "$work/fuzz.log" | tail -1 || true
grep -E 'Tests run:.*in ' "$work/fuzz.log" | tail -1 || true
inputs=$(dirname "${source/src\/test\/java/src\/test\/resources}")/${test}Inputs
found=$(find "$work/tree/$inputs" -name 'crash-*' -newer "$work/tree/$source" 2>/dev/null || true)
for f in $found; do
  rel=${f#"$work/tree/"}
  cp "$f" "$rel"
  echo "long.sh: finding copied to $rel (the regression run replays it)"
done
exit "${status:-0}"
