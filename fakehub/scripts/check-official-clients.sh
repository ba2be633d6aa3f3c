#!/usr/bin/env bash
# Runs the official Python clients (huggingface_hub, kagglehub, kaggle CLI) against a release
# build of fakehub, as a faithfulness check of the fake: datasets, HF models and Spaces, Kaggle
# competitions and models. Manual: needs PyPI and root (the LOCALHOST mode of the kaggle CLI and
# kagglehub only talks to port 80). Not part of CI.
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
# HF: a model and a Space (and a dataset with the model's id); Kaggle: competitions and models
mkdir -p "$data/hf-models/acme/bert/tokenizer" "$data/hf-spaces/acme/app" "$data/hf/acme/bert" \
    "$data/kaggle-competitions/titanic/sub/dir" "$data/kaggle-competitions/locked" \
    "$data/kaggle-models/google/gemma/pyTorch/2b/weights" "$data/kaggle-models/acme/many/jax/v1/part"
echo '{"model_type":"bert"}' >"$data/hf-models/acme/bert/config.json"
head -c 2000000 /dev/urandom >"$data/hf-models/acme/bert/model.safetensors"
printf 'a\nb\n' >"$data/hf-models/acme/bert/tokenizer/vocab.txt"
echo 'import gradio' >"$data/hf-spaces/acme/app/app.py"
printf -- '---\nsdk: gradio\n---\n' >"$data/hf-spaces/acme/app/README.md"
echo 'x,y' >"$data/hf/acme/bert/data.csv"
printf 'id,s\n1,0\n' >"$data/kaggle-competitions/titanic/train.csv"
echo deep >"$data/kaggle-competitions/titanic/sub/dir/x.csv"
echo l >"$data/kaggle-competitions/locked/l.csv"
echo '{"a":1}' >"$data/kaggle-models/google/gemma/pyTorch/2b/config.json"
head -c 300000 /dev/urandom >"$data/kaggle-models/google/gemma/pyTorch/2b/weights/model.bin"
for i in $(seq 30); do echo "f$i" >"$data/kaggle-models/acme/many/jax/v1/part/f$i.txt"; done
echo '{"hf_tokens":{"hf_tok":"alice"},"kaggle_users":{"alice":"key1"},"kaggle_tokens":{"KGAT_x":"alice"},"kaggle_rules":{"titanic":["alice"],"locked":[]}}' >"$data/users.json"

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

echo "== huggingface_hub: models and Spaces"
DATA="$data" HF_ENDPOINT=http://127.0.0.1:7777 HF_HOME="$work/hf2" HF_HUB_DISABLE_PROGRESS_BARS=1 "$py" - <<'EOF'
import os, filecmp
from huggingface_hub import HfApi, snapshot_download, hf_hub_download
from huggingface_hub.utils import EntryNotFoundError, RepositoryNotFoundError
data = os.environ["DATA"]
api = HfApi()
info = api.model_info("acme/bert", files_metadata=True)
assert {s.rfilename for s in info.siblings} == {"config.json", "model.safetensors", "tokenizer/vocab.txt"}
p = snapshot_download("acme/bert")  # a model: files at /{id}/resolve/...
assert "/models--acme--bert/snapshots/" in p, p
for f in ["config.json", "model.safetensors", "tokenizer/vocab.txt"]:
    assert filecmp.cmp(os.path.join(p, f), os.path.join(data, "hf-models/acme/bert", f), shallow=False), f
local = os.environ["HF_HOME"] + "/bert"
snapshot_download("acme/bert", repo_type="model", local_dir=local)
v = api.verify_repo_checksums("acme/bert", repo_type="model", local_dir=local)
assert not v.mismatches and not v.missing_paths, v
assert open(hf_hub_download("acme/bert", "tokenizer/vocab.txt")).read() == "a\nb\n"
assert [m.id for m in api.list_models(search="bert")] == ["acme/bert"]
p = snapshot_download("acme/app", repo_type="space")
assert "/spaces--acme--app/snapshots/" in p and sorted(os.listdir(p)) == ["README.md", "app.py"], p
s = api.space_info("acme/app")
assert s.sdk == "gradio" and s.runtime.stage == "RUNNING"
assert [x.id for x in api.list_spaces()] == ["acme/app"]
assert os.listdir(snapshot_download("acme/bert", repo_type="dataset")) == ["data.csv"]
for fn, exc in [(lambda: api.model_info("acme/app"), RepositoryNotFoundError),
                (lambda: hf_hub_download("acme/app", "app.py"), RepositoryNotFoundError),
                (lambda: api.dataset_info("acme/app"), RepositoryNotFoundError),
                (lambda: hf_hub_download("acme/bert", "nope.txt"), EntryNotFoundError)]:
    try:
        fn()
        raise SystemExit("expected " + exc.__name__)
    except exc:
        pass
print("huggingface_hub models/spaces OK")
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

echo "== kagglehub: competitions and models (LOCALHOST, port 80)"
DATA="$data" HOME="$work/home3" KAGGLEHUB_CACHE="$work/kgcache2" KAGGLE_API_ENVIRONMENT=LOCALHOST \
    KAGGLE_USERNAME=alice KAGGLE_KEY=key1 DISABLE_KAGGLE_CACHE=1 DISABLE_COLAB_CACHE=1 \
    "$py" - >"$work/kagglehub2.log" 2>&1 <<'EOF'
import os, filecmp, kagglehub
from kagglehub.exceptions import KaggleApiHTTPError
data = os.environ["DATA"]
p = kagglehub.competition_download("titanic")
got = sorted(os.path.relpath(os.path.join(r, f), p) for r, _, fs in os.walk(p) for f in fs)
assert got == ["sub/dir/x.csv", "train.csv"], got
f = kagglehub.competition_download("titanic", path="sub/dir/x.csv", force_download=True)
assert open(f).read() == "deep\n"
for name, status in [("locked", 403), ("no-such-competition", 404)]:
    try:
        kagglehub.competition_download(name)
        raise SystemExit(f"expected {status}")
    except KaggleApiHTTPError as e:
        assert e.response.status_code == status, e.response.status_code
p = kagglehub.model_download("google/gemma/pyTorch/2b")  # 2 files: one by one
for rel in ["config.json", "weights/model.bin"]:
    assert filecmp.cmp(os.path.join(p, rel), os.path.join(data, "kaggle-models/google/gemma/pyTorch/2b", rel), shallow=False)
p = kagglehub.model_download("acme/many/jax/v1")  # 30 files: archive.tar.gz
assert len(os.listdir(os.path.join(p, "part"))) == 30
f = kagglehub.model_download("google/gemma/pyTorch/2b/1", path="weights/model.bin", force_download=True)
assert filecmp.cmp(f, os.path.join(data, "kaggle-models/google/gemma/pyTorch/2b/weights/model.bin"), shallow=False)
print("kagglehub competitions/models OK")
EOF
grep -a "kagglehub competitions/models OK" "$work/kagglehub2.log" || { tail -50 "$work/kagglehub2.log"; exit 1; }

echo "== kaggle CLI"
export HOME="$work/home2" KAGGLE_API_ENVIRONMENT=LOCALHOST
mkdir -p "$HOME/.kaggle"
kaggle="$work/venv/bin/kaggle"
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets list -s titanic | grep alice/titanic >/dev/null
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets files alice/titanic | grep sub/dir/other.txt >/dev/null
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" datasets download alice/titanic -p "$work/dl" --unzip >/dev/null
test -f "$work/dl/sub/dir/other.txt"
KAGGLE_API_TOKEN=KGAT_x "$kaggle" datasets download alice/titanic -f titanic.csv -p "$work/dl1" >/dev/null
test -f "$work/dl1/titanic.csv"
echo "kaggle CLI OK"
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" competitions list -s titanic | grep competitions/titanic >/dev/null
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" competitions files titanic | grep sub/dir/x.csv >/dev/null
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" competitions download titanic -p "$work/dl2" >/dev/null
test -f "$work/dl2/titanic.zip"
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" competitions download titanic -f sub/dir/x.csv -p "$work/dl3" >/dev/null
test -f "$work/dl3/sub/dir/x.csv"
out=$(KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" competitions download locked -p "$work/dl4" 2>&1 || true)
grep "You must accept this competition's rules" <<<"$out" >/dev/null || { echo "no rules message: $out" >&2; exit 1; }
KAGGLE_USERNAME=alice KAGGLE_KEY=key1 "$kaggle" models instances versions download google/gemma/pyTorch/2b/1 \
    -p "$work/dl5" --untar >/dev/null
test -f "$work/dl5/weights/model.bin"
echo "kaggle CLI competitions/models OK"
