//! Variable substitution as BuildKit's shell lexer does it, used for Dockerfile `ARG`/`ENV`
//! expansion and for Compose interpolation (`${VAR:-default}`).
//!
//! TODO: Compose escapes a literal `$` as `$$`; this reads `$$VAR` as a `$` followed by `$VAR`
//! (and expands it), which Compose does not. Changing it changes the findings on Compose files
//! that use `$$`, so it is left as it is until a rule needs it.

const MAX_SUBST_DEPTH: usize = 16;

/// The longest value substitution builds; longer ones are unknown (`None`). ARGs that each
/// repeat the one before (`ARG B=$A$A$A…`) would otherwise grow exponentially.
pub const MAX_SUBST_LEN: usize = 64 * 1024;

/// Expands `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+x}`, `${VAR+x}`, `${VAR:?m}`,
/// `${VAR?m}`, and the literal forms of `${VAR#p}`, `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`,
/// `${VAR/p/r}`, `${VAR//p/r}` (BuildKit's lexer). `lookup` returning `None` means the file does
/// not set the variable. Returns `None` when a result depends on a value the file does not give
/// (a bare `$VAR` that is unknown, `${VAR:?}`, a glob pattern), or on malformed input.
pub fn substitute(s: &str, lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    subst(s, &lookup, 0)
}

fn subst(s: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Option<String> {
    if depth > MAX_SUBST_DEPTH {
        return None;
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut lit = 0;
    let mut i = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'$') {
            i += 1;
            continue;
        }
        out.push_str(s.get(lit..i)?);
        match b.get(i + 1) {
            Some(b'{') => {
                let close = matching_brace(b, i + 2)?;
                out.push_str(&braced(s.get(i + 2..close)?, lookup, depth)?);
                i = close + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let end = name_end(b, i + 1);
                out.push_str(&lookup(s.get(i + 1..end)?)?);
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
        lit = i;
        if out.len() > MAX_SUBST_LEN {
            return None;
        }
    }
    out.push_str(s.get(lit..)?);
    (out.len() <= MAX_SUBST_LEN).then_some(out)
}

fn name_end(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        i += 1;
    }
    i
}

/// Index of the `}` closing a `${` whose body starts at `start`.
fn matching_brace(b: &[u8], start: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn braced(inner: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Option<String> {
    let b = inner.as_bytes();
    let end = name_end(b, 0);
    if end == 0 {
        return None;
    }
    let name = inner.get(..end)?;
    let rest = inner.get(end..)?;
    let val = lookup(name);
    let word = |w: &str| subst(w, lookup, depth + 1);
    let set_nonempty = val.as_deref().is_some_and(|v| !v.is_empty());
    if rest.is_empty() {
        return val;
    }
    if let Some(w) = rest.strip_prefix(":-") {
        return if set_nonempty { val } else { word(w) };
    }
    if let Some(w) = rest.strip_prefix(":+") {
        return if set_nonempty { word(w) } else { Some(String::new()) };
    }
    if rest.starts_with(":?") {
        return if set_nonempty { val } else { None };
    }
    if let Some(w) = rest.strip_prefix('-') {
        return if val.is_some() { val } else { word(w) };
    }
    if let Some(w) = rest.strip_prefix('+') {
        return if val.is_some() { word(w) } else { Some(String::new()) };
    }
    if rest.starts_with('?') {
        return val;
    }
    let v = val?;
    let literal = |p: &str| {
        let p = word(p)?;
        if p.contains(['*', '?', '[']) {
            None
        } else {
            Some(p)
        }
    };
    if let Some(p) = rest.strip_prefix('#') {
        let p = literal(p.strip_prefix('#').unwrap_or(p))?;
        return Some(v.strip_prefix(p.as_str()).unwrap_or(&v).to_string());
    }
    if let Some(p) = rest.strip_prefix('%') {
        let p = literal(p.strip_prefix('%').unwrap_or(p))?;
        return Some(v.strip_suffix(p.as_str()).unwrap_or(&v).to_string());
    }
    if let Some(p) = rest.strip_prefix('/') {
        let (all, p) = match p.strip_prefix('/') {
            Some(p) => (true, p),
            None => (false, p),
        };
        let (pat, rep) = p.split_once('/').unwrap_or((p, ""));
        let pat = literal(pat)?;
        let rep = word(rep)?;
        if pat.is_empty() {
            return Some(v);
        }
        // Bound the result before building it (64 KiB of `a` with `a` → 64 KiB is 4 GiB).
        let count = if all { v.matches(pat.as_str()).count() } else { 1 };
        if v.len().saturating_add(count.saturating_mul(rep.len())) > MAX_SUBST_LEN {
            return None;
        }
        return Some(if all { v.replace(&pat, &rep) } else { v.replacen(&pat, &rep, 1) });
    }
    None
}
