# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dsfetch_global_optspecs
    string join \n q/quiet v/verbose json no-progress progress= h/help V/version
end

function __fish_dsfetch_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dsfetch_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dsfetch_using_subcommand
    set -l cmd (__fish_dsfetch_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dsfetch -n "__fish_dsfetch_needs_command" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_needs_command" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "search" -d 'Search Kaggle and the Hugging Face Hub at once'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "download" -d 'Download a dataset from Kaggle or the Hugging Face Hub'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "batch" -d 'Download every dataset of a manifest, concurrently, and pin them in a lockfile'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "list" -d 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "info" -d 'Show what a dataset is (size, licence, versions, files) without downloading it'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "verify" -d 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "rm" -d 'Delete datasets from disk (only under the download root and the caches)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "prune" -d 'Free space: stale partial downloads, old cache versions, least recently used datasets'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "history" -d 'Show the download history'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "auth" -d 'Show which credentials would be used for each hub, and check them'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "config" -d 'Show the effective settings and where each comes from (flag, env, config file, default)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c dsfetch -n "__fish_dsfetch_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l source -d 'Which hub to search' -r -f -a "all\t'Both'
kaggle\t'Kaggle'
hf\t'The Hugging Face Hub'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l type -d 'What to search for (spaces are on the Hub only, competitions on Kaggle only)' -r -f -a "dataset\t'Datasets (both hubs)'
model\t'Models (both hubs; Kaggle: one row per framework and variation)'
space\t'Spaces (Hugging Face)'
competition\t'Competitions (Kaggle; needs credentials)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -s n -l limit -d 'Most results to show' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l sort -d 'Ranking' -r -f -a "downloads\t'Most downloaded first'
likes\t'Most liked (HF) / voted (Kaggle) first'
updated\t'Most recently updated first'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l author -d 'Only datasets of this Hugging Face author / Kaggle user' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l tag -d 'Only datasets with this tag (Hugging Face `filter`, e.g. task_categories:text-classification; Kaggle tag id) (repeatable)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l file-type -d 'Only datasets with files of this type: csv, sqlite, json, bigQuery, parquet (Kaggle; on the Hub a format: tag)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l license -d 'Only datasets under this license group: cc, gpl, odb, other (both hubs; on the Hub by the license: tag), or a Hugging Face license id such as mit (with --source hf)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l min-size -d 'Only datasets of at least this many bytes' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l max-size -d 'Only datasets of at most this many bytes' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand search" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l revision -d 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l token -d 'Hugging Face token (instead of HF_TOKEN or the token file)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l type -l repo-type -d 'Hugging Face: the repository type, for an id that does not say [default: dataset]' -r -f -a "dataset\t'A dataset repo'
model\t'A model repo'
space\t'A space'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s f -l file -d 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l competition -d 'Kaggle: the data of this competition (same as the id competitions/NAME)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s o -l output -d 'Put the dataset\'s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]' -r -F
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s j -l jobs -d 'Files to download at once [default: 64]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l connections -d 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l include -d 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l exclude -d 'Skip files matching this pattern (repeatable)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l layout -d 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]' -r -f -a "folder\t'-o DIR or <root>/<name>'
hf-cache\t'The huggingface_hub cache (HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)'
kagglehub\t'kagglehub\'s cache (KAGGLEHUB_CACHE, ~/.cache/kagglehub)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l no-unzip -d 'Kaggle: keep the archive as SLUG.zip instead of extracting it'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l force -d 'Download again even if present, and replace a folder that holds another dataset'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l dry-run -d 'Resolve and show what would be downloaded, without writing anything'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l no-xet -d 'Fetch Xet-backed Hugging Face files through the Hub\'s bridge, not the Xet CAS (also DSFETCH_XET=0)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -a "hf" -d 'Download a Hugging Face repository: a dataset, a model or a space'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -a "kaggle" -d 'Download a Kaggle dataset, competition\'s data or model (whole, or selected files)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and not __fish_seen_subcommand_from hf kaggle help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l revision -d 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l token -d 'Hugging Face token (instead of HF_TOKEN or the token file)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l type -l repo-type -d 'Hugging Face: the repository type, for an id that does not say [default: dataset]' -r -f -a "dataset\t'A dataset repo'
model\t'A model repo'
space\t'A space'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s o -l output -d 'Put the dataset\'s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]' -r -F
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s j -l jobs -d 'Files to download at once [default: 64]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l connections -d 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l include -d 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l exclude -d 'Skip files matching this pattern (repeatable)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l layout -d 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]' -r -f -a "folder\t'-o DIR or <root>/<name>'
hf-cache\t'The huggingface_hub cache (HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)'
kagglehub\t'kagglehub\'s cache (KAGGLEHUB_CACHE, ~/.cache/kagglehub)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l force -d 'Download again even if present, and replace a folder that holds another dataset'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l dry-run -d 'Resolve and show what would be downloaded, without writing anything'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l no-xet -d 'Fetch Xet-backed Hugging Face files through the Hub\'s bridge, not the Xet CAS (also DSFETCH_XET=0)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from hf" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s f -l file -d 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l competition -d 'Kaggle: the data of this competition (same as the id competitions/NAME)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s o -l output -d 'Put the dataset\'s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]' -r -F
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s j -l jobs -d 'Files to download at once [default: 64]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l connections -d 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l include -d 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l exclude -d 'Skip files matching this pattern (repeatable)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l layout -d 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]' -r -f -a "folder\t'-o DIR or <root>/<name>'
hf-cache\t'The huggingface_hub cache (HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)'
kagglehub\t'kagglehub\'s cache (KAGGLEHUB_CACHE, ~/.cache/kagglehub)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l no-unzip -d 'Kaggle: keep the archive as SLUG.zip instead of extracting it'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l force -d 'Download again even if present, and replace a folder that holds another dataset'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l dry-run -d 'Resolve and show what would be downloaded, without writing anything'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l no-xet -d 'Fetch Xet-backed Hugging Face files through the Hub\'s bridge, not the Xet CAS (also DSFETCH_XET=0)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from kaggle" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from help" -f -a "hf" -d 'Download a Hugging Face repository: a dataset, a model or a space'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from help" -f -a "kaggle" -d 'Download a Kaggle dataset, competition\'s data or model (whole, or selected files)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand download; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -s j -l jobs -d 'Datasets to download at once [default: 4]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l file-jobs -d 'Files to download at once within each dataset [default: 64, or DSFETCH_JOBS / config `jobs`]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l connections -d 'Most connections for one large file, fetched in parallel ranged chunks [default: 16]' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l max-connections -d 'Connections open at once across the whole batch' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l lock -d 'The lockfile [default: the manifest\'s name with .lock, next to it (train.toml: train.lock); dsfetch.lock for stdin]' -r -F
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l fail-fast -d 'Stop at the first entry that fails'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l dry-run -d 'Resolve every entry and show the plan, without writing anything'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l no-xet -d 'Fetch Xet-backed Hugging Face files through the Hub\'s bridge, not the Xet CAS (also DSFETCH_XET=0)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l locked -d 'Use exactly the versions and commits of the lockfile and verify every file against it'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l force -d 'Download everything again'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand batch" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -l source -d 'Only this hub\'s datasets' -r -f -a "kaggle\t'Kaggle (dataset folders and the kagglehub cache)'
hf\t'The Hugging Face Hub (dataset folders and the huggingface_hub cache)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand list" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -l token -d 'Hugging Face token (instead of HF_TOKEN or the token file)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand info" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l lock -d 'Verify against this lockfile instead of the folders\' records' -r -F
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l source -d 'Only this hub\'s datasets' -r -f -a "kaggle\t'Kaggle (dataset folders and the kagglehub cache)'
hf\t'The Hugging Face Hub (dataset folders and the huggingface_hub cache)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l repair -d 'Fetch again the files that are missing or modified (only those)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand verify" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -s y -l yes -d 'Delete without asking (required when not on a terminal)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -l dry-run -d 'Show what would be deleted and the space it frees; delete nothing'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand rm" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l older-than -d 'Days a partial download must be untouched to be stale' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l max-size -d 'The least recently used datasets, until everything fits in SIZE (e.g. 200GB, 500MiB)' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l source -d 'Only this hub\'s datasets' -r -f -a "kaggle\t'Kaggle (dataset folders and the kagglehub cache)'
hf\t'The Hugging Face Hub (dataset folders and the huggingface_hub cache)'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l partials -d 'Partial downloads not touched for --older-than days'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l old-versions -d 'huggingface_hub cache revisions no ref points to, kagglehub versions older than the newest'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -s y -l yes -d 'Delete without asking (required when not on a terminal)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l dry-run -d 'Show what would be deleted and the space it frees; delete nothing'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand prune" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -s n -l limit -d 'How many of the last entries to show' -r
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand history" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -l check -d 'Make one cheap authenticated call per hub and report whether the credential is accepted'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand auth" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand config" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -l progress -d 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]' -r -f -a "auto\t'Bars on a terminal, plain lines otherwise'
bar\t'Progress bars'
plain\t'Newline-terminated lines, no carriage returns (for CI logs)'
json\t'One JSON event per line'
none\t'Nothing'"
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors (and the result on stdout)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -s v -l verbose -d 'Print more detail on stderr (-vv: every HTTP request)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -l json -d 'Print the result as one JSON document on stdout'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -l no-progress -d 'Do not show progress (same as --progress none)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand completions" -s V -l version -d 'Print version'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "search" -d 'Search Kaggle and the Hugging Face Hub at once'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "download" -d 'Download a dataset from Kaggle or the Hugging Face Hub'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "batch" -d 'Download every dataset of a manifest, concurrently, and pin them in a lockfile'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "list" -d 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "info" -d 'Show what a dataset is (size, licence, versions, files) without downloading it'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "verify" -d 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "rm" -d 'Delete datasets from disk (only under the download root and the caches)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "prune" -d 'Free space: stale partial downloads, old cache versions, least recently used datasets'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "history" -d 'Show the download history'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "auth" -d 'Show which credentials would be used for each hub, and check them'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "config" -d 'Show the effective settings and where each comes from (flag, env, config file, default)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and not __fish_seen_subcommand_from search download batch list info verify rm prune history auth config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and __fish_seen_subcommand_from download" -f -a "hf" -d 'Download a Hugging Face repository: a dataset, a model or a space'
complete -c dsfetch -n "__fish_dsfetch_using_subcommand help; and __fish_seen_subcommand_from download" -f -a "kaggle" -d 'Download a Kaggle dataset, competition\'s data or model (whole, or selected files)'
