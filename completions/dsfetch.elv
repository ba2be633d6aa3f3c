
use builtin;
use str;

set edit:completion:arg-completer[dsfetch] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dsfetch'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dsfetch'= {
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand search 'Search Kaggle and the Hugging Face Hub at once'
            cand download 'Download a dataset from Kaggle or the Hugging Face Hub'
            cand batch 'Download every dataset of a manifest, concurrently, and pin them in a lockfile'
            cand list 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches'
            cand info 'Show what a dataset is (size, licence, versions, files) without downloading it'
            cand verify 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones'
            cand rm 'Delete datasets from disk (only under the download root and the caches)'
            cand prune 'Free space: stale partial downloads, old cache versions, least recently used datasets'
            cand history 'Show the download history'
            cand auth 'Show which credentials would be used for each hub, and check them'
            cand config 'Show the effective settings and where each comes from (flag, env, config file, default)'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dsfetch;search'= {
            cand --source 'Which hub to search'
            cand --type 'What to search for (spaces are on the Hub only, competitions on Kaggle only)'
            cand -n 'Most results to show'
            cand --limit 'Most results to show'
            cand --sort 'Ranking'
            cand --author 'Only datasets of this Hugging Face author / Kaggle user'
            cand --tag 'Only datasets with this tag (Hugging Face `filter`, e.g. task_categories:text-classification; Kaggle tag id) (repeatable)'
            cand --file-type 'Only datasets with files of this type: csv, sqlite, json, bigQuery, parquet (Kaggle; on the Hub a format: tag)'
            cand --license 'Only datasets under this license group: cc, gpl, odb, other (both hubs; on the Hub by the license: tag), or a Hugging Face license id such as mit (with --source hf)'
            cand --min-size 'Only datasets of at least this many bytes'
            cand --max-size 'Only datasets of at most this many bytes'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;download'= {
            cand --revision 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]'
            cand --token 'Hugging Face token (instead of HF_TOKEN or the token file)'
            cand --type 'Hugging Face: the repository type, for an id that does not say [default: dataset]'
            cand --repo-type 'Hugging Face: the repository type, for an id that does not say [default: dataset]'
            cand -f 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped'
            cand --file 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped'
            cand --competition 'Kaggle: the data of this competition (same as the id competitions/NAME)'
            cand -o 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand --output 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand -j 'Files to download at once [default: 64]'
            cand --jobs 'Files to download at once [default: 64]'
            cand --connections 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]'
            cand --include 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)'
            cand --exclude 'Skip files matching this pattern (repeatable)'
            cand --layout 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --no-unzip 'Kaggle: keep the archive as SLUG.zip instead of extracting it'
            cand --force 'Download again even if present, and replace a folder that holds another dataset'
            cand --dry-run 'Resolve and show what would be downloaded, without writing anything'
            cand --no-xet 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand hf 'Download a Hugging Face repository: a dataset, a model or a space'
            cand kaggle 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dsfetch;download;hf'= {
            cand --revision 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]'
            cand --token 'Hugging Face token (instead of HF_TOKEN or the token file)'
            cand --type 'Hugging Face: the repository type, for an id that does not say [default: dataset]'
            cand --repo-type 'Hugging Face: the repository type, for an id that does not say [default: dataset]'
            cand -o 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand --output 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand -j 'Files to download at once [default: 64]'
            cand --jobs 'Files to download at once [default: 64]'
            cand --connections 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]'
            cand --include 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)'
            cand --exclude 'Skip files matching this pattern (repeatable)'
            cand --layout 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --force 'Download again even if present, and replace a folder that holds another dataset'
            cand --dry-run 'Resolve and show what would be downloaded, without writing anything'
            cand --no-xet 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;download;kaggle'= {
            cand -f 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped'
            cand --file 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped'
            cand --competition 'Kaggle: the data of this competition (same as the id competitions/NAME)'
            cand -o 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand --output 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]'
            cand -j 'Files to download at once [default: 64]'
            cand --jobs 'Files to download at once [default: 64]'
            cand --connections 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]'
            cand --include 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)'
            cand --exclude 'Skip files matching this pattern (repeatable)'
            cand --layout 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --no-unzip 'Kaggle: keep the archive as SLUG.zip instead of extracting it'
            cand --force 'Download again even if present, and replace a folder that holds another dataset'
            cand --dry-run 'Resolve and show what would be downloaded, without writing anything'
            cand --no-xet 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;download;help'= {
            cand hf 'Download a Hugging Face repository: a dataset, a model or a space'
            cand kaggle 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dsfetch;download;help;hf'= {
        }
        &'dsfetch;download;help;kaggle'= {
        }
        &'dsfetch;download;help;help'= {
        }
        &'dsfetch;batch'= {
            cand -j 'Datasets to download at once [default: 4]'
            cand --jobs 'Datasets to download at once [default: 4]'
            cand --file-jobs 'Files to download at once within each dataset [default: 64, or DSFETCH_JOBS / config `jobs`]'
            cand --connections 'Most connections for one large file, fetched in parallel ranged chunks [default: 16]'
            cand --max-connections 'Connections open at once across the whole batch'
            cand --lock 'The lockfile [default: the manifest''s name with .lock, next to it (train.toml: train.lock); dsfetch.lock for stdin]'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --fail-fast 'Stop at the first entry that fails'
            cand --dry-run 'Resolve every entry and show the plan, without writing anything'
            cand --no-xet 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)'
            cand --locked 'Use exactly the versions and commits of the lockfile and verify every file against it'
            cand --force 'Download everything again'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;list'= {
            cand --source 'Only this hub''s datasets'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;info'= {
            cand --token 'Hugging Face token (instead of HF_TOKEN or the token file)'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;verify'= {
            cand --lock 'Verify against this lockfile instead of the folders'' records'
            cand --source 'Only this hub''s datasets'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --repair 'Fetch again the files that are missing or modified (only those)'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;rm'= {
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -y 'Delete without asking (required when not on a terminal)'
            cand --yes 'Delete without asking (required when not on a terminal)'
            cand --dry-run 'Show what would be deleted and the space it frees; delete nothing'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;prune'= {
            cand --older-than 'Days a partial download must be untouched to be stale'
            cand --max-size 'The least recently used datasets, until everything fits in SIZE (e.g. 200GB, 500MiB)'
            cand --source 'Only this hub''s datasets'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --partials 'Partial downloads not touched for --older-than days'
            cand --old-versions 'huggingface_hub cache revisions no ref points to, kagglehub versions older than the newest'
            cand -y 'Delete without asking (required when not on a terminal)'
            cand --yes 'Delete without asking (required when not on a terminal)'
            cand --dry-run 'Show what would be deleted and the space it frees; delete nothing'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;history'= {
            cand -n 'How many of the last entries to show'
            cand --limit 'How many of the last entries to show'
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;auth'= {
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand --check 'Make one cheap authenticated call per hub and report whether the credential is accepted'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;config'= {
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;completions'= {
            cand --progress 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]'
            cand -q 'Print nothing but errors (and the result on stdout)'
            cand --quiet 'Print nothing but errors (and the result on stdout)'
            cand -v 'Print more detail on stderr (-vv: every HTTP request)'
            cand --verbose 'Print more detail on stderr (-vv: every HTTP request)'
            cand --json 'Print the result as one JSON document on stdout'
            cand --no-progress 'Do not show progress (same as --progress none)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dsfetch;help'= {
            cand search 'Search Kaggle and the Hugging Face Hub at once'
            cand download 'Download a dataset from Kaggle or the Hugging Face Hub'
            cand batch 'Download every dataset of a manifest, concurrently, and pin them in a lockfile'
            cand list 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches'
            cand info 'Show what a dataset is (size, licence, versions, files) without downloading it'
            cand verify 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones'
            cand rm 'Delete datasets from disk (only under the download root and the caches)'
            cand prune 'Free space: stale partial downloads, old cache versions, least recently used datasets'
            cand history 'Show the download history'
            cand auth 'Show which credentials would be used for each hub, and check them'
            cand config 'Show the effective settings and where each comes from (flag, env, config file, default)'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dsfetch;help;search'= {
        }
        &'dsfetch;help;download'= {
            cand hf 'Download a Hugging Face repository: a dataset, a model or a space'
            cand kaggle 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)'
        }
        &'dsfetch;help;download;hf'= {
        }
        &'dsfetch;help;download;kaggle'= {
        }
        &'dsfetch;help;batch'= {
        }
        &'dsfetch;help;list'= {
        }
        &'dsfetch;help;info'= {
        }
        &'dsfetch;help;verify'= {
        }
        &'dsfetch;help;rm'= {
        }
        &'dsfetch;help;prune'= {
        }
        &'dsfetch;help;history'= {
        }
        &'dsfetch;help;auth'= {
        }
        &'dsfetch;help;config'= {
        }
        &'dsfetch;help;completions'= {
        }
        &'dsfetch;help;help'= {
        }
    ]
    $completions[$command]
}
