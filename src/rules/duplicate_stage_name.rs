//! `duplicate-stage-name`: a Dockerfile stage named like an earlier one (documented in
//! `rules/duplicate-stage-name.md`). BuildKit builds such a file (its `DuplicateStageName`
//! check only warns), and `FROM <name>` and `COPY --from=<name>` resolve to the first stage of
//! that name, so the later one is reachable only as `--target` or by index.

use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::syntax::dockerfile::Dockerfile;

declare_rule! {
    /// A stage name used twice.
    DuplicateStageName {
        name: "duplicate-stage-name",
        summary: "two Dockerfile stages have the same name, so references reach only the first",
        severity: Warning,
        formats: [Dockerfile],
        equivalents: ["buildkit:DuplicateStageName"],
    }
}

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {
        let Some(name) = file.stages.get(index).and_then(|s| s.name.as_ref()) else { return };
        // Stage names are case-insensitive.
        let first = file.stages[..index]
            .iter()
            .filter_map(|s| s.name.as_ref())
            .find(|n| n.value.eq_ignore_ascii_case(&name.value));
        let Some(first) = first else { return };
        let at = cx.source().position(first.span.start);
        cx.report(
            name.span,
            format!(
                "stage name `{}` is already used by the stage at {}:{}; `FROM {}` and \
                 `COPY --from={}` reach only that one",
                name.value, at.line, at.column, first.value, first.value
            ),
        )
        .label(first.span, "first used here")
        .help("give each stage its own name");
    }
}
