#!/usr/bin/env bash
# Times dsfetch against curl, aria2c, `hf download`, the kaggle CLI and kagglehub on the project's
# fake hub (a standalone fakehub process per scenario), and prints a Markdown table.
#
#   bash benches/compare.sh                     # every scenario, 3 runs each
#   RUNS=5 SCENARIOS=hf-capped,version bash benches/compare.sh
#
# Needs: the Rust toolchain, python3 with venv, and (installed here with apt-get when missing,
# which needs root) curl, aria2c and GNU time. The Kaggle scenarios bind port 80, because the kaggle CLI and
# kagglehub can only be pointed at http://localhost:80 (KAGGLE_API_ENVIRONMENT=LOCALHOST); without
# root they are skipped. Data (1 GiB + 64 MiB + 100 MB) and the venv are cached in $WORK
# (default: benches/.work).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export WORK=${WORK:-$root/benches/.work}
mkdir -p "$WORK"

missing=()
command -v curl >/dev/null || missing+=(curl)
command -v aria2c >/dev/null || missing+=(aria2)
[ -x /usr/bin/time ] || missing+=(time) # GNU time, for peak RSS
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then
    echo "installing ${missing[*]} with apt-get" >&2
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export VENV=$WORK/venv
if [ ! -x "$VENV/bin/kaggle" ] || [ ! -x "$VENV/bin/hf" ]; then
    echo "installing huggingface_hub, kaggle, six, kagglehub into $VENV" >&2
    python3 -m venv "$VENV"
    # kaggle 2.x imports six without declaring it.
    "$VENV/bin/pip" install -q huggingface_hub kaggle six kagglehub
fi

cargo build -q --release --locked -p dsfetch -p fakehub --manifest-path "$root/Cargo.toml"
target=${CARGO_TARGET_DIR:-$root/target}
export DSFETCH=$target/release/dsfetch FAKEHUB=$target/release/fakehub

exec python3 "$root/benches/compare.py"
