#!/usr/bin/env bash
# Checks, on a real cluster, the engine behaviours that test/kubernetes-engines.test.ts states from the engines'
# source (no cluster runs in this repository's tests). Prints `seen` or `NOT SEEN` for each, with evidence.
# Needs kubectl, a current context with Chaos Mesh and LitmusChaos installed (docs/kubernetes.md, "Checking on a
# real cluster"), a Deployment `web` (3 replicas) in namespace shop, and this repository built (dist/).
# It acts only in namespace shop and deletes what it creates. Usage: deploy/kubernetes/check-cluster.sh
set -u
NS=shop
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FAULTLINE=(node "$ROOT/bin/faultline.js")
WORK=$(mktemp -d)
export FAULTLINE_HOME="$WORK/home"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "check-cluster: $*" >&2; exit 3; }
command -v kubectl >/dev/null || fail "kubectl is not on PATH; install it (https://kubernetes.io/docs/tasks/tools/)"
command -v node >/dev/null || fail "node is not on PATH; install Node 20"
[ -f "$ROOT/dist/index.js" ] || fail "faultline is not built; run: npx tsc -p tsconfig.json"
kubectl version --request-timeout=5s >/dev/null 2>&1 || fail "no cluster answers at the current context ($(kubectl config current-context 2>/dev/null || echo none)); create one (kind create cluster) or pick a context"
kubectl get namespace "$NS" >/dev/null 2>&1 || fail "namespace $NS does not exist; see docs/kubernetes.md step 4"

report() { printf '%-10s %s\n' "$1" "$2"; [ -n "${3:-}" ] && printf '           %s\n' "$3"; }
# polls `kubectl ... -o jsonpath` until it prints something matching $3, at most $2 seconds
poll() {
  local query=$1 seconds=$2 pattern=$3 out=""
  for _ in $(seq 1 "$seconds"); do
    out=$(eval "kubectl -n $NS $query" 2>/dev/null) && [[ $out =~ $pattern ]] && { echo "$out"; return 0; }
    sleep 1
  done
  echo "$out"
  return 1
}

experiment() { # name engine method
  cat >"$WORK/$1.yaml" <<EOF
apiVersion: faultline.dev/v1
kind: Experiment
metadata: { name: $1 }
spec:
  hypothesis: web survives
  backend: kubernetes
  kubernetes: { engine: $2, namespace: $NS, injectTimeout: 3m, deadManMargin: 20s }
  method:
$3
EOF
  echo "$WORK/$1.yaml"
}

echo "context $(kubectl config current-context), namespace $NS"

# 1. The examples, as dry runs: each planned against the cluster (pods chosen, CRDs, controllers, RBAC), nothing created
for file in "$ROOT"/examples/kubernetes/*.yaml; do
  case $(basename "$file") in faultline.yaml | game-day.yaml) continue ;; esac
  if "${FAULTLINE[@]}" run "$file" --dry-run >"$WORK/out" 2>&1; then report seen "dry run of $(basename "$file")"
  else report "NOT SEEN" "dry run of $(basename "$file")" "$(tail -n 1 "$WORK/out")"; fi
done

# 2. Litmus: pod/NAME annotations while the ChaosResult is Running, history.targets empty until the end
file=$(experiment check-litmus litmus "    - { fault: stress.cpu, selector: { labels: { app: web } }, params: { workers: 1, load: 50 }, duration: 60s }")
"${FAULTLINE[@]}" run "$file" >"$WORK/litmus.out" 2>&1 &
run=$!
if annotations=$(poll "get chaosresults -l chaosengine -o jsonpath='{range .items[*]}{.metadata.annotations}{\" targets=\"}{.status.history.targets}{\"\\n\"}{end}'" 240 'injected'); then
  report seen "Litmus helpers annotate the ChaosResult pod/NAME=injected while it runs" "$annotations"
  [[ $annotations =~ targets=(\[\]|$) ]] && report seen "history.targets empty while it runs" || report "NOT SEEN" "history.targets empty while it runs" "$annotations"
else
  report "NOT SEEN" "Litmus pod/NAME=injected annotations" "$annotations"
fi
wait "$run"
rc=$?
report "$([ "$rc" -eq 0 ] && echo seen || echo 'NOT SEEN')" "faultline run with engine litmus passed (exit $rc)" "$(tail -n 2 "$WORK/litmus.out" | tr '\n' ' ')"
targets=$(kubectl -n "$NS" get chaosresults -o jsonpath='{.items[*].status.history.targets}' 2>/dev/null)
[[ $targets =~ reverted ]] && report seen "history.targets filled (reverted) at the end" "$targets" || report "NOT SEEN" "history.targets filled at the end" "$targets"

# 3. Chaos Mesh dead-man: kill -9 the runner; the controller recovers at spec.duration; recover deletes the object
file=$(experiment check-deadman chaos-mesh "    - { fault: network.latency, selector: { labels: { app: web } }, params: { latency: 100ms }, duration: 20s }")
"${FAULTLINE[@]}" run "$file" >"$WORK/deadman.out" 2>&1 &
run=$!
if poll "get networkchaos -o jsonpath='{.items[*].status.conditions[?(@.type==\"AllInjected\")].status}'" 180 'True' >/dev/null; then
  kill -9 "$run"
  duration=$(kubectl -n "$NS" get networkchaos -o jsonpath='{.items[0].spec.duration}')
  report seen "NetworkChaos injected, runner killed; its spec.duration is $duration"
  if out=$(poll "get networkchaos -o jsonpath='{.items[0].status.experiment.desiredPhase} {.items[0].status.conditions[?(@.type==\"AllRecovered\")].status}'" 600 'Stop True'); then
    report seen "Chaos Mesh recovered the fault by itself at its duration" "$out"
  else report "NOT SEEN" "Chaos Mesh recovery at spec.duration" "$out"; fi
else
  kill -9 "$run" 2>/dev/null
  report "NOT SEEN" "NetworkChaos injected" "$(tail -n 1 "$WORK/deadman.out")"
fi
"${FAULTLINE[@]}" recover >"$WORK/recover.out" 2>&1
left=$(kubectl -n "$NS" get networkchaos -l app.kubernetes.io/managed-by=faultline -o name 2>/dev/null)
[ -z "$left" ] && report seen "faultline recover deleted what the dead run left" || report "NOT SEEN" "recover left" "$left"

# 4. Preflight: a Litmus service account that does not exist is refused before anything is created
file=$(experiment check-sa litmus "    - { fault: stress.cpu, selector: { labels: { app: web } }, duration: 10s }")
sed -i 's/deadManMargin: 20s }/deadManMargin: 20s, serviceAccount: faultline-check-missing-sa }/' "$file"
"${FAULTLINE[@]}" run "$file" >"$WORK/sa.out" 2>&1
grep -q "service account faultline-check-missing-sa does not exist" "$WORK/sa.out" && report seen "a missing chaos service account is refused, named" || report "NOT SEEN" "missing service account refused" "$(tail -n 1 "$WORK/sa.out")"
