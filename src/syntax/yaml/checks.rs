//! Checks on a finished tree: alias bombs, duplicate and invalid keys.

use super::*;

/// Whether a document's aliases expand it by more than `limit` nodes (a "billion laughs" bomb).
/// Returns the error: at the alias that expands to the most nodes (the first such), with the
/// sizes. Linear in the number of nodes: each node's expanded size is computed once, after its
/// children and its alias target (an iterative post-order walk, no recursion). An alias that
/// points into its own anchored node (a cycle) counts as one node.
pub(super) fn alias_bomb(
    nodes: &[Node],
    root: Option<NodeId>,
    limit: usize,
) -> Option<(Span, String)> {
    if !nodes.iter().any(|n| matches!(n.kind, NodeKind::Alias { target: Some(_) })) {
        return None;
    }
    let root = root? as usize;
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut size = vec![1u64; nodes.len()];
    let children = |id: usize| -> Vec<usize> {
        match nodes.get(id).map(|n| &n.kind) {
            Some(NodeKind::Sequence(items)) => items.iter().map(|&i| i as usize).collect(),
            Some(NodeKind::Mapping(entries)) => {
                entries.iter().flat_map(|&(k, v)| [k as usize, v as usize]).collect()
            }
            Some(NodeKind::Alias { target: Some(t) }) => vec![*t as usize],
            _ => Vec::new(),
        }
    };
    let mut stack = vec![(root, false)];
    while let Some((id, finished)) = stack.pop() {
        if id >= nodes.len() {
            continue;
        }
        if finished {
            let total = match &nodes[id].kind {
                // An alias stands for its target's expansion.
                NodeKind::Alias { target: Some(t) } => match state.get(*t as usize) {
                    Some(&DONE) => size[*t as usize],
                    _ => 1,
                },
                _ => children(id).into_iter().fold(1u64, |acc, c| {
                    acc.saturating_add(if state.get(c) == Some(&DONE) { size[c] } else { 1 })
                }),
            };
            size[id] = total;
            state[id] = DONE;
            continue;
        }
        if state[id] != NEW {
            continue;
        }
        state[id] = OPEN;
        stack.push((id, true));
        for c in children(id).into_iter().rev() {
            if state.get(c) == Some(&NEW) {
                stack.push((c, false));
            }
        }
    }
    let extra = size[root].saturating_sub(nodes.len() as u64);
    if extra <= limit as u64 {
        return None;
    }
    let (worst, worst_size) = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, NodeKind::Alias { target: Some(_) }))
        .map(|(id, _)| (id, size[id]))
        .fold((0, 0), |best, cur| if cur.1 > best.1 { cur } else { best });
    let node = &nodes[worst];
    Some((
        node.span,
        format!(
            "alias bomb: aliases expand this document by more than {limit} nodes (this alias \
             alone to {worst_size}); its aliases are not followed"
        ),
    ))
}

/// Stores a finished collection's children and span; checks its keys. Returns its end.
pub(super) fn close_frame(
    doc: &mut DocBuilder,
    frame: Frame,
    end: usize,
    errors: &mut Vec<(Span, String, Option<Span>)>,
) -> usize {
    let kind = match frame.children {
        Children::Seq(items) => NodeKind::Sequence(items),
        Children::Map { entries, .. } => {
            check_keys(&doc.nodes, &entries, errors);
            NodeKind::Mapping(entries)
        }
    };
    match doc.nodes.get_mut(frame.id as usize) {
        Some(node) => {
            node.span.end = end.max(node.span.start);
            node.kind = kind;
            node.span.end
        }
        None => end,
    }
}

/// Reports duplicate scalar keys (Kubernetes and Compose reject them) and merge keys whose
/// value is not a mapping or a list of mappings.
pub(super) fn check_keys(
    nodes: &[Node],
    entries: &[(NodeId, NodeId)],
    errors: &mut Vec<(Span, String, Option<Span>)>,
) {
    let node = |id: NodeId| nodes.get(id as usize);
    // Aliases point at complete nodes or at open ancestors; one step is all YAML allows.
    let resolve = |id: NodeId| match node(id) {
        Some(Node { kind: NodeKind::Alias { target: Some(t) }, .. }) => node(*t),
        other => other,
    };
    let key_text = |id: NodeId| match resolve(id) {
        Some(Node { kind: NodeKind::Scalar { value, .. }, .. }) => Some(value.as_str()),
        _ => None,
    };
    // Most mappings are small: a linear search beats hashing them.
    let mut seen: Vec<(&str, Span)> = Vec::new();
    let mut first: HashMap<&str, Span> = HashMap::new();
    for &(k, v) in entries {
        let Some(key) = node(k) else { continue };
        if let Some(text) = key_text(k) {
            let earlier = if entries.len() <= 16 {
                seen.iter().find(|(t, _)| *t == text).map(|&(_, span)| span)
            } else {
                first.get(text).copied()
            };
            match earlier {
                Some(earlier) => {
                    errors.push((key.span, format!("duplicate key `{text}`"), Some(earlier)));
                }
                None if entries.len() <= 16 => seen.push((text, key.span)),
                None => {
                    first.insert(text, key.span);
                }
            }
        }
        if is_merge_key(key) {
            let is_map = |n: Option<&Node>| {
                matches!(
                    n,
                    Some(Node {
                        kind: NodeKind::Mapping(_) | NodeKind::Alias { target: None },
                        ..
                    })
                )
            };
            let ok = match resolve(v) {
                Some(Node { kind: NodeKind::Sequence(items), .. }) => {
                    items.iter().all(|&item| is_map(resolve(item)))
                }
                other => is_map(other),
            };
            if !ok {
                let span = node(v).map_or(key.span, |n| n.span);
                errors.push((
                    span,
                    "merge key `<<` needs a mapping or a list of mappings".to_owned(),
                    None,
                ));
            }
        }
    }
}
