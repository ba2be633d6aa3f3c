//! The public builder, [`KaggleCompetition`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::store::Blob;
use crate::util::parse_iso8601;

/// Whether `name` is a competition name (its URL suffix, e.g. `titanic`).
pub(crate) fn valid_competition_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
}

/// Builder for a Kaggle competition, registered with
/// [`crate::FakeHub::add_kaggle_competition`].
///
/// Listing its files and `GetCompetition` work anonymously; downloads need credentials and,
/// with [`KaggleCompetition::rules_required`], a user who accepted the rules
/// ([`crate::FakeHub::kaggle_accept_rules`]).
#[derive(Clone, Debug)]
pub struct KaggleCompetition {
    pub(crate) name: String,
    pub(crate) files: Vec<(String, Blob)>,
    pub(crate) disk_files: Vec<(String, PathBuf)>,
    pub(crate) zipped: BTreeSet<String>,
    pub(crate) raw_archive: Option<Vec<u8>>,
    pub(crate) rules_required: bool,
    pub(crate) title: Option<String>,
    pub(crate) description: String,
    pub(crate) category: String,
    pub(crate) reward: String,
    pub(crate) deadline: Option<i64>,
    pub(crate) created: Option<i64>,
    pub(crate) team_count: u64,
}

fn parse_date_arg(iso: &str) -> i64 {
    parse_iso8601(iso).unwrap_or_else(|| panic!("fakehub: not an ISO-8601 date: {iso:?}"))
}

impl KaggleCompetition {
    /// A competition named `name` (its URL suffix), category `Getting Started`, reward
    /// `Knowledge`, no rules to accept, no files yet.
    ///
    /// # Panics
    /// If `name` is empty or has characters other than ASCII letters, digits, `-`, `_`, `.`.
    pub fn new(name: &str) -> Self {
        assert!(
            valid_competition_name(name),
            "fakehub: invalid Kaggle competition name {name:?}"
        );
        KaggleCompetition {
            name: name.to_string(),
            files: Vec::new(),
            disk_files: Vec::new(),
            zipped: BTreeSet::new(),
            raw_archive: None,
            rules_required: false,
            title: None,
            description: String::new(),
            category: "Getting Started".to_string(),
            reward: "Knowledge".to_string(),
            deadline: None,
            created: None,
            team_count: 0,
        }
    }

    /// Adds a data file (relative path, may contain `/`).
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), Blob::from_bytes(bytes)));
        self
    }

    /// Adds a data file streamed from `disk`.
    pub fn file_from_disk(mut self, path: &str, disk: PathBuf) -> Self {
        self.disk_files.push((path.to_string(), disk));
        self
    }

    /// `DownloadDataFile` serves this file as `<basename>.zip` (one member named `<basename>`) at
    /// a `.../compressed/<path>.zip` URL, as for dataset files. Also applies after
    /// [`crate::FakeHub::kaggle_competition_set_files`].
    pub fn zipped_file(mut self, path: &str) -> Self {
        self.zipped.insert(path.to_string());
        self
    }

    /// Downloads need a user who accepted the rules; others get the 403 "You must accept this
    /// competition's rules before you'll be able to download files."
    pub fn rules_required(mut self, yes: bool) -> Self {
        self.rules_required = yes;
        self
    }

    /// Serve exactly these bytes as the `DownloadDataFiles` zip (for hostile archives); the file
    /// list still comes from [`KaggleCompetition::file`].
    pub fn raw_archive(mut self, zip_bytes: Vec<u8>) -> Self {
        self.raw_archive = Some(zip_bytes);
        self
    }

    /// Title (default: the name).
    pub fn title(mut self, t: &str) -> Self {
        self.title = Some(t.to_string());
        self
    }

    /// Description.
    pub fn description(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }

    /// Category as the API shows it: `Featured`, `Getting Started` (default), `Research`,
    /// `Recruitment`, `Masters`, `Playground`, `Community`, `Analytics`. The `category` filter
    /// of `ListCompetitions` matches it.
    pub fn category(mut self, c: &str) -> Self {
        self.category = c.to_string();
        self
    }

    /// Reward as the API shows it, e.g. `Knowledge` (default), `Kudos`, `25,000 Usd`.
    pub fn reward(mut self, r: &str) -> Self {
        self.reward = r.to_string();
        self
    }

    /// Deadline (ISO-8601); default: a year after the fake started.
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn deadline(mut self, iso: &str) -> Self {
        self.deadline = Some(parse_date_arg(iso));
        self
    }

    /// `dateCreated` (ISO-8601); also the date of the first data files. Default: now.
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn created(mut self, iso: &str) -> Self {
        self.created = Some(parse_date_arg(iso));
        self
    }

    /// `teamCount`.
    pub fn team_count(mut self, n: u64) -> Self {
        self.team_count = n;
        self
    }
}
