//! `edgelint server`: a Language Server over standard input and output.
//!
//! It lints the text the editor holds (never the file on disk) through the same path as the
//! command line: configuration resolved for the document's path (or `--config`/`--isolated`),
//! classification, [`crate::lint_source_document`] (parse → rules → suppressions → configured
//! severities → sort) and the cross-file phase over that one file. It publishes diagnostics
//! on open, change and save, offers a quick fix per finding that inserts a suppression comment
//! ([`actions`]) and shows the rule's documentation on hover. Positions are converted to the
//! negotiated encoding ([`position`]). Logs go to standard error only; standard output carries
//! the protocol.
//!
//! Documentation: `docs/editors.md`.

pub mod actions;
pub mod position;
pub mod uri;

use crate::config::{self, ConfigError, Overrides};
use crate::diagnostic::{doc_url, Diagnostic, FileReport, Severity};
use crate::document::FileKind;
use crate::rules;
use crate::settings::Settings;
use crate::source::{SourceFile, Span};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use position::{Encoding, Lines, LspPosition};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

/// How `edgelint server` was started.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where configuration comes from: discovered per document, `--config`, `--isolated`.
    pub mode: config::Mode,
    /// The directory relative paths (and `--config`'s relative globs) start from.
    pub cwd: PathBuf,
}

/// One line on standard error (never standard output: it carries the protocol).
fn log(msg: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "edgelint server: {msg}");
}

/// Runs the server until `exit` (or until the client goes away). Returns the exit code: 0
/// after `shutdown` then `exit`, 1 otherwise, as the protocol asks.
pub fn run(options: Options) -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection, options) {
        Ok(code) => code,
        Err(e) => {
            log(format_args!("{e}"));
            1
        }
    };
    // The writer thread ends when the connection's sender is dropped.
    drop(connection);
    if let Err(e) = io_threads.join() {
        log(format_args!("{e}"));
    }
    code
}

/// The capabilities announced in `initialize`.
fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::new(encoding.as_str())),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(lsp::SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

fn serve(connection: &Connection, options: Options) -> Result<i32, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let offered: Vec<String> = params
        .pointer("/capabilities/general/positionEncodings")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let encoding = Encoding::negotiate(offered.iter().map(String::as_str));
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "edgelint", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
    log(format_args!("initialized (positions in {})", encoding.as_str()));

    let mut server = Server { options, encoding, documents: HashMap::new(), shown_error: None };
    let mut shutdown = false;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                let response = if shutdown {
                    Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".to_string(),
                    )
                } else if request.method == "shutdown" {
                    shutdown = true;
                    Response::new_ok(request.id, ())
                } else {
                    server.request(request)
                };
                send(connection, response.into())?;
            }
            Message::Notification(n) if n.method == "exit" => {
                return Ok(if shutdown { 0 } else { 1 });
            }
            Message::Notification(n) => {
                for out in server.notification(n) {
                    send(connection, out)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    // Standard input closed without `exit`.
    Ok(if shutdown { 0 } else { 1 })
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection.sender.send(message).map_err(|_| "the client went away".to_string())
}

/// An open document.
struct Open {
    uri: lsp::Uri,
    version: i32,
    /// The editor's text; once linted, named by the document's path.
    source: SourceFile,
    /// What the last lint found: the kind the text was read as, the findings and the settings
    /// used (for checking quick fixes); `None`: not linted (not a Dockerfile, Compose or
    /// Kubernetes file, excluded, or a configuration error).
    linted: Option<(FileKind, Vec<Diagnostic>, Arc<Settings>)>,
}

struct Server {
    options: Options,
    encoding: Encoding,
    documents: HashMap<String, Open>,
    /// The configuration errors last shown, not to show them again on every keystroke.
    shown_error: Option<String>,
}

/// The outcome of linting one text.
enum Linted {
    Report(FileReport, Arc<Settings>),
    /// Not linted; the reason goes to the log.
    Skipped(String),
    ConfigErrors(Vec<ConfigError>),
}

impl Server {
    fn request(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            "textDocument/hover" => params(request).map(|p| to_json(self.hover(&p))),
            "textDocument/codeAction" => params(request).map(|p| to_json(self.code_actions(&p))),
            method => Err((ErrorCode::MethodNotFound, format!("unsupported request {method}"))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Handles a notification; returns the messages to send.
    fn notification(&mut self, n: Notification) -> Vec<Message> {
        let method = n.method.clone();
        let outcome =
            match method.as_str() {
                "textDocument/didOpen" => params(n).map(|p: lsp::DidOpenTextDocumentParams| {
                    let doc = p.text_document;
                    self.documents.insert(
                        doc.uri.as_str().to_string(),
                        Open {
                            uri: doc.uri.clone(),
                            version: doc.version,
                            source: SourceFile::new(doc.uri.as_str(), doc.text),
                            linted: None,
                        },
                    );
                    self.lint(doc.uri.as_str())
                }),
                "textDocument/didChange" => params(n).map(|p: lsp::DidChangeTextDocumentParams| {
                    let key = p.text_document.uri.as_str();
                    let Some(open) = self.documents.get_mut(key) else {
                        log(format_args!("didChange for a document that is not open: {key}"));
                        return Vec::new();
                    };
                    let mut text = std::mem::take(&mut open.source.text);
                    for change in p.content_changes {
                        text = apply_change(text, change, self.encoding);
                    }
                    open.source = SourceFile::new(key, text);
                    open.version = p.text_document.version;
                    self.lint(key)
                }),
                "textDocument/didSave" => params(n).map(|p: lsp::DidSaveTextDocumentParams| {
                    // The configuration or the file's neighbours may have changed: lint again.
                    self.lint(p.text_document.uri.as_str())
                }),
                "textDocument/didClose" => params(n).map(|p: lsp::DidCloseTextDocumentParams| {
                    match self.documents.remove(p.text_document.uri.as_str()) {
                        Some(open) => vec![publish(&open.uri, Vec::new(), None)],
                        None => Vec::new(),
                    }
                }),
                _ => Ok(Vec::new()),
            };
        outcome.unwrap_or_else(|(_, message)| {
            log(format_args!("{method}: {message}"));
            Vec::new()
        })
    }

    /// Lints an open document and returns its diagnostics (and any message to show).
    fn lint(&mut self, key: &str) -> Vec<Message> {
        let Some(open) = self.documents.get(key) else {
            log(format_args!("not an open document: {key}"));
            return Vec::new();
        };
        let started = std::time::Instant::now();
        let outcome = lint_text(&self.options, &open.uri, &open.source.text);
        let mut out = Vec::new();
        let mut linted_source = None;
        let linted = match outcome {
            Linted::Report(report, settings) => {
                log(format_args!(
                    "{key}: {} finding(s) in {:.1} ms",
                    report.diagnostics.len(),
                    started.elapsed().as_secs_f64() * 1000.0
                ));
                self.shown_error = None;
                // The same text, named by its path (what the quick fixes lint again).
                linted_source = Some(report.source);
                report.kind.map(|kind| (kind, report.diagnostics, settings))
            }
            Linted::Skipped(why) => {
                log(format_args!("{key}: {why}"));
                None
            }
            Linted::ConfigErrors(errors) => {
                let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
                let text = format!("edgelint: configuration error: {}", text.join("; "));
                log(format_args!("{text}"));
                if self.shown_error.as_deref() != Some(text.as_str()) {
                    out.push(show_message(lsp::MessageType::ERROR, text.clone()));
                    self.shown_error = Some(text);
                }
                None
            }
        };
        let Some(open) = self.documents.get_mut(key) else { return out };
        open.linted = linted;
        if let Some(source) = linted_source {
            open.source = source;
        }
        let diagnostics = match &open.linted {
            Some((_, findings, _)) => {
                findings.iter().map(|d| to_lsp(&open.source, &open.uri, d, self.encoding)).collect()
            }
            None => Vec::new(),
        };
        out.push(publish(&open.uri, diagnostics, Some(open.version)));
        out
    }

    fn hover(&self, p: &lsp::HoverParams) -> Option<lsp::Hover> {
        let at = &p.text_document_position_params;
        let open = self.documents.get(at.text_document.uri.as_str())?;
        let (_, findings, _) = open.linted.as_ref()?;
        let lines = Lines::new(&open.source.text, &open.source.index);
        let offset = lines.offset(lsp_position(at.position), self.encoding);
        let here: Vec<&Diagnostic> =
            findings.iter().filter(|d| d.span.contains(offset) || d.span.start == offset).collect();
        let first = here.first()?;
        let mut rule_names: Vec<&str> = here.iter().map(|d| d.rule).collect();
        rule_names.dedup();
        let mut parts = Vec::new();
        for name in rule_names {
            parts.push(match rules::find(name) {
                Some(rule) => hover_text(rule.meta()),
                // Built-in findings (`parse-error`, `file-too-large`) have no rule page.
                None => {
                    let messages: Vec<&str> = here
                        .iter()
                        .filter(|d| d.rule == name)
                        .map(|d| d.message.as_str())
                        .collect();
                    format!("**{name}**: {}", messages.join("; "))
                }
            });
        }
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: Some(range(&open.source, first.span, self.encoding)),
        })
    }

    fn code_actions(&self, p: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let wants_quickfix = p.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|k| {
                let k = k.as_str();
                k.is_empty() || k == "quickfix"
            })
        });
        let Some(open) = self.documents.get(p.text_document.uri.as_str()) else {
            return Vec::new();
        };
        let Some((kind, findings, settings)) = open.linted.as_ref() else { return Vec::new() };
        if !wants_quickfix {
            return Vec::new();
        }
        let lines = Lines::new(&open.source.text, &open.source.index);
        let start = lines.offset(lsp_position(p.range.start), self.encoding);
        let end = lines.offset(lsp_position(p.range.end), self.encoding).max(start);
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for d in findings.iter().filter(|d| d.span.start <= end && start <= d.span.end) {
            // Linting the edited text must not take the server down, whatever it holds.
            let insertion = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                actions::suppression(&open.source, *kind, settings, d)
            }));
            let Ok(Some(insertion)) = insertion else { continue };
            if seen.contains(&(d.rule, insertion.at)) {
                continue;
            }
            seen.push((d.rule, insertion.at));
            let at = range(&open.source, Span::empty(insertion.at), self.encoding);
            let edit = lsp::TextEdit { range: at, new_text: insertion.text };
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Suppress {} here (# edgelint: ignore[{}])", d.rule, d.rule),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(&open.source, &open.uri, d, self.encoding)]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(open.uri.clone(), vec![edit])])),
                    ..Default::default()
                }),
                ..Default::default()
            }));
        }
        out
    }
}

/// The hover of a rule: its name, severity and link, then the Markdown `edgelint explain`
/// prints (the rule's `rules/<name>.md`).
pub fn hover_text(meta: &rules::RuleMeta) -> String {
    format!(
        "**{}** ({}): {}  \n[{}]({})\n\n{}",
        meta.name,
        meta.severity,
        meta.summary,
        doc_url(meta.name),
        doc_url(meta.name),
        meta.doc
    )
}

/// Lints `text` as the document at `uri` would be linted by `edgelint PATH`: the configuration
/// for that path, its `exclude` globs (an excluded file gets no diagnostics, as with
/// `--force-exclude`), classification by path and content. A document that is not a file
/// (`untitled:`) gets the configuration of the working directory, as standard input does.
fn lint_text(options: &Options, uri: &lsp::Uri, text: &str) -> Linted {
    let mut resolver =
        config::Resolver::new(options.mode.clone(), options.cwd.clone(), Overrides::default());
    let path = uri::file_path(uri.as_str());
    let (name, settings) = match &path {
        Some(path) => {
            let abs = resolver.absolute(path);
            let resolved = resolver.for_path(Some(&abs));
            let errors = resolver.errors();
            if !errors.is_empty() {
                return Linted::ConfigErrors(errors);
            }
            if resolved.excludes(&abs) {
                return Linted::Skipped("excluded by the configuration".to_string());
            }
            (abs.to_string_lossy().into_owned(), resolved.settings_for(Some(&abs)))
        }
        None => {
            let resolved = resolver.for_path(None);
            let errors = resolver.errors();
            if !errors.is_empty() {
                return Linted::ConfigErrors(errors);
            }
            (uri::last_segment(uri.as_str()), resolved.settings_for(None))
        }
    };
    if text.len() as u64 > crate::cli::DEFAULT_MAX_FILE_SIZE {
        return Linted::Skipped("over the 8 MiB size limit; not linted".to_string());
    }
    // The engine is fuzzed and must not panic; should it, the server keeps serving.
    let linted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::lint_source_document(&name, text, &settings)
    }));
    match linted {
        Ok(Ok((mut report, document))) => {
            let run = [crate::engine::RunFile {
                source: &report.source,
                document: &document,
                settings: &settings,
            }];
            let found: Vec<Diagnostic> =
                crate::engine::cross_file(&run).into_iter().map(|(_, d)| d).collect();
            if !found.is_empty() {
                report.diagnostics.extend(found);
                crate::sort_diagnostics(&mut report.diagnostics);
            }
            Linted::Report(report, settings)
        }
        Ok(Err(crate::NotLinted::Unrecognised)) => Linted::Skipped(
            "not a Dockerfile, Compose or Kubernetes file; no diagnostics".to_string(),
        ),
        Ok(Err(crate::NotLinted::HelmTemplate)) => {
            Linted::Skipped("a Helm chart template; lint the rendered chart".to_string())
        }
        Err(_) => Linted::Skipped("internal error while linting (see above)".to_string()),
    }
}

/// Applies one content change: the whole text, or a range of it.
fn apply_change(text: String, change: lsp::TextDocumentContentChangeEvent, e: Encoding) -> String {
    let Some(r) = change.range else { return change.text };
    let index = crate::source::LineIndex::new(&text);
    let lines = Lines::new(&text, &index);
    let start = lines.offset(lsp_position(r.start), e);
    let end = lines.offset(lsp_position(r.end), e).max(start);
    let mut out = String::with_capacity(text.len() + change.text.len());
    out.push_str(&text[..start]);
    out.push_str(&change.text);
    out.push_str(&text[end..]);
    out
}

fn lsp_position(p: lsp::Position) -> LspPosition {
    LspPosition { line: p.line, character: p.character }
}

fn range(source: &SourceFile, span: Span, encoding: Encoding) -> lsp::Range {
    let lines = Lines::new(&source.text, &source.index);
    let convert = |offset| {
        let p = lines.position(offset, encoding);
        lsp::Position { line: p.line, character: p.character }
    };
    lsp::Range { start: convert(span.start), end: convert(span.end) }
}

/// A finding as an LSP diagnostic: range, severity, the rule as code, the documentation link
/// as `codeDescription` (rules only; the built-in findings have no page), the help after the
/// message, labels as related information.
fn to_lsp(source: &SourceFile, uri: &lsp::Uri, d: &Diagnostic, e: Encoding) -> lsp::Diagnostic {
    let severity = match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    };
    let code_description = rules::find(d.rule)
        .and_then(|_| lsp::Uri::from_str(&doc_url(d.rule)).ok())
        .map(|href| lsp::CodeDescription { href });
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location { uri: uri.clone(), range: range(source, l.span, e) },
            message: l.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: range(source, d.span, e),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description,
        source: Some("edgelint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

fn publish(uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) -> Message {
    let params = lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version };
    Notification::new("textDocument/publishDiagnostics".to_string(), params).into()
}

fn show_message(typ: lsp::MessageType, message: String) -> Message {
    Notification::new("window/showMessage".to_string(), lsp::ShowMessageParams { typ, message })
        .into()
}

/// The parameters of a request or notification, or the error to answer with.
fn params<T: serde::de::DeserializeOwned>(
    message: impl Into<Message>,
) -> Result<T, (ErrorCode, String)> {
    let value = match message.into() {
        Message::Request(r) => r.params,
        Message::Notification(n) => n.params,
        Message::Response(_) => serde_json::Value::Null,
    };
    serde_json::from_value(value).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
