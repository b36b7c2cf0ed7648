#!/usr/bin/env bash
# Runs the whole test suite once per supported Airflow line and prints one summary line per line.
set -uo pipefail
af3_env=$1; af2_env=$2; shift 2
status=0
summary=()
for env in "$af3_env" "$af2_env"; do
  version=$("$env/bin/python" -c 'import airflow; print(airflow.__version__)' 2>/dev/null)
  log=$(mktemp)
  echo "=== Airflow $version ($env) ==="
  "$env/bin/python" -m pytest -p no:cacheprovider "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 5 ] && { echo "no tests ran on Airflow $version"; rc=1; }
  last=$(grep -E '^=+ .*(passed|failed|error).* =+$' "$log" | tail -n 1 | tr -d '=' | xargs)
  summary+=("Airflow $version: ${last:-no result} (exit $rc)")
  [ "$rc" -ne 0 ] && status=1
  rm -f "$log"
done
echo
echo "=== Summary ==="
printf '%s\n' "${summary[@]}"
exit $status
