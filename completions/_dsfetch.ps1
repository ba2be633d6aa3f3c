
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'dsfetch' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'dsfetch'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'dsfetch' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search Kaggle and the Hugging Face Hub at once')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Download a dataset from Kaggle or the Hugging Face Hub')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Download every dataset of a manifest, concurrently, and pin them in a lockfile')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show what a dataset is (size, licence, versions, files) without downloading it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete datasets from disk (only under the download root and the caches)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Free space: stale partial downloads, old cache versions, least recently used datasets')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the download history')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Show which credentials would be used for each hub, and check them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings and where each comes from (flag, env, config file, default)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dsfetch;search' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Which hub to search')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'What to search for (spaces are on the Hub only, competitions on Kaggle only)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Most results to show')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most results to show')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Ranking')
            [CompletionResult]::new('--author', '--author', [CompletionResultType]::ParameterName, 'Only datasets of this Hugging Face author / Kaggle user')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Only datasets with this tag (Hugging Face `filter`, e.g. task_categories:text-classification; Kaggle tag id) (repeatable)')
            [CompletionResult]::new('--file-type', '--file-type', [CompletionResultType]::ParameterName, 'Only datasets with files of this type: csv, sqlite, json, bigQuery, parquet (Kaggle; on the Hub a format: tag)')
            [CompletionResult]::new('--license', '--license', [CompletionResultType]::ParameterName, 'Only datasets under this license group: cc, gpl, odb, other (both hubs; on the Hub by the license: tag), or a Hugging Face license id such as mit (with --source hf)')
            [CompletionResult]::new('--min-size', '--min-size', [CompletionResultType]::ParameterName, 'Only datasets of at least this many bytes')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Only datasets of at most this many bytes')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;download' {
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Hugging Face token (instead of HF_TOKEN or the token file)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Hugging Face: the repository type, for an id that does not say [default: dataset]')
            [CompletionResult]::new('--repo-type', '--repo-type', [CompletionResultType]::ParameterName, 'Hugging Face: the repository type, for an id that does not say [default: dataset]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped')
            [CompletionResult]::new('--competition', '--competition', [CompletionResultType]::ParameterName, 'Kaggle: the data of this competition (same as the id competitions/NAME)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip files matching this pattern (repeatable)')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--no-unzip', '--no-unzip', [CompletionResultType]::ParameterName, 'Kaggle: keep the archive as SLUG.zip instead of extracting it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Download again even if present, and replace a folder that holds another dataset')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Resolve and show what would be downloaded, without writing anything')
            [CompletionResult]::new('--no-xet', '--no-xet', [CompletionResultType]::ParameterName, 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('hf', 'hf', [CompletionResultType]::ParameterValue, 'Download a Hugging Face repository: a dataset, a model or a space')
            [CompletionResult]::new('kaggle', 'kaggle', [CompletionResultType]::ParameterValue, 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dsfetch;download;hf' {
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Hugging Face token (instead of HF_TOKEN or the token file)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Hugging Face: the repository type, for an id that does not say [default: dataset]')
            [CompletionResult]::new('--repo-type', '--repo-type', [CompletionResultType]::ParameterName, 'Hugging Face: the repository type, for an id that does not say [default: dataset]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip files matching this pattern (repeatable)')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Download again even if present, and replace a folder that holds another dataset')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Resolve and show what would be downloaded, without writing anything')
            [CompletionResult]::new('--no-xet', '--no-xet', [CompletionResultType]::ParameterName, 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;download;kaggle' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Kaggle: only this file (repeatable); a file the service sends zipped is unzipped')
            [CompletionResult]::new('--competition', '--competition', [CompletionResultType]::ParameterName, 'Kaggle: the data of this competition (same as the id competitions/NAME)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Put the dataset''s files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Files to download at once [default: 64]')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip files matching this pattern (repeatable)')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--no-unzip', '--no-unzip', [CompletionResultType]::ParameterName, 'Kaggle: keep the archive as SLUG.zip instead of extracting it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Download again even if present, and replace a folder that holds another dataset')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Resolve and show what would be downloaded, without writing anything')
            [CompletionResult]::new('--no-xet', '--no-xet', [CompletionResultType]::ParameterName, 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;download;help' {
            [CompletionResult]::new('hf', 'hf', [CompletionResultType]::ParameterValue, 'Download a Hugging Face repository: a dataset, a model or a space')
            [CompletionResult]::new('kaggle', 'kaggle', [CompletionResultType]::ParameterValue, 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dsfetch;download;help;hf' {
            break
        }
        'dsfetch;download;help;kaggle' {
            break
        }
        'dsfetch;download;help;help' {
            break
        }
        'dsfetch;batch' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Datasets to download at once [default: 4]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Datasets to download at once [default: 4]')
            [CompletionResult]::new('--file-jobs', '--file-jobs', [CompletionResultType]::ParameterName, 'Files to download at once within each dataset [default: 64, or DSFETCH_JOBS / config `jobs`]')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Most connections for one large file, fetched in parallel ranged chunks [default: 16]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once across the whole batch')
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'The lockfile [default: the manifest''s name with .lock, next to it (train.toml: train.lock); dsfetch.lock for stdin]')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'Stop at the first entry that fails')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Resolve every entry and show the plan, without writing anything')
            [CompletionResult]::new('--no-xet', '--no-xet', [CompletionResultType]::ParameterName, 'Fetch Xet-backed Hugging Face files through the Hub''s bridge, not the Xet CAS (also DSFETCH_XET=0)')
            [CompletionResult]::new('--locked', '--locked', [CompletionResultType]::ParameterName, 'Use exactly the versions and commits of the lockfile and verify every file against it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Download everything again')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;list' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this hub''s datasets')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;info' {
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Hugging Face token (instead of HF_TOKEN or the token file)')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;verify' {
            [CompletionResult]::new('--lock', '--lock', [CompletionResultType]::ParameterName, 'Verify against this lockfile instead of the folders'' records')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this hub''s datasets')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'Fetch again the files that are missing or modified (only those)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;rm' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking (required when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking (required when not on a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted and the space it frees; delete nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Days a partial download must be untouched to be stale')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'The least recently used datasets, until everything fits in SIZE (e.g. 200GB, 500MiB)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this hub''s datasets')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--partials', '--partials', [CompletionResultType]::ParameterName, 'Partial downloads not touched for --older-than days')
            [CompletionResult]::new('--old-versions', '--old-versions', [CompletionResultType]::ParameterName, 'huggingface_hub cache revisions no ref points to, kagglehub versions older than the newest')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking (required when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking (required when not on a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted and the space it frees; delete nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;history' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many of the last entries to show')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many of the last entries to show')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;auth' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Make one cheap authenticated call per hub and report whether the credential is accepted')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;config' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;completions' {
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors (and the result on stdout)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail on stderr (-vv: every HTTP request)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON document on stdout')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Do not show progress (same as --progress none)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dsfetch;help' {
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Search Kaggle and the Hugging Face Hub at once')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Download a dataset from Kaggle or the Hugging Face Hub')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Download every dataset of a manifest, concurrently, and pin them in a lockfile')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show what a dataset is (size, licence, versions, files) without downloading it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the files on disk against their record (or a lockfile); --repair fetches the bad ones')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete datasets from disk (only under the download root and the caches)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Free space: stale partial downloads, old cache versions, least recently used datasets')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show the download history')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Show which credentials would be used for each hub, and check them')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the effective settings and where each comes from (flag, env, config file, default)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dsfetch;help;search' {
            break
        }
        'dsfetch;help;download' {
            [CompletionResult]::new('hf', 'hf', [CompletionResultType]::ParameterValue, 'Download a Hugging Face repository: a dataset, a model or a space')
            [CompletionResult]::new('kaggle', 'kaggle', [CompletionResultType]::ParameterValue, 'Download a Kaggle dataset, competition''s data or model (whole, or selected files)')
            break
        }
        'dsfetch;help;download;hf' {
            break
        }
        'dsfetch;help;download;kaggle' {
            break
        }
        'dsfetch;help;batch' {
            break
        }
        'dsfetch;help;list' {
            break
        }
        'dsfetch;help;info' {
            break
        }
        'dsfetch;help;verify' {
            break
        }
        'dsfetch;help;rm' {
            break
        }
        'dsfetch;help;prune' {
            break
        }
        'dsfetch;help;history' {
            break
        }
        'dsfetch;help;auth' {
            break
        }
        'dsfetch;help;config' {
            break
        }
        'dsfetch;help;completions' {
            break
        }
        'dsfetch;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
