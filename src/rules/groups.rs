//! The group of each rule (the rule catalogue's sections), in one table rather than in every
//! rule file, so a rule added elsewhere is caught by the test below when it is merged.
//!
//! Used by `edgelint rules` (table and JSON), the generated `rules/README.md` and the docs site.

/// A group of rules: the edge failure area they cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Architecture,
    Pulls,
    Resources,
    Availability,
    Health,
    Storage,
    Security,
    Hygiene,
}

impl Group {
    /// Every group, in the order the index lists them.
    pub const ALL: [Group; 8] = [
        Group::Architecture,
        Group::Pulls,
        Group::Resources,
        Group::Availability,
        Group::Health,
        Group::Storage,
        Group::Security,
        Group::Hygiene,
    ];

    /// The group's id, as `edgelint rules` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Architecture => "architecture",
            Group::Pulls => "pulls",
            Group::Resources => "resources",
            Group::Availability => "availability",
            Group::Health => "health",
            Group::Storage => "storage",
            Group::Security => "security",
            Group::Hygiene => "hygiene",
        }
    }

    /// A heading for the index.
    pub fn title(self) -> &'static str {
        match self {
            Group::Architecture => "Architecture",
            Group::Pulls => "Image pulls and network",
            Group::Resources => "Resources",
            Group::Availability => "Availability",
            Group::Health => "Probes and health",
            Group::Storage => "Storage",
            Group::Security => "Security basics",
            Group::Hygiene => "Suppressions and hygiene",
        }
    }
}

/// Rule name → group. Rules of other branches go here too: the test fails for a registered rule
/// that is missing.
const TABLE: &[(&str, Group)] = &[
    // architecture
    ("arch-detection-incomplete", Group::Architecture),
    ("arch-specific-command", Group::Architecture),
    ("missing-arch-selector", Group::Architecture),
    ("platform-pinned", Group::Architecture),
    ("single-arch-image", Group::Architecture),
    ("target-arch-arg-undeclared", Group::Architecture),
    // image pulls and network
    ("heavy-final-stage", Group::Pulls),
    ("host-network-dns", Group::Pulls),
    ("mutable-image-tag", Group::Pulls),
    ("pull-policy-always", Group::Pulls),
    ("registry-not-local", Group::Pulls),
    // resources
    ("device-capacity-exceeded", Group::Resources),
    ("ineffective-compose-field", Group::Resources),
    ("memory-overcommit", Group::Resources),
    ("missing-cpu-limit", Group::Resources),
    ("missing-cpu-request", Group::Resources),
    ("missing-memory-limit", Group::Resources),
    ("suspicious-memory-quantity", Group::Resources),
    ("unbounded-emptydir", Group::Resources),
    // availability
    ("cronjob-missed-schedules", Group::Availability),
    ("missing-restart-policy", Group::Availability),
    ("pdb-blocks-drain", Group::Availability),
    ("short-unreachable-toleration", Group::Availability),
    // probes and health
    ("aggressive-probe-timing", Group::Health),
    ("healthy-dependency-without-healthcheck", Group::Health),
    ("invalid-probe-spec", Group::Health),
    ("remote-liveness-dependency", Group::Health),
    ("short-shutdown-grace", Group::Health),
    ("short-startup-budget", Group::Health),
    ("unresolved-named-port", Group::Health),
    // storage
    ("ephemeral-storage-for-data", Group::Storage),
    ("pvc-binding-mismatch", Group::Storage),
    ("rwo-volume-rollout", Group::Storage),
    ("unbounded-container-logs", Group::Storage),
    ("unpinned-hostpath", Group::Storage),
    ("volume-permission-mismatch", Group::Storage),
    // security basics
    ("privileged-container", Group::Security),
    ("runs-as-root", Group::Security),
    ("runtime-socket-mount", Group::Security),
    // suppressions and hygiene (and the built-in findings, documented on main)
    ("duplicate-stage-name", Group::Hygiene),
    ("file-too-large", Group::Hygiene),
    ("invalid-suppression", Group::Hygiene),
    ("parse-error", Group::Hygiene),
    ("unknown-rule", Group::Hygiene),
    ("unused-suppression", Group::Hygiene),
];

/// The group of rule `name`; `None` for a name the table does not know (a bug the test
/// catches for registered rules).
pub fn of(name: &str) -> Option<Group> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_rule_has_a_group() {
        let missing: Vec<&str> =
            crate::rules::all().iter().map(|r| r.meta().name).filter(|n| of(n).is_none()).collect();
        assert!(missing.is_empty(), "add these rules to src/rules/groups.rs: {missing:?}");
    }

    #[test]
    fn the_table_names_each_rule_once() {
        let mut names: Vec<&str> = TABLE.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a rule is listed twice");
        assert_eq!(of("single-arch-image"), Some(Group::Architecture));
        assert_eq!(of("no-such-rule"), None);
    }
}
