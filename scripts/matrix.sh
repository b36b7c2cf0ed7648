#!/usr/bin/env bash
# The support matrix beyond `make test` (newest 3.x and 2.11.x, whole suite): the unit and
# emulator-integration tests on every other supported Airflow minor line and on the newest
# supported Python, and the unit tests on the lowest versions the package's ranges allow.
# Prints one summary line per row; exits non-zero if any row failed.
set -uo pipefail
uv=$1; shift
suites=(tests/unit tests/integration tests/emulator)
pyenv_python() {  # the newest installed interpreter of a minor version (pyenv, else PATH)
  local found
  found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/python 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && { echo "$found"; return; }
  command -v "python$1"
}
status=0
summary=()
run_row() {  # name env pytest-args...
  local name=$1 env=$2; shift 2
  local log rc last
  log=$(mktemp)
  echo "=== $name ($env) ==="
  "$env/bin/python" -m pytest -p no:cacheprovider -q "$@" >"$log" 2>&1
  rc=$?
  tail -n 15 "$log"
  [ "$rc" -eq 5 ] && rc=1
  last=$(grep -E '(passed|failed|error)' "$log" | tail -n 1 | tr -d '=' | xargs)
  summary+=("$name: ${last:-no result} (exit $rc)")
  [ "$rc" -ne 0 ] && status=1
  rm -f "$log"
}
sync_group() {  # env group python
  UV_PROJECT_ENVIRONMENT=$1 "$uv" sync --frozen --quiet --compile-bytecode --no-default-groups \
    --group dev --group "$2" --python "$3"
}

py_old=$(pyenv_python 3.11); py_new=$(pyenv_python 3.13)
for row in "af30 3.0" "af31 3.1" "af32 3.2"; do
  set -- $row
  if sync_group ".venv-$1" "$1" "$py_old"; then
    run_row "Airflow $("./.venv-$1/bin/python" -c 'import airflow; print(airflow.__version__)') / Python 3.11" ".venv-$1" "${suites[@]}"
  else
    summary+=("Airflow $2 / Python 3.11: environment failed to install (exit 1)"); status=1
  fi
done

if [ -n "$py_new" ] && sync_group .venv-py313 af3 "$py_new"; then
  run_row "Airflow $(./.venv-py313/bin/python -c 'import airflow; print(airflow.__version__)') / Python 3.13" .venv-py313 "${suites[@]}"
else
  summary+=("Airflow 3.x / Python 3.13: environment failed to install (exit 1)"); status=1
fi

# Lowest versions the declared ranges allow (uv's lowest-direct resolution), unit tests only.
rm -rf .venv-lowest
# --python names the environment: make exports UV_PYTHON, which would otherwise win.
if "$uv" venv --quiet --python "$py_old" .venv-lowest &&
   "$uv" pip install --python .venv-lowest/bin/python --quiet --compile-bytecode --resolution lowest-direct -e . \
     "pytest>=8" "pytest-mock>=3.12" "pytest-asyncio>=0.24" "requests-mock>=1.12" "hypothesis>=6.100" "jsonschema>=4.18"; then
  versions=$(./.venv-lowest/bin/python -c 'from importlib.metadata import version as v; print(", ".join(f"{p} {v(p)}" for p in ("apache-airflow", "apache-airflow-providers-common-compat", "requests", "tenacity")))')
  run_row "lowest-direct ($versions) / Python 3.11" .venv-lowest tests/unit
else
  summary+=("lowest-direct: environment failed to install (exit 1)"); status=1
fi

echo
echo "=== Matrix summary ==="
printf '%s\n' "${summary[@]}"
exit $status
