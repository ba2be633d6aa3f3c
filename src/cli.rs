//! The command-line definition (clap derive). No I/O here: `commands` turns these into library
//! calls.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use dsfetch::settings::{LayoutKind, ProgressStyle};

/// Fetch datasets from Kaggle and the Hugging Face Hub: fast, resumable, verified.
#[derive(Debug, Parser)]
#[command(
    name = "dsfetch",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 ok, 1 failure, 2 usage, 3 auth, 4 not found, 5 network, 6 integrity, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM)."
)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Print nothing but errors (and the result on stdout)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more detail on stderr (-vv: every HTTP request)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print the result as one JSON document on stdout
    #[arg(long, global = true)]
    pub json: bool,
    /// Do not show progress (same as --progress none)
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// How to show progress on stderr [default: auto: bars on a terminal, plain lines otherwise]
    #[arg(long, global = true, value_enum)]
    pub progress: Option<ProgressArg>,
}

/// Progress styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressArg {
    /// Bars on a terminal, plain lines otherwise
    Auto,
    /// Progress bars
    Bar,
    /// Newline-terminated lines, no carriage returns (for CI logs)
    Plain,
    /// One JSON event per line
    Json,
    /// Nothing
    None,
}

impl From<ProgressArg> for ProgressStyle {
    fn from(p: ProgressArg) -> ProgressStyle {
        match p {
            ProgressArg::Auto => ProgressStyle::Auto,
            ProgressArg::Bar => ProgressStyle::Bar,
            ProgressArg::Plain => ProgressStyle::Plain,
            ProgressArg::Json => ProgressStyle::Json,
            ProgressArg::None => ProgressStyle::None,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search Kaggle and the Hugging Face Hub at once
    Search(SearchArgs),
    /// Download a dataset from Kaggle or the Hugging Face Hub
    Download(Box<DownloadArgs>),
    /// Download every dataset of a manifest, concurrently, and pin them in a lockfile
    Batch(BatchArgs),
    /// Show what is on disk: dataset folders and the huggingface_hub / kagglehub caches
    List(ListArgs),
    /// Show what a dataset is (size, licence, versions, files) without downloading it
    Info(InfoArgs),
    /// Check the files on disk against their record (or a lockfile); --repair fetches the bad ones
    Verify(VerifyArgs),
    /// Delete datasets from disk (only under the download root and the caches)
    Rm(RmArgs),
    /// Free space: stale partial downloads, old cache versions, least recently used datasets
    Prune(PruneArgs),
    /// Show the download history
    History(HistoryArgs),
    /// Show which credentials would be used for each hub, and check them
    Auth(AuthArgs),
    /// Show the effective settings and where each comes from (flag, env, config file, default)
    Config,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
}

/// `dsfetch completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Install, e.g.: dsfetch completions bash > ~/.local/share/bash-completion/completions/dsfetch"
)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `dsfetch batch`.
#[derive(Debug, Args)]
#[command(
    after_help = "Manifest: a text file with one id per line (kaggle:..., hf:...@rev, or a URL; # comments), or TOML with [[dataset]] tables (source, type, id, version, revision, include, exclude, files, output, unzip, layout). See README."
)]
pub struct BatchArgs {
    /// The manifest file, or - for stdin
    pub manifest: String,
    /// Datasets to download at once [default: 4]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Files to download at once within each dataset [default: 64, or DSFETCH_JOBS / config `jobs`]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub file_jobs: Option<u16>,
    /// Most connections for one large file, fetched in parallel ranged chunks [default: 16]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub connections: Option<u16>,
    /// Connections open at once across the whole batch
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_connections: u16,
    /// Stop at the first entry that fails
    #[arg(long)]
    pub fail_fast: bool,
    /// Resolve every entry and show the plan, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Fetch Xet-backed Hugging Face files through the Hub's bridge, not the Xet CAS (also DSFETCH_XET=0)
    #[arg(long)]
    pub no_xet: bool,
    /// Use exactly the versions and commits of the lockfile and verify every file against it
    #[arg(long)]
    pub locked: bool,
    /// The lockfile [default: the manifest's name with .lock, next to it (train.toml: train.lock); dsfetch.lock for stdin]
    #[arg(long, value_name = "PATH")]
    pub lock: Option<PathBuf>,
    /// Download everything again
    #[arg(long)]
    pub force: bool,
}

/// `dsfetch search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for in dataset names and titles
    pub query: String,
    /// Which hub to search
    #[arg(long, value_enum, default_value_t = SourceArg::All)]
    pub source: SourceArg,
    /// What to search for (spaces are on the Hub only, competitions on Kaggle only)
    #[arg(long = "type", value_enum, default_value_t = SearchTypeArg::Dataset)]
    pub kind: SearchTypeArg,
    /// Most results to show
    #[arg(short = 'n', long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// Ranking
    #[arg(long, value_enum, default_value_t = SortArg::Downloads)]
    pub sort: SortArg,
    /// Only datasets of this Hugging Face author / Kaggle user
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    /// Only datasets with this tag (Hugging Face `filter`, e.g. task_categories:text-classification; Kaggle tag id) (repeatable)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only datasets with files of this type: csv, sqlite, json, bigQuery, parquet (Kaggle; on the Hub a format: tag)
    #[arg(long, value_name = "TYPE")]
    pub file_type: Option<String>,
    /// Only datasets under this license group: cc, gpl, odb, other (both hubs; on the Hub by the license: tag), or a Hugging Face license id such as mit (with --source hf)
    #[arg(long, value_name = "LICENSE")]
    pub license: Option<String>,
    /// Only datasets of at least this many bytes
    #[arg(long, value_name = "BYTES")]
    pub min_size: Option<u64>,
    /// Only datasets of at most this many bytes
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<u64>,
}

/// What `search` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchTypeArg {
    /// Datasets (both hubs)
    Dataset,
    /// Models (both hubs; Kaggle: one row per framework and variation)
    Model,
    /// Spaces (Hugging Face)
    Space,
    /// Competitions (Kaggle; needs credentials)
    Competition,
}

/// Which hubs to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// Both
    All,
    /// Kaggle
    Kaggle,
    /// The Hugging Face Hub
    Hf,
}

/// Search ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Most downloaded first
    Downloads,
    /// Most liked (HF) / voted (Kaggle) first
    Likes,
    /// Most recently updated first
    Updated,
}

/// Which hub's datasets a local command looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LocalSourceArg {
    /// Kaggle (dataset folders and the kagglehub cache)
    Kaggle,
    /// The Hugging Face Hub (dataset folders and the huggingface_hub cache)
    Hf,
}

impl From<LocalSourceArg> for dsfetch::Hub {
    fn from(s: LocalSourceArg) -> Self {
        match s {
            LocalSourceArg::Kaggle => dsfetch::Hub::Kaggle,
            LocalSourceArg::Hf => dsfetch::Hub::HuggingFace,
        }
    }
}

/// `dsfetch list`.
#[derive(Debug, Args)]
#[command(
    after_help = "Looks under the download root (folders with a .dsfetch record), in the huggingface_hub cache and in the kagglehub cache (entries the Python libraries wrote included)."
)]
pub struct ListArgs {
    /// Only these: a dataset folder (PATH) or an id (hf:OWNER/NAME, kaggle:OWNER/SLUG, OWNER/NAME)
    #[arg(value_name = "PATH|ID")]
    pub targets: Vec<String>,
    /// Only this hub's datasets
    #[arg(long, value_enum)]
    pub source: Option<LocalSourceArg>,
}

/// `dsfetch info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The dataset: kaggle:ID, hf:ID (models/..., spaces/..., competitions/... too) or a URL
    pub id: String,
    /// Hugging Face token (instead of HF_TOKEN or the token file)
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// `dsfetch verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every file matches, 6 a file is missing, modified or extra (after --repair: a file could not be repaired)."
)]
pub struct VerifyArgs {
    /// What to verify: dataset folders (PATH) or ids [default: everything dsfetch wrote]
    #[arg(value_name = "PATH|ID")]
    pub targets: Vec<String>,
    /// Verify against this lockfile instead of the folders' records
    #[arg(long, value_name = "PATH")]
    pub lock: Option<PathBuf>,
    /// Fetch again the files that are missing or modified (only those)
    #[arg(long)]
    pub repair: bool,
    /// Only this hub's datasets
    #[arg(long, value_enum)]
    pub source: Option<LocalSourceArg>,
}

/// Options of the commands that delete.
#[derive(Debug, Args, Clone, Default)]
pub struct DeleteArgs {
    /// Delete without asking (required when not on a terminal)
    #[arg(short, long)]
    pub yes: bool,
    /// Show what would be deleted and the space it frees; delete nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `dsfetch rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The datasets: folders (PATH) or ids (hf:OWNER/NAME[@REV], kaggle:OWNER/SLUG[/versions/N])
    #[arg(value_name = "ID|PATH", required = true)]
    pub targets: Vec<String>,
    /// Options of deleting commands.
    #[command(flatten)]
    pub delete: DeleteArgs,
}

/// `dsfetch prune`.
#[derive(Debug, Args)]
#[command(
    after_help = "Without --partials, --old-versions or --max-size: --partials and --old-versions. Nothing outside the download root and the two caches is ever deleted, and no symbolic link is followed."
)]
pub struct PruneArgs {
    /// Partial downloads not touched for --older-than days
    #[arg(long)]
    pub partials: bool,
    /// Days a partial download must be untouched to be stale
    #[arg(long, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub older_than: u32,
    /// huggingface_hub cache revisions no ref points to, kagglehub versions older than the newest
    #[arg(long)]
    pub old_versions: bool,
    /// The least recently used datasets, until everything fits in SIZE (e.g. 200GB, 500MiB)
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// Only this hub's datasets
    #[arg(long, value_enum)]
    pub source: Option<LocalSourceArg>,
    /// Options of deleting commands.
    #[command(flatten)]
    pub delete: DeleteArgs,
}

/// `dsfetch history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many of the last entries to show
    #[arg(short = 'n', long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

/// `dsfetch auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Make one cheap authenticated call per hub and report whether the credential is accepted
    #[arg(long)]
    pub check: bool,
}

/// `dsfetch download`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(
    after_help = "ID forms: kaggle:OWNER/SLUG[/versions/N], kaggle:competitions/NAME, kaggle:models/OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION], hf:OWNER/NAME[@REV] (a dataset), hf:models/OWNER/NAME, hf:spaces/OWNER/NAME, https://www.kaggle.com/..., https://huggingface.co/..., hf://..."
)]
pub struct DownloadArgs {
    /// Which hub (or give a prefixed ID / URL instead).
    #[command(subcommand)]
    pub hub: Option<DownloadHub>,
    /// What to download: kaggle:ID, hf:ID, or a kaggle.com / huggingface.co URL
    #[arg(required_unless_present = "competition")]
    pub id: Option<String>,
    /// Options of Hugging Face downloads.
    #[command(flatten)]
    pub hf: HfOptions,
    /// Options of Kaggle downloads.
    #[command(flatten)]
    pub kaggle: KaggleOptions,
    /// Options shared by all downloads.
    #[command(flatten)]
    pub common: CommonDownloadArgs,
}

/// `dsfetch download hf|kaggle`.
#[derive(Debug, Subcommand)]
pub enum DownloadHub {
    /// Download a Hugging Face repository: a dataset, a model or a space
    #[command(
        after_help = "ID forms: OWNER/NAME, NAME, OWNER/NAME@REV (a dataset unless --type says otherwise), datasets/OWNER/NAME, models/OWNER/NAME, spaces/OWNER/NAME, https://huggingface.co/datasets/OWNER/NAME[/tree/REV], https://huggingface.co/OWNER/NAME (a model), https://huggingface.co/spaces/OWNER/NAME, hf://datasets/OWNER/NAME[@REV], hf://OWNER/NAME (a model), hf://spaces/OWNER/NAME"
    )]
    Hf(HfArgs),
    /// Download a Kaggle dataset, competition's data or model (whole, or selected files)
    #[command(
        after_help = "ID forms: OWNER/SLUG, OWNER/SLUG/versions/N, OWNER/SLUG/N, https://www.kaggle.com/datasets/OWNER/SLUG[/versions/N]; competitions/NAME (or --competition NAME), https://www.kaggle.com/competitions/NAME, https://www.kaggle.com/c/NAME; models/OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION], https://www.kaggle.com/models/OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]"
    )]
    Kaggle(KaggleArgs),
}

/// `dsfetch download kaggle`.
#[derive(Debug, Args)]
pub struct KaggleArgs {
    /// The dataset (OWNER/SLUG[/versions/N]), competitions/NAME, models/HANDLE, or a kaggle.com URL
    #[arg(required_unless_present = "competition")]
    pub id: Option<String>,
    /// Options of Kaggle downloads.
    #[command(flatten)]
    pub kaggle: KaggleOptions,
    /// Options shared by all downloads.
    #[command(flatten)]
    pub common: CommonDownloadArgs,
}

/// `dsfetch download hf`.
#[derive(Debug, Args)]
pub struct HfArgs {
    /// The repository: OWNER/NAME[@REV] or a huggingface.co / hf:// URL
    pub id: String,
    /// Options of Hugging Face downloads.
    #[command(flatten)]
    pub hf: HfOptions,
    /// Options shared by all downloads.
    #[command(flatten)]
    pub common: CommonDownloadArgs,
}

/// Options that only Hugging Face downloads take (declared once, for both command forms).
#[derive(Debug, Args, Clone, Default)]
pub struct HfOptions {
    /// Hugging Face: branch, tag, commit, refs/convert/parquet or refs/pr/N [default: main]
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,
    /// Hugging Face token (instead of HF_TOKEN or the token file)
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Hugging Face: the repository type, for an id that does not say [default: dataset]
    #[arg(long = "type", visible_alias = "repo-type", value_name = "TYPE")]
    pub repo_type: Option<RepoTypeArg>,
}

/// A Hugging Face repository type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RepoTypeArg {
    /// A dataset repo
    Dataset,
    /// A model repo
    Model,
    /// A space
    Space,
}

impl From<RepoTypeArg> for dsfetch::id::RepoKind {
    fn from(a: RepoTypeArg) -> Self {
        match a {
            RepoTypeArg::Dataset => dsfetch::id::RepoKind::Dataset,
            RepoTypeArg::Model => dsfetch::id::RepoKind::Model,
            RepoTypeArg::Space => dsfetch::id::RepoKind::Space,
        }
    }
}

/// Options that only Kaggle downloads take (declared once, for both command forms).
#[derive(Debug, Args, Clone, Default)]
pub struct KaggleOptions {
    /// Kaggle: only this file (repeatable); a file the service sends zipped is unzipped
    #[arg(short, long = "file", value_name = "NAME")]
    pub files: Vec<String>,
    /// Kaggle: keep the archive as SLUG.zip instead of extracting it
    #[arg(long)]
    pub no_unzip: bool,
    /// Kaggle: the data of this competition (same as the id competitions/NAME)
    #[arg(long, value_name = "NAME", conflicts_with = "id")]
    pub competition: Option<String>,
}

/// Options shared by every download command.
#[derive(Debug, Args, Clone, Default)]
pub struct CommonDownloadArgs {
    /// Put the dataset's files directly into DIR [default: $DSFETCH_DOWNLOAD_DIR/<name>, or ./downloads/<name>]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Download again even if present, and replace a folder that holds another dataset
    #[arg(long)]
    pub force: bool,
    /// Files to download at once [default: 64]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Most connections for one large file, fetched in parallel ranged chunks (1: one stream) [default: 16]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub connections: Option<u16>,
    /// Only files matching this pattern (repeatable; `*` crosses `/`, `dir/` means everything below)
    #[arg(long, value_name = "PATTERN")]
    pub include: Vec<String>,
    /// Skip files matching this pattern (repeatable)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Resolve and show what would be downloaded, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Fetch Xet-backed Hugging Face files through the Hub's bridge, not the Xet CAS (also DSFETCH_XET=0)
    #[arg(long)]
    pub no_xet: bool,
    /// Where files go: a plain folder, or straight into the huggingface_hub / kagglehub cache [default: folder, or config `layout`]
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
}

/// File layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// -o DIR or <root>/<name>
    Folder,
    /// The huggingface_hub cache (HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)
    HfCache,
    /// kagglehub's cache (KAGGLEHUB_CACHE, ~/.cache/kagglehub)
    Kagglehub,
}

impl From<LayoutArg> for LayoutKind {
    fn from(l: LayoutArg) -> LayoutKind {
        match l {
            LayoutArg::Folder => LayoutKind::Folder,
            LayoutArg::HfCache => LayoutKind::HfCache,
            LayoutArg::Kagglehub => LayoutKind::Kagglehub,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
