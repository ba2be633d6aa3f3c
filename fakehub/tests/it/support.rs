//! A tiny raw HTTP/1.1 client over std `TcpStream`, so tests see exactly what the fake sends.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One raw response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Error kind when reading failed (e.g. connection reset).
    pub err: Option<std::io::ErrorKind>,
    /// Nothing at all was received.
    pub empty: bool,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }
}

/// Splits `http://host:port/target` into (`http://host:port`, `/target`).
pub fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let i = rest.find('/').unwrap_or(rest.len());
    (format!("http://{}", &rest[..i]), rest[i..].to_string())
}

/// Sends one request on a fresh connection (`Connection: close`) and reads to EOF.
pub fn send(base: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let hp = base.strip_prefix("http://").expect("http base");
    let mut s = TcpStream::connect(hp).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {hp}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    let err = read_all(&mut s, &mut out);
    parse(&out, err)
}

fn read_all(s: &mut TcpStream, out: &mut Vec<u8>) -> Option<std::io::ErrorKind> {
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return Some(e.kind()),
        }
    }
}

pub fn parse(out: &[u8], err: Option<std::io::ErrorKind>) -> Resp {
    let Some(i) = out.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Resp {
            status: 0,
            headers: vec![],
            body: vec![],
            err,
            empty: out.is_empty(),
        };
    };
    let head = String::from_utf8_lossy(&out[..i]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: out[i + 4..].to_vec(),
        err,
        empty: false,
    }
}

pub fn get(base: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    send(base, "GET", target, headers, b"")
}

/// GET of an absolute URL.
pub fn get_url(url: &str, headers: &[(&str, &str)]) -> Resp {
    let (b, t) = split_url(url);
    get(&b, &t, headers)
}

/// POST a JSON body.
pub fn post_json(
    base: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> Resp {
    let mut h = headers.to_vec();
    h.push(("Content-Type", "application/json"));
    send(base, "POST", target, &h, body.to_string().as_bytes())
}

/// `Authorization: Basic base64(user:key)`.
pub fn basic(user: &str, key: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"))
    )
}

/// Reads a zip's members into (name, bytes).
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut ar = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    (0..ar.len())
        .map(|i| {
            let mut f = ar.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().expect("member name").to_string(), v)
        })
        .collect()
}
