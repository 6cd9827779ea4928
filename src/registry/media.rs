//! Manifest media types of the OCI distribution API and what they say about platforms.
//!
//! A tag points at either
//! - an **index** (OCI image index, Docker manifest list): one entry per platform, each with a
//!   `platform` object; entries for `unknown/unknown` (BuildKit's attestation manifests, also
//!   marked with the `vnd.docker.reference.type` annotation) are not images and are ignored;
//! - a **single manifest** (OCI image manifest, Docker v2 schema 2): the platform is in its
//!   config blob (`os`, `architecture`, `variant`), fetched separately.
//!
//! Docker v2 schema 1 (signed) manifests carry `architecture` at the top level and are read
//! from there; they are long deprecated but still served by some old registries.

use crate::document::platform::Platform;
use serde_json::Value;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const DOCKER_SCHEMA1_UNSIGNED: &str = "application/vnd.docker.distribution.manifest.v1+json";

/// The `Accept` header of a manifest request: every type understood, indexes first.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json;q=0.9, \
    application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5";

/// The annotation BuildKit sets on attestation manifests inside an index.
pub const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";

/// What a manifest document is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manifest {
    /// An index or manifest list: the platforms of its image entries (attestations dropped),
    /// sorted and deduplicated.
    Index(Vec<Platform>),
    /// A single image manifest: the digest of its config blob, which holds the platform.
    Image { config_digest: String },
    /// A schema 1 manifest: its platform is written in it.
    Schema1(Platform),
}

/// Reads a manifest. `content_type` is the response's `Content-Type` (parameters ignored);
/// when it is missing or generic, the document's own `mediaType` decides, then its shape
/// (`manifests` → index, `config` → image).
pub fn parse_manifest(content_type: Option<&str>, body: &[u8]) -> Result<Manifest, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let header = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_string());
    let declared = doc.get("mediaType").and_then(Value::as_str);
    let kind = match header.as_deref() {
        Some(t) if is_known(t) => t.to_string(),
        _ => match declared {
            Some(t) if is_known(t) => t.to_string(),
            _ if doc.get("manifests").is_some() => OCI_INDEX.to_string(),
            _ if doc.get("config").is_some() => OCI_MANIFEST.to_string(),
            _ if doc.get("schemaVersion").and_then(Value::as_u64) == Some(1) => {
                DOCKER_SCHEMA1.to_string()
            }
            _ => {
                return Err(format!(
                    "unsupported manifest media type `{}`",
                    header.or(declared.map(str::to_string)).unwrap_or_default()
                ))
            }
        },
    };
    match kind.as_str() {
        OCI_INDEX | DOCKER_LIST => index_platforms(&doc).map(Manifest::Index),
        OCI_MANIFEST | DOCKER_MANIFEST => {
            let digest = doc
                .pointer("/config/digest")
                .and_then(Value::as_str)
                .ok_or("the image manifest has no config digest")?;
            check_digest(digest)?;
            Ok(Manifest::Image { config_digest: digest.to_string() })
        }
        _ => {
            let arch = doc
                .get("architecture")
                .and_then(Value::as_str)
                .ok_or("the schema 1 manifest has no architecture")?;
            let platform = Platform::parse(&format!("linux/{arch}"))
                .map_err(|e| format!("schema 1 manifest: {e}"))?;
            Ok(Manifest::Schema1(platform.normalize()))
        }
    }
}

fn is_known(t: &str) -> bool {
    [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_SCHEMA1, DOCKER_SCHEMA1_UNSIGNED]
        .contains(&t)
}

/// The platforms of an index's image entries: entries without a platform, attestation
/// manifests (`unknown/unknown`, or the `vnd.docker.reference.type` annotation) and entries
/// of other media types (nested artifacts) are skipped.
fn index_platforms(doc: &Value) -> Result<Vec<Platform>, String> {
    let entries =
        doc.get("manifests").and_then(Value::as_array).ok_or("the index has no `manifests`")?;
    let mut out = Vec::new();
    for entry in entries {
        if entry.pointer(&format!("/annotations/{REFERENCE_TYPE_ANNOTATION}")).is_some() {
            continue;
        }
        if let Some(t) = entry.get("mediaType").and_then(Value::as_str) {
            if ![OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_LIST].contains(&t) {
                continue;
            }
        }
        let Some(platform) = entry.get("platform") else { continue };
        if let Some(p) = platform_of(platform)? {
            out.push(p);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A platform from an index entry's `platform` or an image config (`os`, `architecture`,
/// `variant`), normalised; `None` for `unknown/unknown` (attestations) and missing fields.
pub fn platform_of(v: &Value) -> Result<Option<Platform>, String> {
    let os = v.get("os").and_then(Value::as_str).unwrap_or("");
    let arch = v.get("architecture").and_then(Value::as_str).unwrap_or("");
    if os.is_empty() || arch.is_empty() || os == "unknown" || arch == "unknown" {
        return Ok(None);
    }
    let variant = v.get("variant").and_then(Value::as_str).unwrap_or("");
    let text =
        if variant.is_empty() { format!("{os}/{arch}") } else { format!("{os}/{arch}/{variant}") };
    Platform::parse(&text)
        .map(|p| Some(p.normalize()))
        .map_err(|e| format!("platform `{text}`: {e}"))
}

/// The platform in an image config blob.
pub fn config_platform(body: &[u8]) -> Result<Platform, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("the image config is not JSON: {e}"))?;
    platform_of(&doc)?.ok_or_else(|| "the image config names no os/architecture".to_string())
}

/// `sha256:<64 lowercase hex>` (or sha384/sha512 with their lengths).
pub fn check_digest(d: &str) -> Result<(), String> {
    let ok = match d.split_once(':') {
        Some((alg, hex)) => {
            let len = match alg {
                "sha256" => 64,
                "sha384" => 96,
                "sha512" => 128,
                _ => 0,
            };
            len > 0
                && hex.len() == len
                && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{d}` is not a digest"))
    }
}

/// `sha256:<hex>` of bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in d.as_ref() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap()
    }

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn docker_manifest_list() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_LIST}","manifests":[
              {{"mediaType":"{DOCKER_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"arm","os":"linux","variant":"v7"}}}},
              {{"mediaType":"{DOCKER_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"amd64","os":"linux"}}}},
              {{"mediaType":"{DOCKER_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}}
            ]}}"#
        );
        assert_eq!(
            parse_manifest(Some(DOCKER_LIST), body.as_bytes()),
            Ok(Manifest::Index(vec![p("linux/amd64"), p("linux/arm/v7"), p("linux/arm64")]))
        );
    }

    #[test]
    fn oci_index_ignores_attestations() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"amd64","os":"linux"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"unknown","os":"unknown"}},
                "annotations":{{"vnd.docker.reference.digest":"{D}","vnd.docker.reference.type":"attestation-manifest"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"riscv64","os":"linux"}},
                "annotations":{{"vnd.docker.reference.type":"attestation-manifest"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"unknown","os":"unknown"}}}},
              {{"mediaType":"application/vnd.example.sbom","digest":"{D}","size":1,"platform":{{"architecture":"s390x","os":"linux"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":1,"platform":{{"architecture":"aarch64","os":"linux"}}}}
            ]}}"#
        );
        // The header may carry parameters; the body's mediaType agrees.
        assert_eq!(
            parse_manifest(Some(&format!("{OCI_INDEX}; charset=utf-8")), body.as_bytes()),
            Ok(Manifest::Index(vec![p("linux/amd64"), p("linux/arm64")]))
        );
        // Without a usable header the document decides.
        assert_eq!(
            parse_manifest(Some("application/json"), body.as_bytes()),
            Ok(Manifest::Index(vec![p("linux/amd64"), p("linux/arm64")]))
        );
    }

    #[test]
    fn index_of_only_attestations_is_empty() {
        let body = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"digest":"{D}","size":1,"platform":{{"architecture":"unknown","os":"unknown"}}}}]}}"#
        );
        assert_eq!(parse_manifest(None, body.as_bytes()), Ok(Manifest::Index(vec![])));
    }

    #[test]
    fn single_manifests_point_at_their_config() {
        for t in [OCI_MANIFEST, DOCKER_MANIFEST] {
            let body = format!(
                r#"{{"schemaVersion":2,"mediaType":"{t}","config":{{"mediaType":"x","digest":"{D}","size":2}},"layers":[]}}"#
            );
            assert_eq!(
                parse_manifest(Some(t), body.as_bytes()),
                Ok(Manifest::Image { config_digest: D.to_string() })
            );
        }
        let bad = r#"{"schemaVersion":2,"config":{"digest":"md5:xyz"}}"#;
        assert!(parse_manifest(Some(OCI_MANIFEST), bad.as_bytes()).is_err());
        let config = br#"{"architecture":"arm","os":"linux","variant":"v6","rootfs":{}}"#;
        assert_eq!(config_platform(config), Ok(p("linux/arm/v6")));
        assert!(config_platform(br#"{"rootfs":{}}"#).is_err());
    }

    #[test]
    fn schema1_and_unknown_types() {
        let body =
            br#"{"schemaVersion":1,"name":"x","tag":"1","architecture":"amd64","fsLayers":[]}"#;
        assert_eq!(
            parse_manifest(Some(DOCKER_SCHEMA1), body),
            Ok(Manifest::Schema1(p("linux/amd64")))
        );
        assert!(parse_manifest(Some("text/html"), b"<html>").is_err());
        assert!(parse_manifest(Some("application/vnd.example"), br#"{"a":1}"#).is_err());
    }

    #[test]
    fn digests() {
        assert!(check_digest(D).is_ok());
        assert!(check_digest("sha256:abc").is_err());
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
