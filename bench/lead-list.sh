#!/usr/bin/env bash
# Lead list at 1,000,000 leads: starts a throwaway PostgreSQL and the app (Release build), loads
# bench/leads-1m.sql, then times the list API (the same LeadService.ListAsync the admin's lead list
# calls) for the first page and filtered pages. Prints the median of 5 calls per query.
#
#   bench/lead-list.sh            # ~5 minutes on 2 cores (most of it generating and indexing the leads)
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$(pwd)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
D=$(mktemp -d /tmp/nurture-bench.XXXXXX); chown postgres "$D"
read -r PGPORT APPPORT < <(/usr/bin/python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]; print(*[x.getsockname()[1] for x in s])')
APP_PID=""
cleanup() {
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$D/data" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap cleanup EXIT
runuser -u postgres -- "$PGBIN/initdb" -D "$D/data" --no-sync -A trust -U postgres -E UTF8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$D/data" -w -l "$D/pg.log" \
  -o "-p $PGPORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE bench"
dotnet build "$ROOT/src/NurtureEngine.Web" -c Release -v q >/dev/null
KEY=ne_bench_key_0123456789
export ConnectionStrings__Nurture="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=bench" Nurture__SeedDemo=true \
  Nurture__BootstrapApiKey=$KEY Nurture__BootstrapAdmin__Email=admin@bench.test Nurture__BootstrapAdmin__Password=Bench-password-1 \
  Nurture__Role=web ASPNETCORE_URLS=http://127.0.0.1:$APPPORT \
  RateLimits__ApiPerKeyPerMinute=0 RateLimits__PublicPerIpPerMinute=0
start_app() {
  (cd "$ROOT/src/NurtureEngine.Web" && exec dotnet bin/Release/net10.0/NurtureEngine.Web.dll >"$D/app.log" 2>&1) & APP_PID=$!
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$APPPORT/health/ready" >/dev/null && return; sleep 0.5; done
  echo "app did not start" >&2; tail -n 30 "$D/app.log" >&2; exit 1
}
start_app   # migrates and seeds the demo pipeline
echo "generating 1,000,000 leads..." >&2
time "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d bench -q -f "$ROOT/bench/leads-1m.sql"
B="http://127.0.0.1:$APPPORT/api/v1/leads"
echo "| query | median of 5 (ms) | items |"
echo "|---|---|---|"
for q in "limit=50" "stage=mql&limit=50" "owner=rep7@nurture.test&limit=50" "stage=sql&owner=rep2@nurture.test&limit=50" \
         "stage=sql&owner=rep3@nurture.test&limit=50" "tag=t13&limit=50" "tag=no-such-tag&limit=50" "tag=t13&stage=sql&limit=50" "minScore=90&limit=50" "q=acme&limit=50" \
         "q=lead4242@&limit=50" "q=zzz-nobody&limit=50" "status=bounced&limit=50"; do
  curl -s -o /dev/null -H "Authorization: Bearer $KEY" "$B?$q"   # warm-up
  times=$(for _ in 1 2 3 4 5; do curl -s -o "$D/out.json" -w "%{time_total}\n" -H "Authorization: Bearer $KEY" "$B?$q"; done | sort -n | sed -n 3p)
  n=$(/usr/bin/python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))['items']))" "$D/out.json")
  printf '| `%s` | %.0f | %s |\n' "$q" "$(echo "$times * 1000" | bc -l)" "$n"
done
