#!/usr/bin/env bash
# End to end: a real server process and two clients, each its own data directory,
# driven with bin/trestle-sync exactly as docs/cli.md shows. Needs the built products
# (bin/test runs it after the Maven build). Prints "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
check() { # description, command...
  local what="$1"; shift
  if "$@" >>"$work/checks.log" 2>&1; then passed=$((passed + 1)); echo "ok   - $what"
  else failed=$((failed + 1)); echo "FAIL - $what"; fi
}
sync() { "$root/bin/trestle-sync" --data-dir "$work/$1" "${@:2}" 2>>"$work/client-$1.log"; }

# --- the server -----------------------------------------------------------------
"$root/bin/trestle-server" --http --port 0 --data-dir "$work/server" --enrollment-key site-key \
  --admin-token admin-secret >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/^Trestle server listening on //p' "$work/server.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then echo "the server did not start:"; cat "$work/server.log"; echo "0 passed, 1 failed"; exit 1; fi

# --- registration and a record created on one client arriving on the other -------
check "A registers" sync a register --server "$url" --code LAPTOP-A --enrollment-key site-key
check "B registers" sync b register --server "$url" --code LAPTOP-B --enrollment-key site-key
check "A's database is encrypted at rest (AES: 16-byte blocks)" grep -q 'derby.encryptionBlockSize=16' "$work/a/db/service.properties"
check "a wrong enrollment key is refused" bash -c "! '$root/bin/trestle-sync' --data-dir '$work/c' register --server '$url' --code LAPTOP-C --enrollment-key guess 2>/dev/null"
project="$(sync a --json put Project code=HB-01 'name=Harbour bridge' budget=1250000.00 | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p')"
check "A creates a project offline" test -n "$project"
check "A syncs" sync a sync
check "B syncs" sync b sync
check "the project arrived on B" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-01'"

# --- a manual conflict on an estimate, resolved on B, reaching A -------------------
estimate="$(sync a --json put Estimate project="$project" number=E-1 'title=Foundations' | sed -n 's/.*"uuid":"\([^"]*\)".*/\1/p')"
sync a put EstimateItem estimate="$estimate" 'description=Concrete C30/37' unit=m3 quantity=12.5 unitPrice=95.00 >/dev/null
sync a sync >/dev/null; sync b sync >/dev/null
check "B received the estimate with its total" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Estimate 2>/dev/null | grep -q '1187.50'"
sync a put Estimate --uuid "$estimate" 'title=Foundations (A)' >/dev/null
sync b put Estimate --uuid "$estimate" 'title=Foundations (B)' >/dev/null
sync a sync >/dev/null
sync b sync >/dev/null
version="$(sync b --json conflicts | sed -n 's/.*"version_id":"\([^"]*\)".*/\1/p' | head -n 1)"
check "B has an open conflict" test -n "$version"
check "B resolves it with its own version" sync b resolve "$version" --take local
sync b sync >/dev/null; sync a sync >/dev/null
check "the resolution reached A" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' list Estimate 2>/dev/null | grep -q 'Foundations (B)'"
check "no conflict is left on B" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' conflicts 2>/dev/null | grep -q 'No open conflicts'"

# --- no network: export on A, import at the server, answer back -------------------
sync a put Material code=RB-12 'name=Rebar B500B 12 mm' unit=kg unitPrice=1.15 >/dev/null
check "A exports its pending changes" sync a export "$work/a-to-server.sync"
# a copy of the file changed by hand: decompressed, edited, compressed again
gzip -dc "$work/a-to-server.sync" | sed 's/Rebar B500B 12 mm/Rebar B500B 16 mm/' | gzip -c >"$work/edited.sync"
check "a file edited by hand is refused at the server with 422" bash -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' \
  -X POST -H 'Authorization: Bearer admin-secret' -H 'Content-Type: application/vnd.sync.packet+gzip' \
  --data-binary @'$work/edited.sync' '$url/api/admin/import')\" = 422"
check "the administrator imports the file at the server" curl -sf -X POST -H "Authorization: Bearer admin-secret" \
  -H 'Content-Type: application/vnd.sync.packet+gzip' --data-binary "@$work/a-to-server.sync" \
  -o "$work/server-to-a.sync" "$url/api/admin/import"
cp "$work/server-to-a.sync" "$work/truncated.sync" && truncate -s -20 "$work/truncated.sync"
check "a damaged answer is refused on A and changes nothing" bash -c "! '$root/bin/trestle-sync' --data-dir '$work/a' import '$work/truncated.sync' 2>/dev/null"
check "A imports the server's answer" sync a import "$work/server-to-a.sync"
sync b sync >/dev/null
check "the material reached B" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Material 2>/dev/null | grep -q 'RB-12'"
check "nothing is pending on A" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' status 2>/dev/null | grep -q 'pending changes: 0'"

# --- A rotates its token: syncing and signed files go on with the new one ----------
check "A rotates its token" sync a rotate-token
sync a put Material code=RB-16 'name=Rebar B500B 16 mm' unit=kg unitPrice=1.95 >/dev/null
check "A syncs with its new token" sync a sync
sync a put Material code=RB-20 'name=Rebar B500B 20 mm' unit=kg unitPrice=2.90 >/dev/null
sync a export "$work/a-rotated.sync"
check "a file A signed after the rotation is imported at the server" curl -sf -X POST \
  -H "Authorization: Bearer admin-secret" -H 'Content-Type: application/vnd.sync.packet+gzip' \
  --data-binary "@$work/a-rotated.sync" -o /dev/null "$url/api/admin/import"
operator_administers() { # a named admin token, made and used with bin/trestle-admin
  local t
  t="$(TRESTLE_ADMIN_TOKEN=admin-secret "$root/bin/trestle-admin" --server "$url" token-create operator \
    | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  [ -n "$t" ] && TRESTLE_ADMIN_TOKEN="$t" "$root/bin/trestle-admin" --server "$url" nodes | grep -q LAPTOP-A
}
check "an admin token made for an operator administers" operator_administers

# --- the server goes away: edits stay local, then everything arrives ---------------
kill "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=""
sync a put Project code=HB-02 'name=Ferry pier' >/dev/null
check "without a server, sync fails with exit 1 and loses nothing" bash -c "! '$root/bin/trestle-sync' --data-dir '$work/a' sync 2>/dev/null"
check "A reports itself offline" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' status 2>/dev/null | grep -q 'status: offline'"
port="${url##*:}"
"$root/bin/trestle-server" --http --port "$port" --data-dir "$work/server" --enrollment-key site-key \
  --admin-token admin-secret >"$work/server2.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do grep -q '^Trestle server listening on' "$work/server2.log" && break; sleep 0.1; done
check "after the restart A syncs" sync a sync
check "and B receives the edit made offline" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-02'"

# --- revocation: the node is told to register again, it does not retry forever ------
a_id="$(sync a --json status | sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p')"
check "the administrator revokes A" curl -sf -X POST -H "Authorization: Bearer admin-secret" "$url/api/admin/nodes/$a_id/revoke"
check "A's next sync is refused" bash -c "! '$root/bin/trestle-sync' --data-dir '$work/a' sync 2>/dev/null"
check "A shows that it must register again" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' status 2>/dev/null | grep -q 'status: reregister'"
sync a put Project code=HB-03 'name=Made while revoked' >/dev/null
check "A registers again under a new code" sync a register --server "$url" --code LAPTOP-A2 --enrollment-key site-key
check "and its edit made meanwhile arrives" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-03'"

# --- the administrator's command line: a project deleted on B is restored everywhere --
printf '%s\n' admin-secret >"$work/admin.token"
admin() { "$root/bin/trestle-admin" --server "$url" --token-file "$work/admin.token" "$@" 2>>"$work/admin.log"; }
check "the administrator lists the nodes with trestle-admin" bash -c "'$root/bin/trestle-admin' --server '$url' --token-file '$work/admin.token' nodes 2>/dev/null | grep -q LAPTOP-B"
hb03="$(sync b list Project | awk -F'\t' 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "code") c = i; next } $c == "HB-03" { print $1 }')"
check "B deletes a project and both laptops sync" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' delete Project '$hb03' >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/a' sync >/dev/null 2>&1 && ! '$root/bin/trestle-sync' --data-dir '$work/a' list Project 2>/dev/null | grep -q 'HB-03'"
check "the administrator restores it" admin restore Project "$hb03"
check "the restored project reaches A and B" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/a' list Project 2>/dev/null | grep -q 'HB-03' && '$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-03'"
check "trestle-admin without a token says how to give one" bash -c "'$root/bin/trestle-admin' --server '$url' nodes 2>&1 | grep -q 'no admin token'"

# --- scopes and push: two laptops watching get a change in seconds, B only its project
project_uuid() { sync b list Project | awk -F'\t' -v code="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "code") c = i; next } $c == code { print $1 }'; }
hb01="$(project_uuid HB-01)"
b_id="$(sync b --json status | sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p')"
check "the administrator limits B to the project HB-01" admin scope "$b_id" --set "$hb01"
mkfifo "$work/a-commands"
"$root/bin/trestle-sync" --data-dir "$work/a" watch --commands <"$work/a-commands" >"$work/watch-a.log" 2>>"$work/client-a.log" &
watch_a=$!
exec 7>"$work/a-commands" # A's standard input: commands typed into its watch
"$root/bin/trestle-sync" --data-dir "$work/b" watch >"$work/watch-b.log" 2>>"$work/client-b.log" &
watch_b=$!
watching() { grep -q ' watching: ' "$work/watch-a.log" && grep -q ' watching: ' "$work/watch-b.log"; }
for _ in $(seq 1 600); do watching && break; sleep 0.1; done
check "two laptops watch" watching
sleep 3 # their first exchanges, B's evictions among them
received() { grep -c 'received [1-9]' "$1" || true; }
before_a="$(received "$work/watch-a.log")" before_b="$(received "$work/watch-b.log")"
sync c register --server "$url" --code LAPTOP-C --enrollment-key site-key >/dev/null
sync c put Material code=PUSH-1 'name=Pushed material' unit=pcs unitPrice=3.00 >/dev/null
sync c sync >/dev/null
arrived() { [ "$(received "$work/watch-a.log")" -gt "$before_a" ] && [ "$(received "$work/watch-b.log")" -gt "$before_b" ]; }
for _ in $(seq 1 300); do arrived && break; sleep 0.1; done
check "a change made on a third laptop reaches both watching laptops without polling" arrived
before_b="$(received "$work/watch-b.log")"
echo "put Material code=PUSH-2 'name=Typed into a watch' unit=pcs unitPrice=4.00" >&7
echo "put Material code=bad unitPrice=-1" >&7
b_received() { [ "$(received "$work/watch-b.log")" -gt "$before_b" ]; }
for _ in $(seq 1 300); do b_received && break; sleep 0.1; done
check "a command typed into A's watch commits there and reaches watching B" \
  bash -c "grep -q '^Created Material ' '$work/watch-a.log' && [ \"\$(grep -c 'received [1-9]' '$work/watch-b.log')\" -gt $before_b ]"
check "a command that fails is reported in the watch and does not stop it" bash -c "grep -q ' failed: Material' '$work/watch-a.log' && kill -0 $watch_a"
exec 7>&-
kill -TERM "$watch_a" "$watch_b"; wait "$watch_a" "$watch_b" 2>/dev/null
check "watch stops cleanly on SIGTERM" bash -c "grep -q ' stopped$' '$work/watch-a.log' && grep -q ' stopped$' '$work/watch-b.log'"
check "the pushed materials are stored on B" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Material 2>/dev/null | grep -q 'PUSH-1' && '$root/bin/trestle-sync' --data-dir '$work/b' list Material 2>/dev/null | grep -q 'PUSH-2'"
check "B holds only the project of its scope" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-01' && ! '$root/bin/trestle-sync' --data-dir '$work/b' list Project 2>/dev/null | grep -q 'HB-03'"
check "B's scope command shows the project it holds" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' scope 2>/dev/null | grep -q '$hb01'"

# --- HTTPS with a self-signed certificate, trusted by its pinned fingerprint --------
"$root/bin/trestle-server" --port 0 --host 127.0.0.1 --data-dir "$work/tls-server" --enrollment-key tls-key \
  >"$work/tls.log" 2>&1 &
tls_pid=$!
tls_url=""
for _ in $(seq 1 600); do
  tls_url="$(sed -n 's/^Trestle server listening on //p' "$work/tls.log" | head -n 1)"
  [ -n "$tls_url" ] && break
  sleep 0.1
done
fingerprint="$(sed -n 's/.*TLS certificate SHA-256 fingerprint: //p' "$work/tls.log" | head -n 1)"
check "the HTTPS server prints its fingerprint" test -n "$fingerprint"
tls_port="${tls_url##*:}"
check "the HTTPS server speaks TLS 1.3" bash -c "openssl s_client -connect 127.0.0.1:$tls_port -tls1_3 </dev/null 2>/dev/null | grep -q 'TLSv1.3'"
check "and TLS 1.2" bash -c "openssl s_client -connect 127.0.0.1:$tls_port -tls1_2 </dev/null 2>/dev/null | grep -q 'TLSv1.2'"
check "but refuses TLS 1.1" bash -c "! openssl s_client -connect 127.0.0.1:$tls_port -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null >/dev/null 2>&1"
check "a client without the fingerprint does not trust the self-signed certificate" \
  bash -c "! '$root/bin/trestle-sync' --data-dir '$work/t1' register --server '$tls_url' --code T1 --enrollment-key tls-key 2>/dev/null"
check "a client with the pinned fingerprint registers and syncs" bash -c "'$root/bin/trestle-sync' --data-dir '$work/t2' register --server '$tls_url' --code T2 --enrollment-key tls-key --fingerprint '$fingerprint' >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/t2' sync >/dev/null 2>&1"
# The same server's /updates/, read by an installed workbench with the pinned certificate.
cp -r "$root/releng/org.trestle.workbench.product/target/products/org.trestle.workbench/linux/gtk/x86_64/trestle" "$work/installed"
check "the installed workbench checks the server's update site over HTTPS" bash -c "TRESTLE_WORKBENCH_DIR='$work/installed' '$root/bin/trestle' --data-dir '$work/t2' --update --check 2>&1 | grep -q 'Trestle is up to date: $tls_url/updates/'"
check "an update site whose certificate is not the pinned one is refused" bash -c "! TRESTLE_WORKBENCH_DIR='$work/installed' '$root/bin/trestle' --data-dir '$work/t2' --update --check --site '$tls_url/updates/' --fingerprint 00:11:22 >/dev/null 2>&1"
kill "$tls_pid" 2>/dev/null; wait "$tls_pid" 2>/dev/null

# --- a domain plugin the server loads from a folder --------------------------------
# One raw exchange with a SafetyInspection (the sample plugin's type) whose project is
# not there yet: a server that has the type holds it for the project; one without says so.
inspection() { # server URL, node code
  local reg tok nid sid now
  reg="$(curl -s -X POST -H 'Content-Type: application/json' -H 'X-Enrollment-Key: site-key' \
    -d "{\"code\": \"$2\"}" "$1/api/sync/register")"
  tok="$(sed -n 's/.*"auth_token":"\([^"]*\)".*/\1/p' <<<"$reg")"
  nid="$(sed -n 's/.*"node_id":"\([^"]*\)".*/\1/p' <<<"$reg")"
  sid="$(sed -n 's/.*"server_node_id":"\([^"]*\)".*/\1/p' <<<"$reg")"
  now="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
  curl -s -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$1/api/sync/exchange" -d \
    "{\"packet_data\": {\"protocol\": 1, \"schema_version\": \"1.0.0\", \"sender\": \"$nid\", \"target\": \"$sid\",
      \"packet_no\": 1, \"ack\": 0, \"created_at\": \"$now\", \"has_more\": false, \"changes\": [{\"seq\": 1,
      \"entity_type\": \"SafetyInspection\", \"entity_uuid\": \"0190a000-0000-7000-8000-000000000001\",
      \"operation\": \"INSERT\", \"updated_at\": \"$now\", \"data\": {\"project\": \"0190a000-0000-7000-8000-0000000000ff\",
      \"inspectedOn\": \"2026-12-03\", \"inspector\": \"Anna\", \"passed\": true, \"findings\": \"ok\"}}]}}"
}
mkdir -p "$work/plugins"
cp "$root"/tests/org.trestle.sample.safety/target/org.trestle.sample.safety-*.jar "$work/plugins/"
"$root/bin/trestle-server" --http --port 0 --data-dir "$work/plugin-server" --enrollment-key site-key \
  --plugins-dir "$work/plugins" >"$work/plugin-server.log" 2>&1 &
plugin_pid=$!
plugin_url=""
for _ in $(seq 1 600); do
  plugin_url="$(sed -n 's/^Trestle server listening on //p' "$work/plugin-server.log" | head -n 1)"
  [ -n "$plugin_url" ] && break
  sleep 0.1
done
check "a server started with --plugins-dir runs the folder's plugin" \
  bash -c "grep -q 'domain plugins from $work/plugins' '$work/plugin-server.log'"
with_plugin="$(inspection "$plugin_url" PLUGIN-1)"
check "and accepts its entity type (held for the project it names)" \
  bash -c "grep -q '\"processed_count\":1' <<<'$with_plugin' && grep -q '\"error_count\":0' <<<'$with_plugin'"
without_plugin="$(inspection "$url" PLUGIN-2)"
check "a server without the plugin reports the type as unknown" bash -c "grep -q 'unknown_entity_type' <<<'$without_plugin'"
kill "$plugin_pid" 2>/dev/null; wait "$plugin_pid" 2>/dev/null

# --- moving the server to PostgreSQL: the laptops carry on without registering again -
if [ -n "${TRESTLE_TEST_PG_URL:-}" ]; then
  port="${url##*:}"
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
  PGPASSWORD="$(cat "$TRESTLE_TEST_PG_PASSWORD_FILE")" psql -q -h 127.0.0.1 -p "$TRESTLE_TEST_PG_PORT" \
    -U "$TRESTLE_TEST_PG_USER" -d postgres -c "create database e2e_moved" >/dev/null
  pg="${TRESTLE_TEST_PG_URL}e2e_moved"
  "$root/bin/trestle-server" migrate --to "$pg" --to-user "$TRESTLE_TEST_PG_USER" \
    --to-password-file "$TRESTLE_TEST_PG_PASSWORD_FILE" --data-dir "$work/server" >"$work/migrated.txt" 2>>"$work/migrate.log"
  check "the administrator moves the stopped server's database to PostgreSQL, every table counted" \
    grep -q 'counted equal on both sides' "$work/migrated.txt"
  check "moving it again into the same database is refused" bash -c "! '$root/bin/trestle-server' migrate --to '$pg' \
    --to-user '$TRESTLE_TEST_PG_USER' --to-password-file '$TRESTLE_TEST_PG_PASSWORD_FILE' --data-dir '$work/server' >/dev/null 2>&1"
  "$root/bin/trestle-server" --http --port "$port" --data-dir "$work/server" --enrollment-key site-key \
    --admin-token admin-secret --db-url "$pg" --db-user "$TRESTLE_TEST_PG_USER" \
    --db-password-file "$TRESTLE_TEST_PG_PASSWORD_FILE" >"$work/server-pg.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do grep -q '^Trestle server listening on ' "$work/server-pg.log" && break; sleep 0.1; done
  check "the server runs on PostgreSQL at the same address" grep -q "^Trestle server listening on $url" "$work/server-pg.log"
  sync a put Material code=PG-MOVED 'name=After the move' unit=pcs unitPrice=2.00 >/dev/null
  check "an edit on A reaches B through it, neither registering again" bash -c "'$root/bin/trestle-sync' --data-dir '$work/a' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' sync >/dev/null 2>&1 && '$root/bin/trestle-sync' --data-dir '$work/b' list Material 2>/dev/null | grep -q 'PG-MOVED'"
  check "and B still holds what it had before the move" bash -c "'$root/bin/trestle-sync' --data-dir '$work/b' list Material 2>/dev/null | grep -q 'PUSH-2'"
else
  echo "skip - moving the server to PostgreSQL (bin/test starts a PostgreSQL and sets TRESTLE_TEST_PG_URL)"
fi

if [ "$failed" -gt 0 ]; then
  echo "--- details"; tail -n 40 "$work/checks.log"; tail -n 20 "$work/server.log"
fi
echo "cli-sequence: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
