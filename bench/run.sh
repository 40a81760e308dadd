#!/usr/bin/env bash
# Benchmarks NurtureEngine against the raw limits, every scenario with its baseline in one run,
# and writes bench/RESULTS.md. Sets up its own throwaway PostgreSQL cluster (fsync=off) and a
# counting SMTP sink (bench/counting-sink.py) on free ports; both are removed on exit.
#
#   bench/run.sh            # full: 1,000,000 leads/enrollments, larger N (takes a while)
#   bench/run.sh --quick    # under 5 minutes: smaller N, 200,000 instead of 1,000,000
#   bench/run.sh --only 1,7 # a subset of scenarios (1-9; 2 needs 1, 6 needs 5; 8 is broadcasts, 8a its freeze and queue only, 9 the board and sales report)
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$(pwd)
export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
PY=/usr/bin/python3
COMMAND="bench/run.sh${*:+ $*}"
QUICK=0
for a in "$@"; do [ "$a" = "--quick" ] && QUICK=1; done

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo"
  SUDO=(sudo -n)
fi

find_pgbin() {
  local best="" d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" = "$d" ]; then best=$d; fi
  done
  printf '%s' "$best"
}

# ---------------------------------------------------------------- installs
pkgs=()
[ -n "$(find_pgbin)" ] || pkgs+=(postgresql)
{ [ -x "$PY" ] && "$PY" -c 'import aiosmtpd' >/dev/null 2>&1; } || pkgs+=(python3-aiosmtpd)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "installing: ${pkgs[*]}"
  "${SUDO[@]}" apt-get update -q >&2 || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2 || die "apt-get install failed"
fi
PGBIN=$(find_pgbin)
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found"
command -v dotnet >/dev/null 2>&1 || die "dotnet SDK not found on PATH"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "${SUDO[@]}" -u postgres "$@"); fi
}

# --------------------------------------------------------------- cleanup
WORK=$(mktemp -d /tmp/nurture-bench.XXXXXX)
"${SUDO[@]}" chown postgres "$WORK"
"${SUDO[@]}" chmod 777 "$WORK"
PGDATA="$WORK/data"
PG_STARTED=0
SINK_PID=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; fi
  if [ -s "$WORK/app.pid" ]; then
    app=$(cat "$WORK/app.pid")
    grep -qs NurtureEngine.Web "/proc/$app/cmdline" && kill "$app" 2>/dev/null
  fi
  [ "$PG_STARTED" = 1 ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" stop -m immediate >/dev/null 2>&1
  "${SUDO[@]}" rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r PGPORT SMTPPORT APPPORT < <("$PY" - <<'PYEOF'
import socket
socks = []
for _ in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PYEOF
)

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --------------------------------------------------------------- PostgreSQL
LOCALE=C
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then LOCALE=C.UTF-8; fi
as_postgres "$PGBIN/initdb" -D "$PGDATA" --no-sync -A trust -U postgres -E UTF8 --locale="$LOCALE" >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGDATA/postgresql.conf" <<PGEOF
# ---- throwaway benchmark cluster (bench/run.sh): durability off, see RESULTS.md ----
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
max_wal_size = 8GB
checkpoint_timeout = 30min
shared_preload_libraries = 'pg_stat_statements'
PGEOF
log "starting PostgreSQL on 127.0.0.1:$PGPORT ($PGBIN)"
PG_STARTED=1
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t 60 start >/dev/null \
  || { tail -n 30 "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }

# --------------------------------------------------------------- SMTP sink
ARRIVALS="$WORK/arrivals.txt"
"$PY" "$ROOT/bench/counting-sink.py" --port "$SMTPPORT" --arrivals "$ARRIVALS" </dev/null >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
deadline=$((SECONDS + 30))
until (exec 3<>"/dev/tcp/127.0.0.1/$SMTPPORT") 2>/dev/null; do
  kill -0 "$SINK_PID" 2>/dev/null || { cat "$WORK/sink.log" >&2; SINK_PID=""; die "SMTP sink exited"; }
  [ "$SECONDS" -lt "$deadline" ] || die "SMTP sink not accepting connections"
  sleep 0.1
done

# --------------------------------------------------------------- build + run
log "building (Release)"
dotnet build "$ROOT/bench/NurtureEngine.Bench" -c Release -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "bench build failed"; }
dotnet build "$ROOT/src/NurtureEngine.Web" -c Release -v q -nologo >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "web build failed"; }
BENCH_DLL="$ROOT/bench/NurtureEngine.Bench/bin/Release/net10.0/NurtureEngine.Bench.dll"
WEB_DLL="$ROOT/src/NurtureEngine.Web/bin/Release/net10.0/NurtureEngine.Web.dll"
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
SECONDS=0
log "running scenarios"
# BENCH_WRAP: e.g. a profiler command line ending in "--" (dotnet-trace collect -o t.nettrace --)
BENCH_APP_PIDFILE="$WORK/app.pid" ${BENCH_WRAP:-} dotnet "$BENCH_DLL" --pg "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Password=postgres" --smtp-port "$SMTPPORT" \
  --app-port "$APPPORT" --arrivals "$ARRIVALS" --web-dll "$WEB_DLL" --out "$WORK/table.md" "$@" | tee "$WORK/bench.log" >&2
ELAPSED=$SECONDS
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --------------------------------------------------------------- RESULTS.md
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
RAM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
PGVER=$("$PGBIN/postgres" --version)
DOTNETVER=$(dotnet --version)
MODE=full; [ "$QUICK" = 1 ] && MODE=quick
{
  echo "# NurtureEngine benchmark results"
  echo
  echo "Produced by \`$COMMAND\` ($MODE mode) on $STARTED at commit $(git -C "$ROOT" rev-parse --short HEAD) in $((ELAPSED / 60)) min $((ELAPSED % 60)) s (scenarios only, after the build)."
  echo
  echo "- Machine: $(nproc) CPUs ($CPU), $RAM RAM; $PGVER; .NET SDK $DOTNETVER"
  echo "- Load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END (the machine is shared; see the noise caveat below)"
  echo "- PostgreSQL: throwaway local cluster with **fsync=off, synchronous_commit=off, full_page_writes=off** (durability off: fine for"
  echo "  relative figures, not a production setting), shared_buffers=512MB; engine and baselines use the same cluster."
  echo "- SMTP: bench/counting-sink.py (aiosmtpd, one Python thread, counts instead of writing files) on 127.0.0.1; engine and"
  echo "  MailKit baseline send to the same sink over the same number of connections."
  echo
  cat "$WORK/table.md"
  echo
  cat "$ROOT/bench/NOTES.md"
} >"$ROOT/bench/RESULTS.md"
log "wrote bench/RESULTS.md"
