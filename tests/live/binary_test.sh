#!/usr/bin/env bash
# The warren binary end to end: --help/--version/bad flags, then a real scrape of the live broker
# with the password from a file, promtool on the live exposition, /healthz, /readyz and
# --healthcheck, and a clean SIGTERM shutdown within its bound; then the same start with JSON logs.
# usage: binary_test.sh WARREN PROMTOOL   (env: WARREN_LIVE_MGMT_URL)
set -euo pipefail
warren=$1 promtool=$2
mgmt=${WARREN_LIVE_MGMT_URL:?set by ctest}
artifacts=${WARREN_TEST_ARTIFACTS:-}
# The harness's own WARREN_* variables are not warren settings: warren warns about such names
# (and --config.check refuses them), so it sees only the variables each check sets.
while read -r name; do unset "$name"; done < <(compgen -e | grep '^WARREN_' || true)
tmp=$(mktemp -d)
pid=
# What warren wrote and served goes to the suite-wide secrets check (tests/secrets_check.py).
keep_artifacts() {
  local dir=$artifacts f kind
  [ -n "$dir" ] || return 0
  for f in "$tmp"/*; do
    case $f in *.log) kind=log ;; *.err) kind=error ;; */metrics | *.txt) kind=metrics ;; *) continue ;; esac
    cat "$f" >> "$dir/$kind-binary_test-$$.txt"
  done
}
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; keep_artifacts; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_warren LOG ARGS...: warren in the background on a free loopback port with ARGS; sets pid
# and port (from its "listening" log line, logfmt or JSON).
start_warren() {
  local log=$1
  shift
  : > "$log" # before the background start: the child's redirection may create it after sed looks
  "$warren" --web.listen-address=127.0.0.1:0 "$@" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    port=$(sed -n '/listening/s/.*127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  fail "warren $* did not start: $(cat "$log")"
}
# stop_warren WHAT: SIGTERM, after which warren must exit 0.
stop_warren() {
  kill -TERM "$pid"
  wait "$pid" || fail "exit code $? after SIGTERM ($1)"
  pid=
}

"$warren" --version | grep -qx 'warren [0-9.]*' || fail "--version"
# Into files, not `| grep -q`: grep quits at the first match and, with pipefail, warren's SIGPIPE
# would fail the test.
"$warren" --help > "$tmp/help" || fail "--help exit code"
grep -q -- '--rabbitmq.url' "$tmp/help" || fail "--help"
for bad in --bogus=1 --scrape.timeout=soon --web.listen-address=nope --rabbitmq.url=http://u:pw@h; do
  set +e
  "$warren" "$bad" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$bad: exit $rc, want 2"
  [ "$(wc -l < "$tmp/err")" = 1 ] || fail "$bad: want one line on stderr, got: $(cat "$tmp/err")"
  grep -q -- "--${bad%%=*}" "$tmp/err" 2> /dev/null || grep -q -- "${bad%%=*}" "$tmp/err" || fail "$bad: field not named: $(cat "$tmp/err")"
done
grep -q pw "$tmp/err" && fail "credentials from the URL echoed: $(cat "$tmp/err")"

# --config.check: 0 for a good file, 2 and the file, line and key for a bad one.
printf 'scrape:\n  timeout: 7s\n' > "$tmp/ok.yml"
"$warren" --config.check --config.file="$tmp/ok.yml" | grep -qx 'warren: configuration ok' || fail "--config.check, good file"
printf 'scrape:\n  timeout: 7s\n  timout: 8s\n' > "$tmp/bad.yml"
set +e
WARREN_CONFIG_FILE="$tmp/bad.yml" "$warren" --config.check > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--config.check, bad file: exit $rc, want 2"
grep -qF "$tmp/bad.yml:3: scrape.timout: unknown key" "$tmp/err" || fail "--config.check, bad file: $(cat "$tmp/err")"
# A typo'd variable: refused by --config.check, named.
set +e
WARREN_SCRAPE_TIMOUT=7s "$warren" --config.check > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--config.check, unknown variable: exit $rc, want 2"
grep -qF 'warren: $WARREN_SCRAPE_TIMOUT: no such setting' "$tmp/err" || fail "--config.check, unknown variable: $(cat "$tmp/err")"

password=Bin-Test-Pw-41c2
curl -sf -u guest:guest -X PUT -H 'content-type: application/json' \
  -d "{\"password\":\"$password\",\"tags\":\"monitoring\"}" "$mgmt/api/users/warren-bin" || fail "create user"
# The monitoring tag shows a vhost's queues only with some permission there: read is enough.
curl -sf -u guest:guest -X PUT -H 'content-type: application/json' \
  -d '{"configure":"","write":"","read":".*"}' "$mgmt/api/permissions/%2F/warren-bin" || fail "permissions"
printf '%s\n' "$password" > "$tmp/password"
start_warren "$tmp/log" --rabbitmq.url="$mgmt" --rabbitmq.user=warren-bin --rabbitmq.password-file="$tmp/password" \
  --scrape.min-interval=1s
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$port/metrics" > "$tmp/metrics" || fail "/metrics"
  grep -qx 'rabbitmq_up 1' "$tmp/metrics" && break
  sleep 0.5
done
grep -qx 'rabbitmq_up 1' "$tmp/metrics" || fail "rabbitmq_up never 1: $(grep -E '^(rabbitmq_up|warren_scrape_success)' "$tmp/metrics")"
"$promtool" check metrics < "$tmp/metrics" || fail "promtool check metrics on the live exposition"
# Cheap by default: with no plugin flag, the node's plugin is found in the overview's listeners and
# gives the queue depths once it has answered (the first scrape lists with totals).
for _ in $(seq 20); do
  sleep 1.1 # past --scrape.min-interval
  curl -sf "http://127.0.0.1:$port/metrics" > "$tmp/metrics" || fail "/metrics"
  grep -qx 'warren_queue_depth_from_plugin 1' "$tmp/metrics" && break
done
grep -qx 'warren_queue_depth_from_plugin 1' "$tmp/metrics" ||
  fail "no depth from the discovered plugin: $(grep -E '^(warren_plugin_up|warren_queue_depth_from_plugin)' "$tmp/metrics")"
grep -qE '^warren_plugin_up\{node="[^"]+",reason="ok"\} 1$' "$tmp/metrics" ||
  fail "the node's plugin not named in use: $(grep -E '^warren_plugin_up' "$tmp/metrics")"
grep -q 'msg="queue depth from the node.s plugin"' "$tmp/log" || fail "no log line for the plugin in use: $(cat "$tmp/log")"
curl -sf "http://127.0.0.1:$port/healthz" > /dev/null || fail "/healthz"
curl -sf "http://127.0.0.1:$port/readyz" > /dev/null || fail "/readyz after a successful scrape"
"$warren" --healthcheck --web.listen-address=":$port" > /dev/null || fail "--healthcheck against a running warren"
grep -q 'msg=ready' "$tmp/log" || fail "no ready line"
start=$(date +%s%N)
kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
pid=
stop_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$stop_ms" -lt 15000 ] || fail "SIGTERM took ${stop_ms} ms (bound: --scrape.timeout 10s + 5s)"
grep -q 'msg=stopping' "$tmp/log" || fail "no shutdown line"
if "$warren" --healthcheck --web.listen-address="127.0.0.1:$port" > /dev/null; then fail "--healthcheck with nothing listening"; fi

# /probe: the live broker through a module of the config file; anything else is refused.
printf 'modules:\n  default:\n    user: warren-bin\n    password_file: password\n    targets: ["http://127\\\\.0\\\\.0\\\\.1:\\\\d+"]\n' > "$tmp/probe.yml"
export WARREN_SCRAPE_TIMOUT=7s # a typo'd variable: warned about at start, then ignored
start_warren "$tmp/probe.log" --config.file="$tmp/probe.yml" --rabbitmq.url=http://127.0.0.1:1
unset WARREN_SCRAPE_TIMOUT
grep -q 'level=warn msg="unknown variable ignored: no such setting" variable=WARREN_SCRAPE_TIMOUT' "$tmp/probe.log" ||
  fail "no warning for \$WARREN_SCRAPE_TIMOUT: $(cat "$tmp/probe.log")"
curl -sf -G --data-urlencode "target=$mgmt" -d module=default "http://127.0.0.1:$port/probe" > "$tmp/probe.txt" ||
  fail "/probe of the live broker: $(cat "$tmp/probe.log")"
grep -qx 'rabbitmq_up 1' "$tmp/probe.txt" || fail "/probe: rabbitmq_up is not 1: $(grep -E '^(rabbitmq_up|warren_scrape_success)' "$tmp/probe.txt")"
"$promtool" check metrics < "$tmp/probe.txt" || fail "promtool check metrics on the /probe exposition"
[ "$(curl -s -o "$tmp/refused.err" -w '%{http_code}' -G --data-urlencode 'target=http://169.254.169.254:80' "http://127.0.0.1:$port/probe")" = 400 ] ||
  fail "/probe of a target outside the module's patterns is not 400"
curl -s "http://127.0.0.1:$port/metrics" > "$tmp/own.txt" || fail "/metrics (probe run)"
grep -qx 'rabbitmq_up 0' "$tmp/own.txt" || fail "/metrics keeps its own (unreachable) target"
stop_warren "probe run"

# JSON logs: every line parses, and the same events are there. With a queue filter and a cap of one
# queue: of warren.bin.{a,b,skip}, skip is filtered out and one of a and b capped.
for q in warren.bin.a warren.bin.b warren.bin.skip; do
  curl -sf -u guest:guest -X PUT -H 'content-type: application/json' -d '{"durable":false}' "$mgmt/api/queues/%2F/$q" ||
    fail "declare $q"
done
start_warren "$tmp/json.log" --rabbitmq.url="$mgmt" --rabbitmq.user=warren-bin --rabbitmq.password-file="$tmp/password" \
  --log.format=json --filter.queues-exclude='warren\.bin\.skip' --filter.max-queues=1
ready=
for _ in $(seq 20); do # a readiness probe starts a scrape of its own
  curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && ready=1 && break
  sleep 0.5
done
[ -n "$ready" ] || fail "/readyz never 200 (JSON run)"
curl -sf "http://127.0.0.1:$port/metrics" > "$tmp/filtered.txt" || fail "/metrics (filtered run)"
[ "$(grep -c "^rabbitmq_queue_info{" "$tmp/filtered.txt")" = 1 ] || fail "cap 1: $(grep -E "^(rabbitmq_queue_info|warren_objects_dropped|warren_scrape_success)" "$tmp/filtered.txt")"
grep -q 'queue="warren.bin.skip"' "$tmp/filtered.txt" && fail "filtered queue exported"
grep -qx 'warren_objects_dropped{endpoint="queues",reason="filter"} 1' "$tmp/filtered.txt" &&
  grep -qx 'warren_objects_dropped{endpoint="queues",reason="cap"} 1' "$tmp/filtered.txt" ||
  fail "warren_objects_dropped: $(grep '^warren_objects_dropped' "$tmp/filtered.txt")"
stop_warren "JSON run"
python3 -c 'import json, sys
msgs = [json.loads(line)["msg"] for line in open(sys.argv[1])]
missing = {"started", "listening", "ready", "stopping"} - set(msgs)
sys.exit("missing: %s in %s" % (missing, msgs) if missing else 0)' "$tmp/json.log" || fail "JSON log lines: $(cat "$tmp/json.log")"
# --web.config.file: HTTPS with basic auth; /healthz open; --healthcheck speaks TLS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$tmp/web-key.pem" -out "$tmp/web-cert.pem" 2> /dev/null || fail "openssl"
web_password=Web-Test-Pw-77ad
hash=$(python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' "$web_password")
printf 'tls_server_config:\n  cert_file: web-cert.pem\n  key_file: web-key.pem\nbasic_auth_users:\n  prom: %s\n' "$hash" > "$tmp/web.yml"
"$warren" --config.check --web.config.file="$tmp/web.yml" > /dev/null || fail "--config.check with the web config"
set +e
"$warren" --config.check --rabbitmq.url=https://127.0.0.1:1 --rabbitmq.tls.cert-file="$tmp/web-cert.pem" > /dev/null 2> "$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'key' "$tmp/err" || fail "a client certificate without its key: exit $rc, $(cat "$tmp/err")"
start_warren "$tmp/web.log" --rabbitmq.url="$mgmt" --rabbitmq.user=warren-bin --rabbitmq.password-file="$tmp/password" \
  --web.config.file="$tmp/web.yml"
code() { curl -s -o "$tmp/web-answer-$RANDOM.err" -w '%{http_code}' --cacert "$tmp/web-cert.pem" "$@"; }
[ "$(code -u "prom:$web_password" "https://127.0.0.1:$port/metrics")" = 200 ] || fail "https with the right password"
[ "$(code -u prom:wrong "https://127.0.0.1:$port/metrics")" = 401 ] || fail "wrong password not 401"
[ "$(code "https://127.0.0.1:$port/metrics")" = 401 ] || fail "no password not 401"
[ "$(code "https://127.0.0.1:$port/healthz")" = 200 ] || fail "/healthz needs no password"
curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && fail "plain http answered on the TLS port"
"$warren" --healthcheck --web.listen-address="127.0.0.1:$port" --web.config.file="$tmp/web.yml" > /dev/null ||
  fail "--healthcheck over TLS"
stop_warren "web config run"
if grep -q "$web_password" "$tmp/web.log"; then fail "web password leaked"; fi

if grep -q "$password" "$tmp/log" "$tmp/json.log" "$tmp/web.log" "$tmp/metrics"; then fail "password leaked"; fi
curl -sf -u guest:guest -X DELETE "$mgmt/api/users/warren-bin" || true
for q in warren.bin.a warren.bin.b warren.bin.skip; do curl -sf -u guest:guest -X DELETE "$mgmt/api/queues/%2F/$q" || true; done
echo "binary test ok (port $port, $(grep -c '^rabbitmq_' "$tmp/metrics") rabbitmq_ samples)"
