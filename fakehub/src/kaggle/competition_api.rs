//! `competitions.CompetitionApiService`: `GetCompetition`, `ListCompetitions`, `ListDataFiles`,
//! `DownloadDataFiles`, `DownloadDataFile`, and the classic `GET /api/v1/competitions/data/…`
//! routes.

use serde_json::{Map, Value, json};

use super::access::KCaller;
use super::competition_store::CompState;
use super::download::redirect;
use super::errors::kaggle_error;
use super::list::parse_enum;
use super::params::{Body, get_str, page_of, paging};
use super::state::KaggleState;
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::{contains_ci, enc_path, iso8601, now_ms, parse_query, pct_decode};

/// The 403 of a download by a user who has not accepted the rules (kaggle-cli issue #152).
pub(crate) const RULES_MESSAGE: &str =
    "You must accept this competition's rules before you'll be able to download files.";

/// `CompetitionListTab`, by number.
const GROUPS: &[&str] = &[
    "GENERAL",
    "ENTERED",
    "COMMUNITY",
    "HOSTED",
    "UNLAUNCHED",
    "UNLAUNCHED_COMMUNITY",
    "EVERYTHING",
];
/// `HostSegment`, by number (gaps are numbers the enum does not use).
const SEGMENTS: &[&str] = &[
    "UNSPECIFIED",
    "FEATURED",
    "RESEARCH",
    "RECRUITMENT",
    "",
    "GETTING_STARTED",
    "MASTERS",
    "",
    "PLAYGROUND",
    "",
    "COMMUNITY",
    "ANALYTICS",
];
/// `CompetitionSortBy`, by number.
const SORTS: &[&str] = &[
    "GROUPED",
    "BEST",
    "PRIZE",
    "EARLIEST_DEADLINE",
    "LATEST_DEADLINE",
    "NUMBER_OF_TEAMS",
    "RELEVANCE",
    "RECENTLY_CREATED",
];

/// A date as the competition API writes it: whole seconds, `Z`.
fn api_date(ms: i64) -> String {
    iso8601(ms - ms.rem_euclid(1000)).replace(".000Z", "Z")
}

/// `Getting Started` → `GETTING_STARTED`.
fn segment_of(category: &str) -> String {
    category
        .trim()
        .to_ascii_uppercase()
        .replace([' ', '-'], "_")
}

/// The number in a reward such as `25,000 Usd` (0 for `Knowledge`, `Kudos`…).
fn reward_value(reward: &str) -> u64 {
    let digits: String = reward.chars().filter(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

impl KaggleState {
    fn competition(&self, b: &Body) -> Result<&CompState, Response> {
        let name = get_str(b, "competitionName")?.unwrap_or("");
        if name.is_empty() {
            return Err(kaggle_error(400, "competitionName is required"));
        }
        self.competitions
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| kaggle_error(404, "NotFound"))
    }

    fn api_competition(&self, c: &CompState, caller: &KCaller) -> Value {
        let url = format!("https://www.kaggle.com/competitions/{}", c.meta.name);
        let entered = matches!(caller, KCaller::User(u) if c.accepted.contains(u));
        json!({
            "id": c.id,
            "ref": url,
            "title": c.meta.title.clone().unwrap_or_else(|| c.meta.name.clone()),
            "url": url,
            "description": c.meta.description,
            "category": c.meta.category,
            "reward": c.meta.reward,
            "tags": [],
            "deadline": api_date(c.deadline_ms),
            "kernelCount": 0,
            "teamCount": c.meta.team_count,
            "userHasEntered": entered,
            "mergerDeadline": api_date(c.deadline_ms - 7 * 86_400_000),
            "newEntrantDeadline": api_date(c.deadline_ms - 7 * 86_400_000),
            "enabledDate": api_date(c.created_ms),
            "maxDailySubmissions": 5,
            "maxTeamSize": 5,
            "evaluationMetric": "",
            "awardsPoints": true,
            "isKernelsSubmissionsOnly": false,
            "submissionsDisabled": false,
            "thumbnailImageUrl": format!("https://storage.googleapis.com/kaggle-competitions/kaggle/{}/logos/thumb76_76.png", c.id),
            "hostName": "",
            "dateCreated": api_date(c.created_ms),
            "licenseName": "Subject to Competition Rules",
        })
    }

    /// `ListCompetitions` (credentials required).
    fn list_competitions(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let KCaller::User(me) = caller else {
            return Err(kaggle_error(401, "Unauthenticated"));
        };
        let group = GROUPS[parse_enum(b.get("group"), "COMPETITION_LIST_TAB_", GROUPS, "group")?];
        let segment =
            SEGMENTS[parse_enum(b.get("category"), "HOST_SEGMENT_", SEGMENTS, "category")?];
        let sort = SORTS[parse_enum(b.get("sortBy"), "COMPETITION_SORT_BY_", SORTS, "sortBy")?];
        let terms: Vec<&str> = get_str(b, "search")?
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            true,
        )?;
        let now = now_ms();
        let mut list: Vec<&CompState> = self
            .comp_order
            .iter()
            .filter_map(|k| self.competitions.get(k))
            .filter(|c| match group {
                "GENERAL" => c.deadline_ms > now,
                "ENTERED" => c.accepted.contains(me),
                "COMMUNITY" => segment_of(&c.meta.category) == "COMMUNITY",
                "EVERYTHING" => true,
                _ => false,
            })
            .filter(|c| segment == "UNSPECIFIED" || segment_of(&c.meta.category) == segment)
            .filter(|c| {
                let title = c.meta.title.as_deref().unwrap_or(&c.meta.name);
                terms
                    .iter()
                    .all(|t| contains_ci(title, t) || contains_ci(&c.meta.name, t))
            })
            .collect();
        let key = |c: &CompState| -> i128 {
            match sort {
                "PRIZE" => i128::from(reward_value(&c.meta.reward)),
                "EARLIEST_DEADLINE" => -i128::from(c.deadline_ms),
                "LATEST_DEADLINE" => i128::from(c.deadline_ms),
                "NUMBER_OF_TEAMS" => i128::from(c.meta.team_count),
                "RECENTLY_CREATED" => i128::from(c.created_ms),
                _ => 0, // GROUPED, BEST, RELEVANCE: registration order
            }
        };
        list.sort_by_key(|c| std::cmp::Reverse(key(c)));
        let (page, next) = page_of(&list, offset, size);
        let page: Vec<Value> = page
            .iter()
            .map(|c| self.api_competition(c, caller))
            .collect();
        Ok(json!({"competitions": page, "nextPageToken": next}))
    }

    /// `ListDataFiles`: every data file, paged (anonymous callers too).
    fn list_data_files(&self, ctx: &Ctx, b: &Body) -> Result<Value, Response> {
        let c = self.competition(b)?;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            false,
        )?;
        let all: Vec<(&String, u64)> = c.files.iter().map(|(n, f)| (n, f.blob.len())).collect();
        let (page, next) = page_of(&all, offset, size);
        let files: Vec<Value> = page
            .iter()
            .map(|(name, len)| {
                json!({"ref": name, "name": name, "description": "", "totalBytes": len,
                       "url": format!("https://www.kaggle.com/competitions/{}/data?select={}", c.meta.name, enc_path(name)),
                       "creationDate": iso8601(c.data_ms)})
            })
            .collect();
        Ok(json!({"files": files, "nextPageToken": next, "childrenFetchTimeMs": 0}))
    }

    /// `DownloadDataFiles` (`file` = None) or `DownloadDataFile`: 401 without credentials,
    /// 404 for an unknown competition or file, 403 until the rules are accepted, else a 302 to
    /// the signed storage URL.
    fn download_data(&self, ctx: &Ctx, caller: &KCaller, b: &Body, file: bool) -> Response {
        let KCaller::User(me) = caller else {
            return kaggle_error(401, "Unauthenticated");
        };
        let r = (|| -> Result<String, Response> {
            let c = self.competition(b)?;
            if !c.may_download(me) {
                return Err(kaggle_error(403, RULES_MESSAGE));
            }
            if !file {
                return Ok(c.bundle_key.clone());
            }
            let name = get_str(b, "fileName")?.unwrap_or("");
            c.files
                .get(name.trim_start_matches('/'))
                .map(|f| f.key.clone())
                .ok_or_else(|| kaggle_error(404, "NotFound"))
        })();
        match r {
            Ok(key) => redirect(ctx, &key),
            Err(e) => e,
        }
    }

    /// The competition RPCs.
    pub(super) fn competition_rpc(
        &self,
        ctx: &Ctx,
        caller: &KCaller,
        method: &str,
        b: &Body,
    ) -> Response {
        let r = match method {
            "GetCompetition" => self.competition(b).map(|c| self.api_competition(c, caller)),
            "ListCompetitions" => self.list_competitions(ctx, caller, b),
            "ListDataFiles" => self.list_data_files(ctx, b),
            "DownloadDataFiles" => return self.download_data(ctx, caller, b, false),
            "DownloadDataFile" => return self.download_data(ctx, caller, b, true),
            _ => Err(kaggle_error(404, "NotFound")),
        };
        match r {
            Ok(v) => Response::json(200, &v),
            Err(e) => e,
        }
    }

    /// Classic `GET /api/v1/competitions/data/{list,download,download-all}/{c}[/{file}]`.
    pub(super) fn competition_classic(&self, ctx: &Ctx, req: &Request, rest: &str) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            return kaggle_error(405, "Method not allowed");
        }
        let caller = self.caller(req);
        if let KCaller::Invalid = caller {
            return kaggle_error(401, "Unauthenticated");
        }
        let Some(segs) = rest
            .split('/')
            .map(pct_decode)
            .collect::<Option<Vec<String>>>()
        else {
            return kaggle_error(400, "Invalid path");
        };
        let mut b: Body = Map::new();
        for (k, v) in parse_query(req.query()).unwrap_or_default() {
            b.insert(k, Value::String(v));
        }
        if segs.len() < 3 || segs[0] != "data" || segs[2].is_empty() {
            return kaggle_error(404, "NotFound");
        }
        b.insert("competitionName".into(), Value::String(segs[2].clone()));
        match (segs[1].as_str(), segs.len()) {
            // kaggle ≤ 1.6 read a bare array of files here.
            ("list", 3) => match self.list_data_files(ctx, &b) {
                Ok(v) => Response::json(200, &v["files"]),
                Err(e) => e,
            },
            ("download-all", 3) => self.download_data(ctx, &caller, &b, false),
            ("download", n) if n > 3 => {
                b.insert("fileName".into(), Value::String(segs[3..].join("/")));
                self.download_data(ctx, &caller, &b, true)
            }
            _ => kaggle_error(404, "NotFound"),
        }
    }
}
