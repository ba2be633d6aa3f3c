//! Credential resolution for both hubs, in the order of DESIGN.md section 3, and the [`Secret`]
//! type that keeps tokens out of every output.
//!
//! Nothing here performs network I/O. Files are read; malformed files are errors that name the
//! file. Each resolution reports every place it looked, so that "anonymous" can be explained.

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::{Error, ErrorKind, Hub, Result};

/// A secret string. `Debug` and `Display` print `****`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The raw value, for building a request header. Never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A redacted form safe to show: a known prefix (`hf_`, `KGAT_`) and the last 4 characters,
    /// e.g. `hf_****abcd`. Short secrets show only `****`.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        if s.chars().count() < 16 {
            return "****".into();
        }
        let prefix = match s.find('_') {
            Some(i) if i <= 5 => &s[..=i],
            _ => "",
        };
        let tail: String = s
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{prefix}****{tail}")
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("****")
    }
}

/// A credential as sent on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(username:key)`.
    Basic {
        /// The Kaggle username (not secret).
        username: String,
        /// The API key.
        key: Secret,
    },
}

impl Credential {
    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        use base64::Engine;
        match self {
            Credential::Bearer(t) => format!("Bearer {}", t.expose()),
            Credential::Basic { username, key } => {
                let raw = format!("{username}:{}", key.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
        }
    }

    /// A redacted description: `token hf_****abcd` or `username alice, key ****abcd`.
    pub fn describe(&self) -> String {
        match self {
            Credential::Bearer(t) => format!("token {}", t.redacted()),
            Credential::Basic { username, key } => format!(
                "username {}, key {}",
                crate::sanitize::for_terminal(username),
                key.redacted()
            ),
        }
    }

    /// Every secret value in this credential (for leak checks and scrubbing).
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credential::Bearer(t) => vec![t.expose()],
            Credential::Basic { key, .. } => vec![key.expose()],
        }
    }
}

/// The outcome of resolving credentials for one hub.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Which hub.
    pub source: Hub,
    /// The credential to use, or `None` for anonymous.
    pub credential: Option<Credential>,
    /// Where it came from: an env var name, `--token`, or a file path.
    pub origin: Option<String>,
    /// Every place looked at, in order (for "not configured" errors and `dsfetch auth`).
    pub looked: Vec<String>,
    /// Other credentials that were found but shadowed by the one used.
    pub shadowed: Vec<String>,
    /// Warnings to show (e.g. a kaggle.json readable by others).
    pub warnings: Vec<String>,
}

impl Resolved {
    fn new(source: Hub) -> Resolved {
        Resolved {
            source,
            credential: None,
            origin: None,
            looked: Vec::new(),
            shadowed: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records a found credential: the first one wins, later ones are listed as shadowed.
    fn offer(&mut self, origin: String, cred: Credential) {
        if self.credential.is_none() {
            self.credential = Some(cred);
            self.origin = Some(origin);
        } else {
            self.shadowed.push(origin);
        }
    }

    /// How to configure a credential for this hub, as one clause.
    pub fn how_to_set(&self) -> String {
        match self.source {
            Hub::HuggingFace => {
                "set HF_TOKEN (create one at https://huggingface.co/settings/tokens) or run `hf auth login`".into()
            }
            Hub::Kaggle => "set KAGGLE_API_TOKEN, or KAGGLE_USERNAME and KAGGLE_KEY, or save kaggle.json (from https://www.kaggle.com/settings, 'Create New Token') to ~/.kaggle/kaggle.json with chmod 600".into(),
        }
    }

    /// The places looked at, joined for a message.
    pub fn looked_list(&self) -> String {
        self.looked.join(", ")
    }
}

fn read_token_file(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| Error::BadFile {
                path: path.to_path_buf(),
                message: "token file is not valid UTF-8; it should hold the bare token".into(),
                kind: ErrorKind::Auth,
                hint: None,
            })?;
            let t: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
            let t = t.trim().to_string();
            Ok((!t.is_empty()).then_some(t))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
        Err(e) => Err(Error::BadFile {
            path: path.to_path_buf(),
            message: format!("cannot read token file: {e}"),
            kind: ErrorKind::Auth,
            hint: None,
        }),
    }
}

fn clean_env_token(v: &str) -> Option<String> {
    let t: String = v.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// Resolves the Hugging Face token: one given explicitly (`explicit`: how the front end names
/// that option, and its value if given), `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, the file at
/// `HF_TOKEN_PATH`, `$HF_HOME/token`, `${XDG_CACHE_HOME:-~/.cache}/huggingface/token`.
pub fn resolve_hf(explicit: Option<(&str, Option<&str>)>, env: &Env) -> Result<Resolved> {
    let mut r = Resolved::new(Hub::HuggingFace);
    if let Some((option, value)) = explicit {
        r.looked.push(option.into());
        if let Some(t) = value.and_then(clean_env_token) {
            r.offer(option.into(), Credential::Bearer(Secret::new(t)));
        }
    }
    for var in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
        r.looked.push(var.into());
        if let Some(t) = env.get(var).and_then(clean_env_token) {
            r.offer(var.into(), Credential::Bearer(Secret::new(t)));
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(p) = env.get("HF_TOKEN_PATH") {
        files.push(PathBuf::from(p));
    }
    if let Some(h) = env.get("HF_HOME") {
        files.push(PathBuf::from(h).join("token"));
    }
    if let Some(c) = env.xdg("XDG_CACHE_HOME", ".cache") {
        files.push(c.join("huggingface").join("token"));
    }
    let mut seen = std::collections::HashSet::new();
    for f in files {
        if !seen.insert(f.clone()) {
            continue;
        }
        r.looked.push(f.display().to_string());
        if let Some(t) = read_token_file(&f)? {
            r.offer(f.display().to_string(), Credential::Bearer(Secret::new(t)));
        }
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
struct KaggleJson {
    username: Option<String>,
    key: Option<String>,
}

fn read_kaggle_json(path: &Path, r: &mut Resolved) -> Result<Option<Credential>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(e) => {
            return Err(Error::BadFile {
                path: path.to_path_buf(),
                message: format!("cannot read kaggle.json: {e}"),
                kind: ErrorKind::Auth,
                hint: None,
            });
        }
    };
    let parsed: KaggleJson = serde_json::from_slice(&bytes).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: format!(
            "malformed kaggle.json (line {}, column {}); it should be {{\"username\":\"...\",\"key\":\"...\"}}, download a fresh one from https://www.kaggle.com/settings",
            e.line(), e.column()
        ),
        kind: ErrorKind::Auth,
        hint: None,
    })?;
    let (Some(username), Some(key)) = (
        parsed.username.filter(|u| !u.is_empty()),
        parsed.key.filter(|k| !k.is_empty()),
    ) else {
        return Err(Error::BadFile {
            path: path.to_path_buf(),
            message: "kaggle.json lacks \"username\" or \"key\"; download a fresh one from https://www.kaggle.com/settings".into(),
            kind: ErrorKind::Auth,
        hint: None,
    });
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(md) = std::fs::metadata(path)
            && md.permissions().mode() & 0o044 != 0
        {
            r.warnings.push(format!(
                "Your Kaggle API key is readable by other users on this system! To fix this, you can run 'chmod 600 {}'",
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = &r;
    Ok(Some(Credential::Basic {
        username,
        key: Secret::new(key),
    }))
}

/// Resolves Kaggle credentials: `KAGGLE_API_TOKEN` (a value or a file path),
/// `~/.kaggle/access_token(.txt)` as Bearer; then `KAGGLE_USERNAME`+`KAGGLE_KEY`, then
/// `$KAGGLE_CONFIG_DIR/kaggle.json` or `~/.kaggle/kaggle.json`, then
/// `${XDG_CONFIG_HOME:-~/.config}/kaggle/kaggle.json` as Basic.
pub fn resolve_kaggle(env: &Env) -> Result<Resolved> {
    let mut r = Resolved::new(Hub::Kaggle);
    r.looked.push("KAGGLE_API_TOKEN".into());
    let mut token_source_exhausted = false;
    if let Some(v) = env.get("KAGGLE_API_TOKEN") {
        let p = Path::new(v);
        if p.is_file() {
            // A path to an existing file: its content is the token; an empty file means "no
            // token" and does not fall through to the token files (as the Kaggle SDK does).
            match read_token_file(p)? {
                Some(t) => r.offer(
                    format!("KAGGLE_API_TOKEN (file {})", p.display()),
                    Credential::Bearer(Secret::new(t)),
                ),
                None => token_source_exhausted = true,
            }
        } else if let Some(t) = clean_env_token(v) {
            r.offer(
                "KAGGLE_API_TOKEN".into(),
                Credential::Bearer(Secret::new(t)),
            );
        }
    }
    for rel in [".kaggle/access_token", ".kaggle/access_token.txt"] {
        if let Some(p) = env.home_join(rel) {
            r.looked.push(p.display().to_string());
            if token_source_exhausted {
                continue;
            }
            if let Some(t) = read_token_file(&p)? {
                r.offer(p.display().to_string(), Credential::Bearer(Secret::new(t)));
            }
        }
    }
    r.looked.push("KAGGLE_USERNAME/KAGGLE_KEY".into());
    if let (Some(u), Some(k)) = (env.get("KAGGLE_USERNAME"), env.get("KAGGLE_KEY")) {
        r.offer(
            "KAGGLE_USERNAME/KAGGLE_KEY".into(),
            Credential::Basic {
                username: u.to_string(),
                key: Secret::new(k),
            },
        );
    }
    let mut files = Vec::new();
    match env.get("KAGGLE_CONFIG_DIR") {
        Some(d) => files.push(PathBuf::from(d).join("kaggle.json")),
        None => {
            if let Some(p) = env.home_join(".kaggle/kaggle.json") {
                files.push(p);
            }
        }
    }
    if let Some(c) = env.xdg("XDG_CONFIG_HOME", ".config") {
        files.push(c.join("kaggle").join("kaggle.json"));
    }
    for f in files {
        r.looked.push(f.display().to_string());
        // A shadowed file is still parsed so that a malformed one is reported, as a user who
        // created it would expect; only the first credential is used.
        if let Some(c) = read_kaggle_json(&f, &mut r)? {
            r.offer(f.display().to_string(), c);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(home: &Path, extra: &[(&str, &str)]) -> Env {
        let mut pairs: Vec<(String, String)> = vec![("HOME".into(), home.display().to_string())];
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_pairs(pairs)
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hf_abcdefghijklmnopqrstuvwxyz");
        assert_eq!(format!("{s}"), "****");
        assert_eq!(format!("{s:?}"), "Secret(****)");
        assert_eq!(s.redacted(), "hf_****wxyz");
        assert_eq!(Secret::new("short").redacted(), "****");
        let c = Credential::Bearer(s);
        assert!(!format!("{c:?}").contains("abcdef"));
    }

    #[test]
    fn hf_order_and_conflicts() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".cache/huggingface")).unwrap();
        std::fs::write(
            home.path().join(".cache/huggingface/token"),
            "hf_fromfile_xxxxxxxxxxxx\n",
        )
        .unwrap();
        let r = resolve_hf(None, &env_with(home.path(), &[])).unwrap();
        assert_eq!(
            r.credential,
            Some(Credential::Bearer(Secret::new("hf_fromfile_xxxxxxxxxxxx")))
        );
        assert!(r.origin.unwrap().ends_with(".cache/huggingface/token"));
        let r = resolve_hf(None, &env_with(home.path(), &[("HF_TOKEN", "hf_env")])).unwrap();
        assert_eq!(r.origin.as_deref(), Some("HF_TOKEN"));
        assert_eq!(r.shadowed.len(), 1);
        let r = resolve_hf(
            Some(("--token", Some("hf_flag"))),
            &env_with(home.path(), &[("HF_TOKEN", "hf_env")]),
        )
        .unwrap();
        assert_eq!(r.origin.as_deref(), Some("--token"));
        let empty = tempfile::tempdir().unwrap();
        let r = resolve_hf(None, &env_with(empty.path(), &[])).unwrap();
        assert!(r.credential.is_none());
        assert!(r.looked.contains(&"HF_TOKEN".to_string()));
    }

    #[test]
    fn kaggle_order() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".kaggle")).unwrap();
        let kj = home.path().join(".kaggle/kaggle.json");
        std::fs::write(&kj, r#"{"username":"alice","key":"k123456789012345678"}"#).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&kj, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let r = resolve_kaggle(&env_with(home.path(), &[])).unwrap();
        assert!(
            matches!(&r.credential, Some(Credential::Basic { username, .. }) if username == "alice")
        );
        #[cfg(unix)]
        assert!(r.warnings[0].contains("chmod 600"));
        let r = resolve_kaggle(&env_with(
            home.path(),
            &[("KAGGLE_USERNAME", "bob"), ("KAGGLE_KEY", "kk")],
        ))
        .unwrap();
        assert_eq!(r.origin.as_deref(), Some("KAGGLE_USERNAME/KAGGLE_KEY"));
        let r = resolve_kaggle(&env_with(home.path(), &[("KAGGLE_API_TOKEN", "KGAT_x")])).unwrap();
        assert_eq!(
            r.credential,
            Some(Credential::Bearer(Secret::new("KGAT_x")))
        );
        // An empty token file named by KAGGLE_API_TOKEN disables tokens without falling through.
        std::fs::write(home.path().join(".kaggle/access_token"), "tok_from_file").unwrap();
        let empty = home.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        let r = resolve_kaggle(&env_with(
            home.path(),
            &[("KAGGLE_API_TOKEN", empty.to_str().unwrap())],
        ))
        .unwrap();
        assert!(matches!(r.credential, Some(Credential::Basic { .. })));
        std::fs::write(&kj, "{not json").unwrap();
        let err = resolve_kaggle(&env_with(home.path(), &[])).unwrap_err();
        assert!(err.to_string().contains("kaggle.json"));
        assert_eq!(err.kind().exit_code(), 3);
    }

    #[test]
    fn basic_header() {
        let c = Credential::Basic {
            username: "alice".into(),
            key: Secret::new("secretkey"),
        };
        assert_eq!(c.header_value(), "Basic YWxpY2U6c2VjcmV0a2V5");
    }
}
