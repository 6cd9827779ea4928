//! `WWW-Authenticate` challenges of the distribution API (RFC 7235 syntax): `Bearer` for
//! registries with a token service (Docker Hub, ghcr.io, quay.io, registry.k8s.io, …; the
//! anonymous token flow), `Basic` for registries behind htpasswd.

/// A challenge from a 401 response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// Get a token at `realm?service=…&scope=…`.
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
}

/// Parses the first challenge edgelint can answer (`Bearer` preferred over `Basic`).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let mut basic = false;
    for (scheme, params) in challenges(header) {
        if scheme.eq_ignore_ascii_case("bearer") {
            let get = |k: &str| {
                params.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone())
            };
            if let Some(realm) = get("realm").filter(|r| !r.is_empty()) {
                return Some(Challenge::Bearer {
                    realm,
                    service: get("service"),
                    scope: get("scope"),
                });
            }
        } else if scheme.eq_ignore_ascii_case("basic") {
            basic = true;
        }
    }
    basic.then_some(Challenge::Basic)
}

/// Splits a header into (scheme, [(name, value)]) challenges. Quoted values may contain
/// commas (`scope="repository:a:pull,push"`) and `\"`.
fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let chars: Vec<char> = header.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && (chars[*i].is_whitespace() || chars[*i] == ',') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        // A token: a scheme (followed by a space) or a parameter name (followed by `=`).
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != ',' {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        if i < chars.len() && chars[i] == '=' && !out.is_empty() {
            i += 1;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            let mut value = String::new();
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && chars[i] != ',' && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
            if let Some(last) = out.last_mut() {
                last.1.push((token, value));
            }
        } else if !token.is_empty() {
            out.push((token, Vec::new()));
        }
    }
    out
}

/// `application/x-www-form-urlencoded` / query-string escaping.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The token URL of a Bearer challenge, for pulling `repository`.
pub fn token_url(
    realm: &str,
    service: Option<&str>,
    scope: Option<&str>,
    repository: &str,
) -> String {
    let scope = scope.map_or_else(|| format!("repository:{repository}:pull"), str::to_string);
    let mut url = realm.to_string();
    url.push(if realm.contains('?') { '&' } else { '?' });
    if let Some(service) = service {
        url.push_str(&format!("service={}&", url_encode(service)));
    }
    url.push_str(&format!("scope={}", url_encode(&scope)));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_challenge() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#;
        assert_eq!(
            parse_challenge(h),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/python:pull".into()),
            })
        );
        assert_eq!(
            token_url("https://auth.docker.io/token", Some("registry.docker.io"), Some("repository:library/python:pull"), "x"),
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fpython%3Apull"
        );
    }

    #[test]
    fn quoted_commas_and_multiple_challenges() {
        let h = r#"Basic realm="Registry Realm", Bearer realm="https://t.example/token?x=1", scope="repository:a/b:pull,push""#;
        let Some(Challenge::Bearer { realm, scope, service }) = parse_challenge(h) else {
            panic!("{h}")
        };
        assert_eq!(realm, "https://t.example/token?x=1");
        assert_eq!(scope.as_deref(), Some("repository:a/b:pull,push"));
        assert_eq!(service, None);
        assert_eq!(
            token_url(&realm, None, None, "a/b"),
            "https://t.example/token?x=1&scope=repository%3Aa%2Fb%3Apull"
        );
        assert_eq!(parse_challenge(r#"Basic realm="basic-realm""#), Some(Challenge::Basic));
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(parse_challenge(r#"Bearer realm="""#), None);
        assert_eq!(parse_challenge(""), None);
    }
}
