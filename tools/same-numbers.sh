#!/usr/bin/env bash
# Proves that a change left every number as it was: runs `aligndet demo --quick` with one torch thread
# and the same seed on REV and on the working tree, then compares the losses of every metrics.jsonl
# (pre-training and both fine-tuning runs, to 1e-6) and the COCO stats of both evaluations (exactly).
#
#   tools/same-numbers.sh [REV]        # REV: a commit before the change (default: HEAD)
#
# Exit 0 when everything matches, 1 otherwise. Needs about 2 x 3 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REV="${1:-HEAD}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/same-numbers.XXXXXX")"
trap 'git -C "$ROOT" worktree remove --force "$WORK/before" >/dev/null 2>&1 || true' EXIT

export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export JAVA_OPTS="-Xmx8g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"

echo "same-numbers: $REV in $WORK/before"
git -C "$ROOT" worktree add --detach "$WORK/before" "$REV" >/dev/null
(cd "$WORK/before" && mvn -q -B -o -DskipTests package) || (cd "$WORK/before" && mvn -q -B -DskipTests package)
(cd "$ROOT" && mvn -q -B -o -DskipTests package) || (cd "$ROOT" && mvn -q -B -DskipTests package)

"$WORK/before/aligndet" demo --quick --seed 0 --out "$WORK/demo-before" > "$WORK/before.log" 2>&1 \
  || { echo "same-numbers: demo on $REV failed, see $WORK/before.log"; exit 1; }
"$ROOT/aligndet" demo --quick --seed 0 --out "$WORK/demo-after" > "$WORK/after.log" 2>&1 \
  || { echo "same-numbers: demo on the working tree failed, see $WORK/after.log"; exit 1; }

CP="$(cat "$ROOT/src/target/classpath.txt")"
java -cp "$CP" "$ROOT/tools/CompareRuns.java" "$WORK/demo-before" "$WORK/demo-after"
