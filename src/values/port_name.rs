//! Kubernetes port names (`IANA_SVC_NAME`), as `k8s.io/apimachinery/pkg/util/validation`
//! `IsValidPortName` checks them: 1 to 15 characters of `a-z`, `0-9` and `-`, at least one
//! letter, no hyphen first, last or next to another. A name of digits only (`"8080"` in
//! quotes) is not a name: the API server rejects it wherever a port may be a name
//! (`ValidatePortNumOrName`: probe and lifecycle `httpGet`/`tcpSocket` ports, a Service's
//! `targetPort`).

/// Whether `name` is a valid port name.
pub fn is_valid_port_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.contains("--")
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_api_server_checks_them() {
        for ok in ["http", "metrics", "h2c", "grpc-web", "a", "abcdefghijklmno", "9a"] {
            assert!(is_valid_port_name(ok), "{ok}");
        }
        for bad in ["", "8080", "HTTP", "http_alt", "-http", "http-", "gr--pc", "abcdefghijklmnop"]
        {
            assert!(!is_valid_port_name(bad), "{bad}");
        }
    }
}
