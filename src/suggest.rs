//! "Did you mean": the closest known name to a misspelt one, for rule names, configuration keys
//! and options.

/// The candidate within a small edit distance of `name`, if any.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_near_names_only() {
        let names = ["missing-memory-limit", "missing-cpu-limit", "single-arch-image"];
        assert_eq!(closest("missing-memory-limt", &names), Some("missing-memory-limit"));
        assert_eq!(closest("single-arch", &names), None);
        assert_eq!(closest("zzz", &names), None);
    }
}
