#!/usr/bin/env bash
# Offline checks of the deployment files: no Docker engine, no cluster and no
# network needed. Runs what this machine has, prints a skip line for the rest,
# exits non-zero if any check that ran failed.
#
#   bash deploy/check.sh
#
# Checks:
#   docker-compose.yml        docker-compose config -q (or docker compose config -q),
#                             also with --profile monitoring
#   deploy/k8s/overlays/*     kubectl kustomize (or kustomize build), plus a few
#                             assertions on the output (the thorough validation
#                             against the Kubernetes schemas is the Jest test
#                             e2e/src/ops/manifests.spec.ts, part of npm test)
#   YAML style                yamllint -c deploy/.yamllint.yaml
#   NATS configs              nats-server -t on deploy/nats/nats.conf (with
#                             cluster.conf and accounts.conf; dummy passwords),
#                             the same with the dev overlay's single-server
#                             cluster.conf, and deploy/nats/cluster-local/n{1,2,3}.conf
#   Prometheus rules          promtool check rules deploy/monitoring/rules/*.yaml and
#                             promtool test rules deploy/monitoring/tests/*.test.yaml
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ran=0
skipped=0
failures=()
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
  local name=$1
  shift
  ran=$((ran + 1))
  if "$@" >"$tmp/out" 2>&1; then
    echo "ok   $name"
  else
    echo "FAIL $name"
    sed 's/^/     /' "$tmp/out"
    failures+=("$name")
  fi
}

skip() {
  skipped=$((skipped + 1))
  echo "skip $1 ($2)"
}

# ------------------------------------------------------------ docker-compose
if command -v docker-compose >/dev/null 2>&1; then
  check "docker-compose config -q" docker-compose -f docker-compose.yml config -q
  check "docker-compose --profile monitoring config -q" docker-compose -f docker-compose.yml --profile monitoring config -q
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  check "docker compose config -q" docker compose -f docker-compose.yml config -q
  check "docker compose --profile monitoring config -q" docker compose -f docker-compose.yml --profile monitoring config -q
else
  skip "docker-compose config -q" "neither docker-compose nor docker compose is installed"
fi

# ------------------------------------------------------------------ kustomize
kustomize_build() {
  if command -v kubectl >/dev/null 2>&1; then
    kubectl kustomize "$1"
  else
    kustomize build "$1"
  fi
}

# Builds an overlay into $tmp/<name>.yaml.
build_overlay() {
  kustomize_build "deploy/k8s/overlays/$1" >"$tmp/$1.yaml"
}

# What the overlays promise, checked on their output.
assert_dev() {
  local f=$tmp/dev.yaml
  grep -Eq "NATS_STREAM_REPLICAS: ['\"]?1['\"]?$" "$f" || { echo "dev: NATS_STREAM_REPLICAS is not 1"; return 1; }
  [ "$(grep -c '^kind: Deployment$' "$f")" -eq 5 ] || { echo "dev: expected 5 Deployments (4 services, front door)"; return 1; }
  [ "$(grep -c '^kind: HorizontalPodAutoscaler$' "$f")" -eq 4 ] || { echo "dev: expected 4 HPAs"; return 1; }
  [ "$(grep -c '^kind: StatefulSet$' "$f")" -eq 2 ] || { echo "dev: expected 2 StatefulSets (NATS, Postgres)"; return 1; }
  if grep -q '^kind: ScaledObject$' "$f"; then echo "dev: no KEDA ScaledObject expected"; return 1; fi
}

assert_production() {
  local f=$tmp/production.yaml
  grep -Eq "NATS_STREAM_REPLICAS: ['\"]?3['\"]?$" "$f" || { echo "production: NATS_STREAM_REPLICAS is not 3"; return 1; }
  if grep -q '^kind: Secret$' "$f"; then echo "production: the output must not contain Secrets"; return 1; fi
  if grep -q 'PLACEHOLDER' "$f"; then echo "production: placeholder values in the output"; return 1; fi
  [ "$(grep -c '^kind: Deployment$' "$f")" -eq 5 ] || { echo "production: expected 5 Deployments (4 services, front door)"; return 1; }
  # registry keeps its HPA; survey, classification and notifications scale through KEDA.
  [ "$(grep -c '^kind: HorizontalPodAutoscaler$' "$f")" -eq 1 ] || { echo "production: expected 1 HPA"; return 1; }
  [ "$(grep -c '^kind: ScaledObject$' "$f")" -eq 3 ] || { echo "production: expected 3 ScaledObjects"; return 1; }
  [ "$(grep -c '^kind: PodDisruptionBudget$' "$f")" -eq 5 ] || { echo "production: expected 5 PDBs"; return 1; }
  [ "$(grep -c '^kind: Cluster$' "$f")" -eq 1 ] || { echo "production: expected the CloudNativePG Cluster"; return 1; }
  [ "$(grep -c '^kind: ScheduledBackup$' "$f")" -eq 1 ] || { echo "production: expected the ScheduledBackup"; return 1; }
  [ "$(grep -c '^kind: ObjectStore$' "$f")" -eq 1 ] || { echo "production: expected the backups' ObjectStore"; return 1; }
}

assert_restore() {
  local f=$tmp/restore.yaml
  [ "$(grep -c '^kind: Cluster$' "$f")" -eq 1 ] || { echo "restore: expected one CloudNativePG Cluster"; return 1; }
  grep -q '^      recoveryTarget:$' "$f" || { echo "restore: no recoveryTarget"; return 1; }
  if grep -q '^kind: Secret$' "$f"; then echo "restore: the output must not contain Secrets"; return 1; fi
}

if command -v kubectl >/dev/null 2>&1 || command -v kustomize >/dev/null 2>&1; then
  for overlay in dev production restore; do
    check "kustomize deploy/k8s/overlays/$overlay" build_overlay "$overlay"
    if [ -s "$tmp/$overlay.yaml" ]; then
      check "deploy/k8s/overlays/$overlay output" "assert_$overlay"
    fi
  done
else
  skip "kustomize deploy/k8s/overlays/dev" "neither kubectl nor kustomize is installed"
  skip "kustomize deploy/k8s/overlays/production" "neither kubectl nor kustomize is installed"
  skip "kustomize deploy/k8s/overlays/restore" "neither kubectl nor kustomize is installed"
fi

# ------------------------------------------------------------------- yamllint
if command -v yamllint >/dev/null 2>&1; then
  check "yamllint" yamllint -c deploy/.yamllint.yaml docker-compose.yml deploy
else
  skip "yamllint" "not installed; apt-get install -y yamllint"
fi

# ---------------------------------------------------------------- nats-server
# nats.conf includes cluster.conf and accounts.conf; the passwords come from the
# environment, so dummy ones stand in. The dev overlay swaps cluster.conf for a
# single server's.
nats_env=(env POD_NAME=nats-0 NATS_REGISTRY_PASSWORD=x NATS_SURVEY_PASSWORD=x NATS_CLASSIFICATION_PASSWORD=x
  NATS_NOTIFICATIONS_PASSWORD=x NATS_INTEGRATOR_PASSWORD=x)
nats_dev_config() {
  mkdir -p "$tmp/nats-dev"
  cp deploy/nats/nats.conf deploy/nats/accounts.conf "$tmp/nats-dev/"
  cp deploy/k8s/overlays/dev/nats-single-server.conf "$tmp/nats-dev/cluster.conf"
  "${nats_env[@]}" nats-server -t -c "$tmp/nats-dev/nats.conf"
}
if command -v nats-server >/dev/null 2>&1; then
  check "nats-server -t deploy/nats/nats.conf" "${nats_env[@]}" nats-server -t -c deploy/nats/nats.conf
  check "nats-server -t deploy/nats/nats.conf (dev: one server)" nats_dev_config
  for n in 1 2 3; do
    check "nats-server -t deploy/nats/cluster-local/n$n.conf" nats-server -t -c "deploy/nats/cluster-local/n$n.conf"
  done
else
  skip "nats-server -t" "nats-server is not installed"
fi

# ------------------------------------------------------------------- promtool
# The alerting and recording rules, and their unit tests (every alert fires on the series it is
# for and stays quiet on the others). promtool is in Debian's prometheus package.
if command -v promtool >/dev/null 2>&1; then
  check "promtool check rules deploy/monitoring/rules" promtool check rules deploy/monitoring/rules/*.yaml
  check "promtool test rules deploy/monitoring/tests" promtool test rules deploy/monitoring/tests/*.test.yaml
else
  skip "promtool check/test rules" "not installed; apt-get install -y prometheus"
fi

# -------------------------------------------------------------------- summary
if [ "${#failures[@]}" -gt 0 ]; then
  echo "deploy/check.sh: ${#failures[@]} of $ran checks FAILED (${failures[*]}); $skipped skipped"
  exit 1
fi
echo "deploy/check.sh: all $ran checks ok; $skipped skipped"
