#!/usr/bin/env bash
# End to end: a real Prometheus scrapes warren, which watches a real RabbitMQ (node 1, federated
# from node 2), with the project's alert rules loaded and a real Alertmanager sending to a webhook
# receiver on loopback. Runs every dashboard and rule expression through Prometheus, then triggers
# the memory alarm and a federation link failure and waits for those alerts at the webhook.
# usage: prometheus_e2e.sh WARREN   (env: RL_BASE, RL_PORT_OFFSET for this test's own brokers)
set -euo pipefail
warren=$1
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
rabbit=$ROOT/scripts/rabbit
here=$ROOT/tests/e2e
tmp=$(mktemp -d /tmp/warren-e2e.XXXXXX)
pids=()
log() { printf '[e2e] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; for f in "$tmp"/*.log; do log "--- $f"; tail -n 20 "$f" >&2; done; exit 1; }
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  "$rabbit" clean > /dev/null 2>&1 || true
  # warren's log goes to the suite-wide secrets check (tests/secrets_check.py)
  if [ -n "${WARREN_TEST_ARTIFACTS:-}" ] && [ -f "$tmp/warren.log" ]; then
    cat "$tmp/warren.log" >> "$WARREN_TEST_ARTIFACTS/log-e2e-$$.txt"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for $what"
    sleep 1
  done
}

log "brokers: node 1 (watched) federated from node 2"
"$rabbit" start 2
amqp2=$("$rabbit" port 2 amqp)
mgmt1=$("$rabbit" port 1 mgmt)
"$rabbit" put 2 /api/exchanges/%2F/fed_exchange '{"type":"fanout","durable":true}'
"$rabbit" put 2 /api/queues/%2F/fed_queue '{"durable":true}'
"$rabbit" federation 1 /mirror hare "amqp://guest:guest@127.0.0.1:$amqp2/%2F"

prom_port=$(free_port) am_port=$(free_port) hook_port=$(free_port)
python3 "$here/webhook.py" "$hook_port" "$tmp/alerts.txt" > "$tmp/webhook.log" 2>&1 &
pids+=($!)

"$warren" --rabbitmq.url="http://127.0.0.1:$mgmt1" --web.listen-address=127.0.0.1:0 \
  --scrape.min-interval=1s --scrape.health-interval=5s --scrape.definitions-interval=5s > "$tmp/warren.log" 2>&1 &
pids+=($!)
wait_for 10 "warren to listen" grep -q 'msg=listening' "$tmp/warren.log"
warren_port=$(sed -n 's/.*msg=listening address=127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/warren.log")

cat > "$tmp/alertmanager.yml" << YML
route:
  receiver: webhook
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: webhook
    webhook_configs:
      - url: http://127.0.0.1:$hook_port/
YML
prometheus-alertmanager --config.file="$tmp/alertmanager.yml" --storage.path="$tmp/am-data" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= > "$tmp/alertmanager.log" 2>&1 &
pids+=($!)

# The project's rules, with every `for:` shortened so the test need not wait minutes.
sed -E 's/^( *for:).*/\1 4s/' "$ROOT/alerts/rabbitmq.rules.yml" > "$tmp/rabbitmq.rules.yml"
cat > "$tmp/prometheus.yml" << YML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $ROOT/alerts/thresholds.rules.yml
  - $tmp/rabbitmq.rules.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$am_port"]
scrape_configs:
  - job_name: warren
    static_configs:
      - targets: ["127.0.0.1:$warren_port"]
YML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom-data" \
  --web.listen-address="127.0.0.1:$prom_port" > "$tmp/prometheus.log" 2>&1 &
pids+=($!)
prom=http://127.0.0.1:$prom_port

query() { curl -sf --data-urlencode "query=$1" "$prom/api/v1/query"; }
has_data() { query "$1" | grep -q '"result":\[{'; }
wait_for 60 "Prometheus to scrape rabbitmq_up 1 and a running federation link" \
  has_data 'rabbitmq_up == 1 and on() (sum(rabbitmq_federation_link_status{status="running"}) > 0) and on() (count(rabbitmq_health_check_up) > 0)'
sleep 6  # a few more scrapes, so rate() and deriv() have two samples

log "running every dashboard and rule expression through Prometheus"
{
  python3 "$ROOT/dashboards/check.py" --list --expand
  for f in "$ROOT"/alerts/*.rules.yml; do
    sed -n 's/^ *- \(alert\|record\): \(.*\)$/\2/p; s/^ *expr: \(.*\)$/\1/p' "$f" | paste - - |
      sed "s|^|$(basename "$f")\t|"
  done
} > "$tmp/expressions.tsv"
python3 "$here/queries.py" "$prom" "$here/produced-metrics.txt" < "$tmp/expressions.tsv" || fail "expressions"

alerted() { grep -q "^firing $1 " "$tmp/alerts.txt" 2> /dev/null; }

log "memory alarm on node 1"
"$rabbit" ctl 1 set_vm_memory_high_watermark 0.001 > /dev/null
wait_for 90 "RabbitMQMemoryAlarm at the webhook" alerted RabbitMQMemoryAlarm
"$rabbit" ctl 1 set_vm_memory_high_watermark 0.4 > /dev/null

log "federation upstream (node 2) stopped"
"$rabbit" stop 2
wait_for 90 "RabbitMQFederationLinkNotRunning at the webhook" alerted RabbitMQFederationLinkNotRunning
grep "^firing RabbitMQFederationLinkNotRunning " "$tmp/alerts.txt" | grep -q '"upstream": "hare"' ||
  fail "the federation alert does not name upstream hare: $(cat "$tmp/alerts.txt")"
if alerted WarrenCannotReachBroker; then fail "warren reported the watched broker unreachable"; fi
log "ok: $(cut -d' ' -f1,2 "$tmp/alerts.txt" | sort | uniq -c | tr '\n' ';')"
