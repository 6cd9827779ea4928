//! From the crate's instructions to the model (pairs, flags, forms, spans).

use super::*;

pub(super) struct Conv<'a> {
    /// The original text (without BOM).
    pub(super) orig: &'a str,
    /// The crate's copy.
    pub(super) ct: &'a str,
    pub(super) base: usize,
    pub(super) esc: u8,
    pub(super) extents: &'a [Extent],
    /// Where the crate's text starts in `ct`: the crate's spans are relative to it.
    pub(super) off: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PairKind {
    Arg,
    Env,
    Label,
}

pub(super) fn keyword_of(ins: &pd::Instruction<'_>) -> Option<(&'static str, Range<usize>)> {
    use pd::Instruction as I;
    Some(match ins {
        I::Add(i) => ("ADD", i.add.span.clone()),
        I::Arg(i) => ("ARG", i.arg.span.clone()),
        I::Cmd(i) => ("CMD", i.cmd.span.clone()),
        I::Copy(i) => ("COPY", i.copy.span.clone()),
        I::Entrypoint(i) => ("ENTRYPOINT", i.entrypoint.span.clone()),
        I::Env(i) => ("ENV", i.env.span.clone()),
        I::Expose(i) => ("EXPOSE", i.expose.span.clone()),
        I::From(i) => ("FROM", i.from.span.clone()),
        I::Healthcheck(i) => ("HEALTHCHECK", i.healthcheck.span.clone()),
        I::Label(i) => ("LABEL", i.label.span.clone()),
        I::Maintainer(i) => ("MAINTAINER", i.maintainer.span.clone()),
        I::Onbuild(i) => ("ONBUILD", i.onbuild.span.clone()),
        I::Run(i) => ("RUN", i.run.span.clone()),
        I::Shell(i) => ("SHELL", i.shell.span.clone()),
        I::Stopsignal(i) => ("STOPSIGNAL", i.stopsignal.span.clone()),
        I::User(i) => ("USER", i.user.span.clone()),
        I::Volume(i) => ("VOLUME", i.volume.span.clone()),
        I::Workdir(i) => ("WORKDIR", i.workdir.span.clone()),
        _ => return None,
    })
}

impl Conv<'_> {
    /// A span the crate reports, as an offset range into `orig` and `ct`.
    pub(super) fn at(&self, r: Range<usize>) -> Range<usize> {
        r.start.saturating_add(self.off)..r.end.saturating_add(self.off)
    }

    pub(super) fn span(&self, r: Range<usize>) -> Span {
        Span::new(r.start.saturating_add(self.base), r.end.saturating_add(self.base))
    }

    /// A crate string, re-read from the original text if the copy differs there.
    pub(super) fn val(&self, u: &pd::UnescapedString<'_>) -> Spanned<String> {
        let r = self.at(u.span.clone());
        let value = if self.orig.get(r.clone()) == self.ct.get(r.clone()) {
            u.value.to_string()
        } else {
            join_str(self.orig, r.clone(), self.esc)
        };
        Spanned::new(value, self.span(r))
    }

    pub(super) fn raw(&self, r: Range<usize>) -> Spanned<String> {
        Spanned::new(self.orig.get(r.clone()).unwrap_or_default().to_string(), self.span(r))
    }

    pub(super) fn flags(&self, flags: &[pd::Flag<'_>]) -> Vec<Flag> {
        flags
            .iter()
            .map(|f| Flag {
                name: self.val(&f.name),
                value: f.value.as_ref().map(|v| self.val(v)),
                span: self.span(self.at(f.span())),
            })
            .collect()
    }

    pub(super) fn command(&self, c: &pd::Command<'_>) -> Args {
        match c {
            pd::Command::Exec(e) => Args::Exec(e.value.iter().map(|v| self.val(v)).collect()),
            pd::Command::Shell(s) => {
                let r = self.at(s.span.clone());
                Args::Shell(ShellText {
                    span: self.span(r.clone()),
                    raw: self.orig.get(r).unwrap_or_default().to_string(),
                })
            }
            _ => Args::Exec(Vec::new()),
        }
    }

    /// Converts one crate instruction. `outer` is the ONBUILD's extent for a trigger.
    pub(super) fn instruction(
        &self,
        ins: &pd::Instruction<'_>,
        outer: Option<&Extent>,
        ctx: &mut Ctx,
    ) -> Option<Instruction> {
        use pd::Instruction as I;
        let (kw, kw_range) = keyword_of(ins)?;
        let kw_range = self.at(kw_range);
        let ext = outer.or_else(|| {
            let i = find_extent(self.extents, kw_range.start)?;
            self.extents.get(i).filter(|e| e.start == kw_range.start)
        });
        let mut flags = Vec::new();
        let mut heredocs: Vec<Heredoc> = Vec::new();
        let args = match ins {
            I::Add(i) => {
                flags = self.flags(&i.options);
                self.copy_args(&i.src, &i.dest, &mut heredocs)
            }
            I::Copy(i) => {
                flags = self.flags(&i.options);
                self.copy_args(&i.src, &i.dest, &mut heredocs)
            }
            I::Arg(i) => {
                Args::Pairs(self.pairs(self.at(i.arguments.span.clone()), PairKind::Arg, ctx))
            }
            I::Env(i) => {
                Args::Pairs(self.pairs(self.at(i.arguments.span.clone()), PairKind::Env, ctx))
            }
            I::Label(i) => {
                Args::Pairs(self.pairs(self.at(i.arguments.span.clone()), PairKind::Label, ctx))
            }
            I::Cmd(i) => self.command(&i.arguments),
            I::Entrypoint(i) => self.command(&i.arguments),
            I::Run(i) => {
                flags = self.flags(&i.options);
                for h in &i.here_docs {
                    heredocs.push(self.crate_heredoc(h));
                }
                self.command(&i.arguments)
            }
            I::Expose(i) => Args::Words(i.arguments.iter().map(|a| self.val(a)).collect()),
            I::From(i) => {
                flags = self.flags(&i.options);
                Args::From {
                    image: self.val(&i.image),
                    alias: i.as_.as_ref().map(|(_, n)| self.val(n)),
                }
            }
            I::Healthcheck(i) => {
                flags = self.flags(&i.options);
                match &i.arguments {
                    pd::HealthcheckArguments::Cmd { arguments, .. } => {
                        Args::Healthcheck(Some(Box::new(self.command(arguments))))
                    }
                    _ => Args::Healthcheck(None),
                }
            }
            I::Maintainer(i) => Args::Other(self.val(&i.name)),
            I::Onbuild(i) => {
                let inner = self.instruction(&i.instruction, ext, ctx)?;
                if matches!(inner.keyword.as_str(), "FROM" | "MAINTAINER") {
                    ctx.error(
                        kw_range.start..inner.keyword_span.end.saturating_sub(self.base),
                        format!("an ONBUILD trigger cannot be {}", inner.keyword),
                    );
                }
                Args::Onbuild(Box::new(inner))
            }
            I::Shell(i) => Args::Exec(i.arguments.iter().map(|a| self.val(a)).collect()),
            I::Stopsignal(i) => Args::Other(self.val(&i.arguments)),
            I::User(i) => Args::Other(self.val(&i.arguments)),
            I::Workdir(i) => Args::Other(self.val(&i.arguments)),
            I::Volume(i) => match &i.arguments {
                pd::JsonOrStringArray::Json(a) => {
                    Args::Exec(a.value.iter().map(|v| self.val(v)).collect())
                }
                pd::JsonOrStringArray::String(a) => {
                    Args::Words(a.iter().map(|v| self.val(v)).collect())
                }
            },
            _ => return None,
        };
        // Heredocs belong to the innermost instruction (the trigger of an ONBUILD).
        if !matches!(args, Args::Onbuild(_)) {
            if let Some(e) = ext {
                heredocs.extend(e.heredocs.iter().map(|h| Heredoc {
                    delimiter: h.name.clone(),
                    marker: self.span(h.marker.clone()),
                    body: self.raw(h.body.clone()),
                    expand: h.expand,
                    strip_tabs: h.strip_tabs,
                }));
            }
        }
        let end = ext.map_or_else(
            || {
                trim_back(
                    self.orig.as_bytes(),
                    kw_range.start,
                    line_end(self.ct.as_bytes(), kw_range.start),
                )
            },
            |e| e.end,
        );
        Some(Instruction {
            keyword: kw.to_string(),
            keyword_span: self.span(kw_range.clone()),
            span: self.span(kw_range.start..end.max(kw_range.end)),
            flags,
            args,
            heredocs,
            stage: None,
        })
    }

    pub(super) fn crate_heredoc(&self, h: &pd::HereDoc<'_>) -> Heredoc {
        let r = self.at(h.span.clone());
        Heredoc {
            delimiter: String::new(),
            marker: self.span(r.start..r.start),
            body: self.raw(r),
            expand: h.expand,
            strip_tabs: false,
        }
    }

    pub(super) fn copy_args(
        &self,
        src: &[pd::Source<'_>],
        dest: &pd::UnescapedString<'_>,
        heredocs: &mut Vec<Heredoc>,
    ) -> Args {
        let mut sources = Vec::new();
        for s in src {
            match s {
                pd::Source::Path(p) => sources.push(self.val(p)),
                pd::Source::HereDoc(h) => heredocs.push(self.crate_heredoc(h)),
                _ => {}
            }
        }
        Args::Copy { sources, dest: self.val(dest) }
    }

    /// Splits ENV, LABEL or ARG arguments (`r`, as written) into pairs, as BuildKit's
    /// `parseNameVal` / `parseNameOrNameVal` do.
    pub(super) fn pairs(&self, r: Range<usize>, kind: PairKind, ctx: &mut Ctx) -> Vec<KeyValue> {
        let j = join(self.orig.as_bytes(), r.start, r.end, self.esc);
        let s = &j.bytes;
        let words = parse_words(s, self.esc);
        let kw = match kind {
            PairKind::Arg => "ARG",
            PairKind::Env => "ENV",
            PairKind::Label => "LABEL",
        };
        let mut out = Vec::new();
        let Some(first) = words.first() else { return out };
        let first_has_eq = s.get(first.clone()).is_some_and(|w| w.contains(&b'='));
        if kind != PairKind::Arg && !first_has_eq {
            // Legacy `ENV NAME value...`: the value is the rest after the first blanks.
            let p = s.iter().position(|&b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c));
            let Some(p) = p else {
                let key = j.range(0, s.len());
                ctx.error(key, format!("missing value: write {kw} NAME=value"));
                return out;
            };
            let mut v = p;
            while s.get(v).is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)) {
                v += 1;
            }
            out.push(KeyValue {
                key: self.unquoted(&j, 0, p),
                value: Some(self.unquoted(&j, v, s.len())),
                span: self.span(j.range(0, s.len())),
            });
            return out;
        }
        for w in words {
            let word = s.get(w.clone()).unwrap_or_default();
            match word.iter().position(|&b| b == b'=') {
                Some(eq) => {
                    let eq = w.start + eq;
                    if eq == w.start {
                        ctx.error(
                            j.range(w.start, w.end),
                            format!("missing name before '=' in {kw}"),
                        );
                        continue;
                    }
                    out.push(KeyValue {
                        key: self.unquoted(&j, w.start, eq),
                        value: Some(self.unquoted(&j, eq + 1, w.end)),
                        span: self.span(j.range(w.start, w.end)),
                    });
                }
                None if kind == PairKind::Arg => out.push(KeyValue {
                    key: self.unquoted(&j, w.start, w.end),
                    value: None,
                    span: self.span(j.range(w.start, w.end)),
                }),
                None => ctx.error(
                    j.range(w.start, w.end),
                    format!(
                        "missing '=' in '{}': {kw} pairs are written NAME=value",
                        String::from_utf8_lossy(word)
                    ),
                ),
            }
        }
        out
    }

    pub(super) fn unquoted(&self, j: &Joined, a: usize, b: usize) -> Spanned<String> {
        let raw = j.bytes.get(a..b).unwrap_or_default();
        Spanned::new(unquote(raw, self.esc), self.span(j.range(a, b)))
    }
}

/// BuildKit's `parseWords`: blank-separated words, quotes and escapes kept.
pub(super) fn parse_words(s: &[u8], esc: u8) -> Vec<Range<usize>> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while s.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while let Some(&b) = s.get(i) {
            match quote {
                None => {
                    if is_space(b) {
                        break;
                    }
                    if b == b'\'' || b == b'"' {
                        quote = Some(b);
                    } else if b == esc {
                        i += 1;
                    }
                    i += 1;
                }
                Some(q) => {
                    if b == q {
                        quote = None;
                    } else if b == esc && q != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
            }
        }
        let end = i.min(s.len());
        words.push(start..end);
        i = end;
    }
    words
}

/// A word as BuildKit's `ProcessWord` reads it, without variable expansion: quotes removed,
/// escapes applied (inside double quotes only before `"`, `$` and the escape itself).
pub(super) fn unquote(s: &[u8], esc: u8) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == b'\'' {
            i += 1;
            while let Some(&c) = s.get(i) {
                i += 1;
                if c == b'\'' {
                    break;
                }
                out.push(c);
            }
        } else if b == b'"' {
            i += 1;
            while let Some(&c) = s.get(i) {
                i += 1;
                if c == b'"' {
                    break;
                }
                if c == esc {
                    if let Some(&n) = s.get(i) {
                        if n == b'"' || n == b'$' || n == esc {
                            out.push(n);
                            i += 1;
                            continue;
                        }
                    }
                }
                out.push(c);
            }
        } else if b == esc {
            if let Some(&n) = s.get(i + 1) {
                out.push(n);
            }
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    bytes_to_string(out)
}
