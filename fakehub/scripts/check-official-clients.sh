#!/usr/bin/env bash
# Runs the official Python clients (huggingface_hub, kagglehub, kaggle CLI) against a release
# build of fakehub, as a faithfulness check of the fake. Manual: needs PyPI and root (the kaggle
# CLI's LOCALHOST mode only talks to port 80). Not part of CI.
#
#   bash fakehub/scripts/check-official-clients.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cargo build -q -p fakehub --release --manifest-path "$root/Cargo.toml"
bin="$root/target/release/fakehub"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q huggingface_hub kagglehub kaggle six
py="$work/venv/bin/python"

data="$work/data"
mkdir -p "$data/hf/acme/corpus/data/train" "$data/kaggle/alice/titanic/sub/dir"
printf '# Corpus\n' >"$data/hf/acme/corpus/README.md"
head -c 3000000 /dev/urandom >"$data/hf/acme/corpus/data/train/0000.parquet"
echo '{"a":1}' >"$data/hf/acme/corpus/data/train/meta.json"
printf 'a,b\n1,2\n' >"$data/kaggle/alice/titanic/titanic.csv"
echo other >"$data/kaggle/alice/titanic/sub/dir/other.txt"
echo '{"hf_tokens":{"hf_tok":"alice"},"kaggle_users":{"alice":"key1"},"kaggle_tokens":{"KGAT_x":"alice"}}' >"$data/users.json"

start() { # port → waits for the ready line
    "$bin" --port "$1" --data "$data" >"$work/ready-$1" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$work/ready-$1" ] && return; sleep 0.1; done
    echo "fakehub on port $1 did not start" >&2
    exit 1
}
start 7777 # kagglehub's TEST environment, and HF_ENDPOINT
start 80   # kaggle CLI's LOCALHOST environment

echo "== huggingface_hub"
HF_ENDPOINT=http://127.0.0.1:7777 HF_HOME="$work/hf" "$py" - <<'EOF'
import os
from huggingface_hub import HfApi, snapshot_download, hf_hub_download
from huggingface_hub.utils import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError
api = HfApi()
assert [d.id for d in api.list_datasets(search="corpus", limit=5)] == ["acme/corpus"]
info = api.dataset_info("acme/corpus", files_metadata=True)
assert {s.rfilename for s in info.siblings} == {"README.md", "data/train/0000.parquet", "data/train/meta.json"}
local = os.environ["HF_HOME"] + "/out"
snapshot_download("acme/corpus", repo_type="dataset")
snapshot_download("acme/corpus", repo_type="dataset", local_dir=local)
v = api.verify_repo_checksums("acme/corpus", repo_type="dataset", local_dir=local)
assert not v.mismatches and not v.missing_paths, v
assert api.whoami(token="hf_tok")["name"] == "alice"
for fn, exc in [(lambda: hf_hub_download("acme/corpus", "nope.txt", repo_type="dataset"), EntryNotFoundError),
                (lambda: hf_hub_download("acme/nothing", "x", repo_type="dataset"), RepositoryNotFoundError),
                (lambda: hf_hub_download("acme/corpus", "x", repo_type="dataset", revision="nobranch"), RevisionNotFoundError)]:
    try:
        fn()
        raise SystemExit("expected " + exc.__name__)
    except exc:
        pass
print("huggingface_hub OK")
EOF

echo "== kagglehub"
HOME="$work/home1" KAGGLEHUB_CACHE="$work/kgcache" KAGGLE_API_ENVIRONMENT=TEST KAGGLE_USERNAME=alice KAGGLE_KEY=key1 \
    DISABLE_KAGGLE_CACHE=1 DISABLE_COLAB_CACHE=1 "$py" - >"$work/kagglehub.log" 2>&1 <<'EOF'
import os, kagglehub
p = kagglehub.dataset_download("alice/titanic")
assert sorted(os.listdir(p)) == ["sub", "titanic.csv"], os.listdir(p)
p = kagglehub.dataset_download("alice/titanic", path="titanic.csv", force_download=True)
assert open(p).read() == "a,b\n1,2\n"
p = kagglehub.dataset_download("alice/titanic", path="sub")  # 404, then ListTreeDatasetFiles
assert os.listdir(p) == ["dir"]
assert kagglehub.whoami() == {"username": "alice"}
print("kagglehub OK")
EOF
grep -a "kagglehub OK" "$work/kagglehub.log" || { tail -50 "$work/kagglehub.log"; exit 1; }

echo "== kaggle CLI"
export HOME="$work/home2" KAGGLE_API_ENVIRONMENT=LOCALHOST
mkdir -p "$HOME/.kaggle"
kaggle="$work/venv/bin/kaggle"
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets list -s titanic | grep -q alice/titanic
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets files alice/titanic | grep -q sub/dir/other.txt
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets download alice/titanic -p "$work/dl" --unzip >/dev/null
test -f "$work/dl/sub/dir/other.txt"
KAGGLE_API_TOKEN=KGAT_x "$kaggle" datasets download alice/titanic -f titanic.csv -p "$work/dl1" >/dev/null
test -f "$work/dl1/titanic.csv"
echo "kaggle CLI OK"
