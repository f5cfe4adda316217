#!/usr/bin/env bash
# Run the shared rule-engine benchmark (../../shared/bench/rules, read-only) with kgagent added.
#   benchmarks/rules/run.sh                                   # all engines, 1e3..1e5, 3 runs
#   benchmarks/rules/run.sh --sizes 1000 --runs 1             # quick check
#   benchmarks/rules/run.sh --engines kgagent,duckdb_sql --workloads W1 --runs 3
# Options go to the harness's run_all.sh / bench.py (--engines --workloads --sizes --runs --timeout).
# The harness is copied to benchmarks/rules/work/harness (gitignored); its .venv (the peer engines
# from PyPI) is kept there between runs. Our runners are .sh files that call the project's .venv
# (the harness venv has no kgagent): kgagent (proofs recorded) and kgagent_noproofs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${KGA_BENCH_SHARED:-$ROOT/../shared/bench/rules}"
[[ -d "$SHARED" ]] || SHARED=/work/shared/bench/rules
H="$HERE/work/harness"
mkdir -p "$H"
# copy the harness (but keep an existing .venv and never touch the read-only original)
(cd "$SHARED" && tar cf - --exclude=.venv --exclude=work .) | (cd "$H" && tar xf -)
chmod -R u+w "$H"
PY="$ROOT/.venv/bin/python"
for variant in kgagent kgagent_noproofs; do
  flag=""; [[ $variant == kgagent_noproofs ]] && flag="--no-proofs"
  cat > "$H/runners/$variant.sh" <<SH
#!/usr/bin/env bash
# kgagent's engine (library call: load .facts + evaluate), run with the project's venv.
exec "$PY" "$HERE/runners/kgagent.py" $flag "\$@"
SH
done
cd "$H"
exec ./run_all.sh "$@"
