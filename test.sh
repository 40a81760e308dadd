#!/usr/bin/env bash
# Runs the whole NurtureEngine test suite against real components:
# a throwaway PostgreSQL cluster and an SMTP sink (tests/smtp-sink.py),
# both under .testdata/ on free ports, removed/stopped on exit.
#
#   ./test.sh                                   # everything
#   ./test.sh --filter "FullyQualifiedName~Smtp"   # extra args go to dotnet test
#
# Exports to the tests:
#   NURTURE_TEST_PG          Npgsql connection string (no Database=; tests create their own)
#   NURTURE_TEST_SMTP_HOST   127.0.0.1
#   NURTURE_TEST_SMTP_PORT   port of the SMTP sink
#   NURTURE_TEST_MAILDIR     absolute folder where the sink writes one .eml per accepted message
#   NURTURE_TEST_CHROMIUM    /usr/bin/chromium (for Playwright's ExecutablePath)
#   NURTURE_TEST_IMAP_HOST   127.0.0.1 (a private Dovecot, for inbound-mail tests)
#   NURTURE_TEST_IMAP_PORT, NURTURE_TEST_IMAP_USER, NURTURE_TEST_IMAP_PASSWORD
# The last line printed is "N passed, M failed".
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
ROOT=$(pwd)
export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
PY=/usr/bin/python3
TD="$ROOT/.testdata"

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  echo "0 passed, 0 failed"
  exit 1
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install packages or run PostgreSQL as postgres"
  SUDO=(sudo -n)
fi

find_pgbin() {
  local best="" d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n1)" = "$d" ]; then
      best=$d
    fi
  done
  printf '%s' "$best"
}

# ---------------------------------------------------------------- installs
pkgs=()
[ -n "$(find_pgbin)" ] || pkgs+=(postgresql)
{ [ -x "$PY" ] && "$PY" -c 'import aiosmtpd' >/dev/null 2>&1; } || pkgs+=(python3-aiosmtpd)
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
{ [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]; } || pkgs+=(dovecot-imapd)
{ [ -x "$PY" ] && "$PY" -c 'import dkim' >/dev/null 2>&1; } || pkgs+=(python3-dkim)
# promtool (from the prometheus package) lints our /metrics exposition the way Prometheus reads it
command -v promtool >/dev/null 2>&1 || pkgs+=(prometheus)
# SpamAssassin scores the starter templates' MIME offline (the template linter uses it when present)
command -v spamassassin >/dev/null 2>&1 || pkgs+=(spamassassin)
# npm vendors the visual email editor (GrapesJS) into wwwroot/lib during the build (NurtureEngine.Web.csproj)
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
# docker-compose 1.29 validates docker-compose.yml without a Docker engine
command -v docker-compose >/dev/null 2>&1 || pkgs+=(docker-compose)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "installing: ${pkgs[*]}"
  "${SUDO[@]}" apt-get update -q >&2 || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2 \
    || die "apt-get install ${pkgs[*]} failed"
fi
PGBIN=$(find_pgbin)
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found after install"
"$PY" -c 'import aiosmtpd' >/dev/null 2>&1 || die "python3-aiosmtpd not importable by $PY"
"$PY" -c 'import dkim' >/dev/null 2>&1 || die "python3-dkim not importable by $PY"
[ -x /usr/sbin/dovecot ] || die "dovecot not found after install"
command -v dotnet >/dev/null 2>&1 || die "dotnet SDK not found on PATH"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "${SUDO[@]}" -u postgres "$@")
  fi
}

# ---------------------------------------------- stop leftovers, fresh .testdata
if [ -f "$TD/pgdata.path" ]; then
  olddata=$(cat "$TD/pgdata.path" 2>/dev/null || true)
  if [ -n "$olddata" ] && [ -f "$olddata/postmaster.pid" ]; then
    log "stopping a PostgreSQL left over from an earlier run"
    as_postgres "$PGBIN/pg_ctl" -D "$olddata" stop -m immediate >/dev/null 2>&1 || true
  fi
  case "$olddata" in /tmp/nurture-test-pg.*) "${SUDO[@]}" rm -rf "$(dirname "$olddata")" ;; esac
fi
if [ -f "$TD/imap.path" ]; then
  oldimap=$(cat "$TD/imap.path" 2>/dev/null || true)
  if [ -n "$oldimap" ] && [ -f "$oldimap/run/master.pid" ]; then
    log "stopping a Dovecot left over from an earlier run"
    "${SUDO[@]}" kill "$(cat "$oldimap/run/master.pid")" 2>/dev/null || true
  fi
  case "$oldimap" in /tmp/nurture-test-imap.*) "${SUDO[@]}" rm -rf "$oldimap" ;; esac
fi
if [ -f "$TD/smtp-sink.pid" ]; then
  old=$(cat "$TD/smtp-sink.pid" 2>/dev/null || true)
  if [ -n "$old" ] && grep -qs smtp-sink.py "/proc/$old/cmdline"; then
    kill "$old" 2>/dev/null || true
  fi
fi
"${SUDO[@]}" rm -rf "$TD"
mkdir -p "$TD/pg" "$TD/mail" "$TD/results" "$TD/logs"
"${SUDO[@]}" chown postgres "$TD/pg"
MAILDIR="$TD/mail"

# The cluster lives in .testdata/pg unless the postgres user cannot reach it (e.g. a
# checkout under /root); then in a private /tmp folder, removed on exit.
PGROOT="$TD/pg"
PGTMP=""
if ! as_postgres test -w "$PGROOT" 2>/dev/null; then
  PGTMP=$(mktemp -d /tmp/nurture-test-pg.XXXXXX)
  "${SUDO[@]}" chown postgres "$PGTMP"
  PGROOT=$PGTMP
  log "postgres cannot write $TD/pg; using $PGROOT"
fi
PGDATA="$PGROOT/data"
echo "$PGDATA" >"$TD/pgdata.path"
PGLOG="$PGROOT/postgres.log"
# Unix socket paths are limited to ~107 bytes; fall back to /tmp for deep checkouts.
SOCKDIR="$PGROOT"
SOCKTMP=""
if [ "${#SOCKDIR}" -gt 80 ]; then
  SOCKTMP=$(mktemp -d /tmp/nurture-test-sock.XXXXXX)
  "${SUDO[@]}" chown postgres "$SOCKTMP"
  SOCKDIR=$SOCKTMP
fi

# --------------------------------------------------------------- cleanup
PG_STARTED=0
SINK_PID=""
IMAPDIR=""
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$?
  set +e
  if [ -n "$SINK_PID" ]; then
    kill "$SINK_PID" 2>/dev/null
    wait "$SINK_PID" 2>/dev/null
  fi
  if [ -n "$IMAPDIR" ]; then
    [ -f "$IMAPDIR/run/master.pid" ] && "${SUDO[@]}" kill "$(cat "$IMAPDIR/run/master.pid")" 2>/dev/null
    cp "$IMAPDIR/dovecot.log" "$TD/logs/dovecot.log" 2>/dev/null
    "${SUDO[@]}" rm -rf "$IMAPDIR"
  fi
  if [ "$PG_STARTED" = 1 ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" stop -m immediate >/dev/null 2>&1
  fi
  if [ -n "$PGTMP" ]; then
    cp "$PGLOG" "$TD/logs/postgres.log" 2>/dev/null
    "${SUDO[@]}" rm -rf "$PGTMP"
  fi
  [ -n "$SOCKTMP" ] && "${SUDO[@]}" rm -rf "$SOCKTMP"
  if [ "${CI:-}" = "true" ]; then
    # do not leave compiler / MSBuild servers running after a CI run
    dotnet build-server shutdown >/dev/null 2>&1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Three distinct free TCP ports on 127.0.0.1 (all sockets held open while choosing).
read -r PGPORT SMTPPORT IMAPPORT < <("$PY" - <<'EOF'
import socket
socks = []
for _ in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
)
if [ -z "${PGPORT:-}" ] || [ -z "${SMTPPORT:-}" ] || [ -z "${IMAPPORT:-}" ]; then die "could not pick free ports"; fi

# --------------------------------------------------------------- PostgreSQL
LOCALE=C
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then LOCALE=C.UTF-8; fi
log "initdb in $PGDATA"
as_postgres "$PGBIN/initdb" -D "$PGDATA" --no-sync -A trust -U postgres -E UTF8 --locale="$LOCALE" \
  >"$TD/logs/initdb.log" 2>&1 || { cat "$TD/logs/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGDATA/postgresql.conf" <<EOF

# ---- throwaway test cluster (test.sh) ----
port = $PGPORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCKDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
log "starting PostgreSQL on 127.0.0.1:$PGPORT"
PG_STARTED=1
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start >/dev/null \
  || { tail -n 30 "$PGLOG" >&2; die "PostgreSQL did not start"; }
deadline=$((SECONDS + 30))
until "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; do
  [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$PGLOG" >&2; die "PostgreSQL not accepting connections"; }
  sleep 0.1
done

# --------------------------------------------------------------- SMTP sink
log "starting SMTP sink on 127.0.0.1:$SMTPPORT -> $MAILDIR"
"$PY" "$ROOT/tests/smtp-sink.py" --port "$SMTPPORT" --dir "$MAILDIR" \
  </dev/null >"$TD/logs/smtp-sink.log" 2>&1 &
SINK_PID=$!
echo "$SINK_PID" >"$TD/smtp-sink.pid"
deadline=$((SECONDS + 30))
until (exec 3<>"/dev/tcp/127.0.0.1/$SMTPPORT") 2>/dev/null; do
  kill -0 "$SINK_PID" 2>/dev/null || { cat "$TD/logs/smtp-sink.log" >&2; SINK_PID=""; die "SMTP sink exited"; }
  [ "$SECONDS" -lt "$deadline" ] || { cat "$TD/logs/smtp-sink.log" >&2; die "SMTP sink not accepting connections"; }
  sleep 0.1
done

# --------------------------------------------------------------- IMAP (Dovecot)
# A private instance as root (RECIPES.md); mail is owned by the mail user, so the folder lives
# under /tmp where that user can reach it.
IMAPDIR=$(mktemp -d /tmp/nurture-test-imap.XXXXXX)
echo "$IMAPDIR" >"$TD/imap.path"
chmod 755 "$IMAPDIR"
mkdir -p "$IMAPDIR/run" "$IMAPDIR/state" "$IMAPDIR/mail"
IMAPUSER=inbox@nurture.test
IMAPPASS=inbox-secret-$RANDOM$RANDOM
echo "$IMAPUSER:{PLAIN}$IMAPPASS" >"$IMAPDIR/users"
cat >"$IMAPDIR/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $IMAPDIR/run
state_dir = $IMAPDIR/state
log_path = $IMAPDIR/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:$IMAPDIR/mail/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN $IMAPDIR/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$IMAPDIR/mail/%n
}
first_valid_uid = 8
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAPPORT
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
"${SUDO[@]}" chown -R mail:mail "$IMAPDIR/mail"
log "starting Dovecot IMAP on 127.0.0.1:$IMAPPORT"
"${SUDO[@]}" /usr/sbin/dovecot -c "$IMAPDIR/dovecot.conf" || { cat "$IMAPDIR/dovecot.log" >&2 2>/dev/null; die "Dovecot did not start"; }
deadline=$((SECONDS + 30))
until (exec 3<>"/dev/tcp/127.0.0.1/$IMAPPORT") 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || { cat "$IMAPDIR/dovecot.log" >&2 2>/dev/null; die "Dovecot not accepting connections"; }
  sleep 0.1
done

export NURTURE_TEST_IMAP_HOST=127.0.0.1
export NURTURE_TEST_IMAP_PORT=$IMAPPORT
export NURTURE_TEST_IMAP_USER=$IMAPUSER
export NURTURE_TEST_IMAP_PASSWORD=$IMAPPASS
export NURTURE_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Password=postgres"
export NURTURE_TEST_SMTP_HOST=127.0.0.1
export NURTURE_TEST_SMTP_PORT=$SMTPPORT
export NURTURE_TEST_MAILDIR=$MAILDIR
export NURTURE_TEST_CHROMIUM=/usr/bin/chromium
if [ "${CI:-}" = "true" ]; then
  export MSBUILDDISABLENODEREUSE=1
fi

# --------------------------------------------------------------- tests
log "dotnet test $*"
set +e
dotnet test "$ROOT/NurtureEngine.sln" -c Release --logger "trx" --results-directory "$TD/results" "$@"
TEST_RC=$?
set -e

# --------------------------------------------------------------- summary
summary=$("$PY" - "$TD/results" <<'EOF'
import pathlib, sys
import xml.etree.ElementTree as ET
passed = failed = files = 0
bad = []
for trx in sorted(pathlib.Path(sys.argv[1]).rglob("*.trx")):
    files += 1
    try:
        root = ET.parse(trx).getroot()
    except ET.ParseError as e:
        bad.append(f"{trx}: {e}")
        continue
    for el in root.iter():
        if el.tag == "Counters" or el.tag.endswith("}Counters"):
            a = el.attrib
            passed += int(a.get("passed", 0) or 0)
            # errors and timeouts are failures too
            failed += sum(int(a.get(k, 0) or 0) for k in ("failed", "error", "timeout"))
for b in bad:
    print("unreadable TRX: " + b, file=sys.stderr)
print(files, passed, failed, len(bad))
EOF
) || summary="0 0 0 1"
read -r TRX_FILES PASSED FAILED TRX_BAD <<<"$summary"

if [ "$TRX_FILES" -eq 0 ]; then
  log "ERROR: no TRX file produced under $TD/results (dotnet test exit code $TEST_RC)"
  echo "0 passed, 0 failed"
  exit 1
fi
rc=0
if [ "$TEST_RC" -ne 0 ]; then log "dotnet test exited with code $TEST_RC"; rc=1; fi
if [ "$FAILED" -ne 0 ]; then log "$FAILED test(s) failed"; rc=1; fi
if [ "$TRX_BAD" -ne 0 ]; then log "$TRX_BAD TRX file(s) could not be read"; rc=1; fi
echo "$PASSED passed, $FAILED failed"
exit "$rc"
