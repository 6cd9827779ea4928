//! Which hosts a command reaches over the network: the programs a health check uses to talk to
//! something (`curl`, `wget`, `nc`, `ping`, `nslookup`, `dig`, `host`, `grpc_health_probe`) and
//! the host each one is pointed at. One reading for every format: a Kubernetes `exec` probe and
//! a Compose `healthcheck.test` are argument lists (`sh -c SCRIPT` is read as the script), a
//! Compose `CMD-SHELL` or string test and a Dockerfile shell-form `HEALTHCHECK` are shell text.
//!
//! Hosts written with a variable, a command substitution or a template are unknown and left
//! out; loopback names and addresses are local ([`is_local_host`]).

use crate::shell::{mask, program_name, simple_commands, unquote, word, Syntax};

/// A host a command reaches: `piece` is the index of the argument it is in (0 for shell text),
/// `start..end` its byte range in that piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub piece: usize,
    pub start: usize,
    pub end: usize,
    pub host: String,
    /// The program that reaches it (`curl`).
    pub program: String,
}

/// The programs that reach a host, with the options whose value is a separate word (so that
/// value is not read as the host).
const PROGRAMS: &[(&str, &[&str])] = &[
    (
        "curl",
        &[
            "-u",
            "--user",
            "-H",
            "--header",
            "-o",
            "--output",
            "-d",
            "--data",
            "-X",
            "--request",
            "-w",
            "--write-out",
            "-m",
            "--max-time",
            "--connect-timeout",
            "-A",
            "--user-agent",
            "-e",
            "--referer",
            "-x",
            "--proxy",
            "--retry",
            "-b",
            "--cookie",
            "-c",
            "-F",
            "--form",
            "-T",
            "--cacert",
            "--cert",
            "-E",
            "--key",
            "--resolve",
            "--connect-to",
        ],
    ),
    (
        "wget",
        &["-O", "-o", "-T", "--timeout", "-t", "--tries", "-U", "--user-agent", "--header", "-P"],
    ),
    ("nc", &["-w", "-i", "-s", "-p", "-x", "-X", "-q", "-O", "-I", "-T", "-P", "-W", "-e", "-c"]),
    ("netcat", &["-w", "-i", "-s", "-p", "-x", "-X", "-q", "-O", "-I", "-T", "-P", "-W", "-e"]),
    ("ncat", &["-w", "-i", "-s", "-p", "-x", "-e", "-c", "--wait"]),
    ("ping", &["-c", "-i", "-w", "-W", "-s", "-t", "-I", "-l", "-p", "-Q", "-M", "-m"]),
    ("nslookup", &[]),
    ("dig", &["-p", "-t", "-c", "-b", "-q", "-x", "-k", "-y"]),
    ("host", &["-t", "-c", "-N", "-R", "-W", "-m"]),
    ("grpc_health_probe", &["-service", "--service", "-connect-timeout", "-rpc-timeout"]),
];

/// The hosts reached by shell text.
pub fn shell_reaches(text: &str, syntax: Syntax) -> Vec<Reach> {
    let masked = mask(text, syntax);
    let mut out = Vec::new();
    for command in simple_commands(&masked) {
        let words: Vec<(&str, usize, usize)> =
            command.iter().map(|t| (word(&masked, t), 0, t.start)).collect();
        command_reaches(&words, &mut out);
    }
    out
}

/// The hosts reached by an argument list (`exec` form); `sh -c SCRIPT` is read as the script.
pub fn argv_reaches(argv: &[&str]) -> Vec<Reach> {
    let Some(first) = argv.first() else { return Vec::new() };
    if matches!(program_name(first), "sh" | "bash" | "ash" | "dash" | "zsh") {
        // the script is the argument after an option cluster holding `c` (`-c`, `-ec`)
        let c =
            argv.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'));
        let mut out = Vec::new();
        if let Some(script) = c.and_then(|i| argv.get(i + 1).map(|s| (i + 1, s))) {
            for mut r in shell_reaches(script.1, Syntax::Shell) {
                r.piece = script.0;
                out.push(r);
            }
        }
        return out;
    }
    let words: Vec<(&str, usize, usize)> =
        argv.iter().enumerate().map(|(i, a)| (*a, i, 0)).collect();
    let mut out = Vec::new();
    command_reaches(&words, &mut out);
    out
}

/// `words`: (text, piece, start of the word in its piece) of one simple command, program
/// first: shell words are all in piece 0, the words of an argument list are pieces of their own.
fn command_reaches(words: &[(&str, usize, usize)], out: &mut Vec<Reach>) {
    let mut words = words;
    // `timeout [-s SIG] 5 curl …`
    if words.first().is_some_and(|w| program_name(w.0) == "timeout") {
        let mut i = 1;
        while words.get(i).is_some_and(|w| w.0.starts_with('-')) {
            i +=
                if matches!(words[i].0, "-s" | "-k" | "--signal" | "--kill-after") { 2 } else { 1 };
        }
        words = words.get(i + 1..).unwrap_or_default();
    }
    let Some(&(head, ..)) = words.first() else { return };
    let program = program_name(head);
    let Some((name, valued)) = PROGRAMS.iter().find(|(p, _)| *p == program) else { return };
    let args = &words[1..];
    // a request over a Unix socket never leaves the container
    if *name == "curl" && args.iter().any(|w| w.0.contains("unix-socket")) {
        return;
    }
    let mut positional = Vec::new();
    let mut skip = false;
    for (i, &(w, index, start)) in args.iter().enumerate() {
        if skip {
            skip = false;
            continue;
        }
        let text = unquote(w);
        // the quote, if any, shifts the host inside the word
        let shift = if text.len() < w.len() { 1 } else { 0 };
        if let Some(host) = url_host(text) {
            push(out, name, index, start + shift, host, text);
            continue;
        }
        if *name == "grpc_health_probe" {
            if let Some(value) =
                text.strip_prefix("-addr=").or_else(|| text.strip_prefix("--addr="))
            {
                let at = text.len() - value.len();
                let host = value.rsplit_once(':').map_or(value, |(h, _)| h);
                push(out, name, index, start + shift + at, (0, host.len()), value);
                continue;
            }
            if matches!(text, "-addr" | "--addr") {
                if let Some(&(v, vindex, vs)) = args.get(i + 1) {
                    let value = unquote(v);
                    let host = value.rsplit_once(':').map_or(value, |(h, _)| h);
                    let vshift = if value.len() < v.len() { 1 } else { 0 };
                    push(out, name, vindex, vs + vshift, (0, host.len()), value);
                }
                skip = true;
                continue;
            }
        }
        if text.starts_with('-') {
            skip = valued.contains(&text);
            continue;
        }
        positional.push((index, start + shift, text));
    }
    match *name {
        "curl" | "wget" => {
            // `host:port/path` without a scheme
            for (index, start, text) in positional {
                if let Some(host) = host_port(text) {
                    push(out, name, index, start, host, text);
                }
            }
        }
        "nc" | "netcat" | "ncat" => {
            if let Some((index, start, text)) = positional.first() {
                push(out, name, *index, *start, (0, text.len()), text);
            }
        }
        "ping" => {
            if let Some((index, start, text)) = positional.last() {
                push(out, name, *index, *start, (0, text.len()), text);
            }
        }
        "nslookup" | "host" | "dig" => {
            // `dig @server name`, `nslookup name server`, `host name server`: a query to a
            // named server reaches that server only (a local one answers from the container);
            // without one, the name goes to the system resolver
            let mut servers = Vec::new();
            let mut names = Vec::new();
            for (n, (index, start, text)) in positional.into_iter().enumerate() {
                if *name == "dig" {
                    match text.strip_prefix('@') {
                        Some(server) => servers.push((index, start + 1, server)),
                        // record types and classes are not names
                        None if text
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) => {}
                        None => names.push((index, start, text)),
                    }
                } else if n == 0 {
                    names.push((index, start, text));
                } else if n == 1 {
                    servers.push((index, start, text));
                }
            }
            let reached = if servers.is_empty() { names } else { servers };
            for (index, start, text) in reached {
                push(out, name, index, start, (0, text.len()), text);
            }
        }
        _ => {}
    }
}

/// Records `text[range]` as reached when it is a known, well-formed host name or address.
fn push(
    out: &mut Vec<Reach>,
    program: &str,
    piece: usize,
    start: usize,
    range: (usize, usize),
    text: &str,
) {
    let Some(host) = text.get(range.0..range.1) else { return };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let well_formed = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
    if !well_formed {
        return;
    }
    let bracket = usize::from(text[range.0..].starts_with('['));
    out.push(Reach {
        piece,
        start: start + range.0 + bracket,
        end: start + range.0 + bracket + host.len(),
        host: host.to_string(),
        program: program.to_string(),
    });
}

/// The host of a URL with a scheme (`http://user@host:8080/x` → the range of `host`).
fn url_host(text: &str) -> Option<(usize, usize)> {
    let at = text.find("://")? + 3;
    let scheme = &text[..at - 3];
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let rest = &text[at..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_start = authority.rfind('@').map_or(0, |p| p + 1);
    let hostport = &authority[host_start..];
    let host_len = if hostport.starts_with('[') {
        hostport.find(']').map_or(hostport.len(), |p| p + 1)
    } else {
        hostport.find(':').unwrap_or(hostport.len())
    };
    Some((at + host_start, at + host_start + host_len))
}

/// `host:port[/path]` without a scheme: the range of `host`.
fn host_port(text: &str) -> Option<(usize, usize)> {
    let end = text.find('/').unwrap_or(text.len());
    let (host, port) = text[..end].rsplit_once(':')?;
    let port_ok = !port.is_empty() && port.chars().all(|c| c.is_ascii_digit());
    (port_ok && !host.is_empty() && !host.contains(':')).then_some((0, host.len()))
}

/// The hosts written in a configuration value (an environment value, an argument): the host
/// of each URL (`http://db:5432/x`, `tcp://broker`), each `host:port`, and the whole value
/// when `bare` says it is a host name (e.g. the value of `DB_HOST`). Ranges into `text`.
pub fn hosts_in_value(text: &str, bare: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '=' | '(' | ')'))
    {
        let at = start;
        start += piece.len() + 1;
        if piece.is_empty() {
            continue;
        }
        let found = url_host(piece).or_else(|| host_port(piece));
        if let Some((a, b)) = found {
            let host = &piece[a..b];
            if is_host_name(host) {
                out.push((at + a, at + b));
            }
        }
    }
    if out.is_empty() && bare && is_host_name(text) {
        out.push((0, text.len()));
    }
    out
}

/// A DNS name or an IPv4 address as written (letters, digits, `-`, `.`, `_`), not a number.
fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.starts_with(['-', '.'])
}

/// Loopback names and addresses, and the unspecified address (connecting to it reaches the
/// local host on Linux).
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    matches!(
        h.as_str(),
        "localhost" | "localhost.localdomain" | "ip6-localhost" | "ip6-loopback" | "0.0.0.0" | "::"
    ) || h.ends_with(".localhost")
        || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// The reaches of `reaches` whose host is neither local nor one of `own_names` (the names that
/// resolve to the container itself, e.g. a Compose service's own name).
pub fn remote(reaches: Vec<Reach>, own_names: &[&str]) -> Vec<Reach> {
    reaches
        .into_iter()
        .filter(|r| {
            !is_local_host(&r.host) && !own_names.iter().any(|n| n.eq_ignore_ascii_case(&r.host))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts_sh(text: &str) -> Vec<String> {
        shell_reaches(text, Syntax::Shell)
            .into_iter()
            .map(|r| {
                assert_eq!(&text[r.start..r.end], r.host, "range of {r:?}");
                format!("{}:{}", r.program, r.host)
            })
            .collect()
    }

    fn hosts_argv(argv: &[&str]) -> Vec<(usize, String)> {
        argv_reaches(argv)
            .into_iter()
            .map(|r| {
                assert_eq!(&argv[r.piece][r.start..r.end], r.host, "range of {r:?}");
                (r.piece, r.host)
            })
            .collect()
    }

    #[test]
    fn urls_and_host_ports() {
        assert_eq!(
            hosts_sh("curl -fsS http://localhost:8080/healthz || exit 1"),
            ["curl:localhost"]
        );
        assert_eq!(
            hosts_sh("curl -f 'https://user:pw@api.example.com:8443/x' && wget -qO- db:5432/x"),
            ["curl:api.example.com", "wget:db"]
        );
        assert_eq!(hosts_sh("curl -u admin:1234 -o /dev/null http://[::1]:80/"), ["curl:::1"]);
        assert_eq!(
            hosts_sh("curl --unix-socket /run/docker.sock http://docker/_ping"),
            Vec::<String>::new()
        );
        assert_eq!(hosts_sh("timeout 5 curl -f http://example.com/"), ["curl:example.com"]);
    }

    #[test]
    fn other_programs() {
        assert_eq!(hosts_sh("nc -z -w 2 broker 1883"), ["nc:broker"]);
        assert_eq!(hosts_sh("ping -c 1 -W 2 8.8.8.8"), ["ping:8.8.8.8"]);
        assert_eq!(hosts_sh("nslookup example.com"), ["nslookup:example.com"]);
        assert_eq!(hosts_sh("dig +short @1.1.1.1 example.com A"), ["dig:1.1.1.1"]);
        assert_eq!(hosts_sh("dig +short example.com A"), ["dig:example.com"]);
        assert_eq!(hosts_sh("dig -p 53 +short @127.0.0.1 pi.hole"), ["dig:127.0.0.1"]);
        assert_eq!(hosts_sh("nslookup example.com 10.0.0.2"), ["nslookup:10.0.0.2"]);
        assert_eq!(hosts_sh("grpc_health_probe -addr=:50051"), Vec::<String>::new());
        assert_eq!(hosts_sh("grpc_health_probe -addr=svc.ns:50051"), ["grpc_health_probe:svc.ns"]);
        assert_eq!(hosts_sh("pg_isready -h db"), Vec::<String>::new());
    }

    #[test]
    fn variables_and_templates_are_unknown() {
        assert!(hosts_sh("curl -f http://$HOSTNAME:8080/ && curl http://${POD_IP}/").is_empty());
        assert!(hosts_sh("curl http://{{ .Values.host }}/").is_empty());
        assert!(hosts_sh("nc -z $(hostname -i) 80").is_empty());
    }

    #[test]
    fn argument_lists() {
        assert_eq!(
            hosts_argv(&["curl", "-f", "http://api.example.com/x"]),
            [(2, "api.example.com".into())]
        );
        assert_eq!(
            hosts_argv(&["/bin/sh", "-ec", "wget -q --spider http://cloud.example.com/ping"]),
            [(2, "cloud.example.com".into())]
        );
        assert_eq!(
            hosts_argv(&["grpc_health_probe", "-addr", "backend:9090"]),
            [(2, "backend".into())]
        );
    }

    #[test]
    fn hosts_in_values() {
        let hosts = |t: &str, bare| -> Vec<String> {
            hosts_in_value(t, bare).into_iter().map(|(a, b)| t[a..b].to_string()).collect()
        };
        assert_eq!(hosts("postgres://u:p@db:5432/app", false), ["db"]);
        assert_eq!(
            hosts("--broker=mqtt:1883 --api http://api.plant.svc:80/x", false),
            ["mqtt", "api.plant.svc"]
        );
        assert_eq!(hosts("redis", true), ["redis"]);
        assert_eq!(hosts("redis", false), Vec::<String>::new());
        assert_eq!(hosts("10:30", false), Vec::<String>::new());
        assert_eq!(hosts("-Xmx400m -Xms400m", true), Vec::<String>::new());
    }

    #[test]
    fn local_hosts() {
        for h in
            ["localhost", "127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "LOCALHOST", "a.localhost"]
        {
            assert!(is_local_host(h), "{h}");
        }
        for h in ["db", "10.0.0.1", "example.com", "localhost.example.com"] {
            assert!(!is_local_host(h), "{h}");
        }
        let r = shell_reaches("curl http://web:80/ && curl http://db:80/", Syntax::Shell);
        let left: Vec<String> = remote(r, &["web"]).into_iter().map(|r| r.host).collect();
        assert_eq!(left, ["db"]);
    }
}
