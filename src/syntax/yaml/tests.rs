use super::*;

fn parse(text: &str) -> YamlStream {
    parse_stream(text, &Limits::default())
}

/// The text a span covers.
fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn root(stream: &YamlStream) -> NodeRef<'_> {
    stream.documents[0].root().expect("a root node")
}

fn value<'a>(node: NodeRef<'a>, key: &str) -> NodeRef<'a> {
    node.get(key).unwrap_or_else(|| panic!("no key {key}")).value
}

#[test]
fn spans_are_byte_exact_after_multibyte_text() {
    let text = "é€: \"ünï\"\nname: plain value\nq: 'x y'\nflow: [a, {b: c}]\nblock:\n  - 1\n  - two\nlit: |\n  line1\n  line2\n\nnext: 1\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    let e = r.get("é€").unwrap();
    assert_eq!(at(text, e.key.span()), "é€");
    assert_eq!(e.key.span(), Span::new(0, 5));
    assert_eq!(at(text, e.value.span()), "\"ünï\"");
    assert_eq!(e.value.as_str(), Some("ünï"));
    let name = r.get("name").unwrap();
    assert_eq!(at(text, name.key.span()), "name");
    assert_eq!(at(text, name.value.span()), "plain value");
    assert_eq!(at(text, value(r, "q").span()), "'x y'");
    let flow = value(r, "flow");
    assert_eq!(at(text, flow.span()), "[a, {b: c}]");
    assert_eq!(at(text, flow.items()[1].span()), "{b: c}");
    assert_eq!(at(text, value(flow.items()[1], "b").span()), "c");
    let block = value(r, "block");
    assert_eq!(at(text, block.span()), "- 1\n  - two");
    assert_eq!(at(text, block.items()[1].span()), "two");
    let lit = value(r, "lit");
    assert_eq!(at(text, lit.span()), "|\n  line1\n  line2");
    assert_eq!(lit.as_str(), Some("line1\nline2\n"));
    assert_eq!(lit.style(), Some(ScalarStyle::Literal));
    // The root mapping ends with its last value.
    assert_eq!(r.span(), Span::new(0, text.len() - 1));
}

#[test]
fn spans_with_crlf_line_endings() {
    let text = "a: 1\r\nb: >-\r\n  x\r\n  y\r\nc: [1,\r\n  2]\r\nd:\r\n  - k\r\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    assert_eq!(value(r, "a").span(), Span::new(3, 4));
    let b = value(r, "b");
    assert_eq!(at(text, b.span()), ">-\r\n  x\r\n  y");
    assert_eq!(b.as_str(), Some("x y"));
    assert_eq!(at(text, value(r, "c").span()), "[1,\r\n  2]");
    assert_eq!(at(text, value(r, "d").span()), "- k");
    assert_eq!(value(r, "d").items()[0].as_str(), Some("k"));
}

#[test]
fn spans_after_a_byte_order_mark() {
    let text = "\u{feff}# head\nkey: value\n";
    let s = parse(text);
    assert!(s.errors.is_empty());
    let e = root(&s).get("key").unwrap();
    // The BOM is 3 bytes, "# head\n" 7.
    assert_eq!(e.key.span(), Span::new(10, 13));
    assert_eq!(at(text, e.value.span()), "value");
    let c = &s.documents[0].comments[0];
    assert_eq!(c.span, Span::new(3, 9));
    assert!(!c.trailing);
}

#[test]
fn block_scalar_spans_run_from_indicator_to_content_end() {
    let text = "a: |\nb: >+ # keep\n\nc: &x-|> |-\n  t\n\n\nd: !t |2\n    u\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    // Empty content: the header alone.
    assert_eq!(at(text, value(r, "a").span()), "|");
    assert_eq!(value(r, "a").as_str(), Some(""));
    assert_eq!(at(text, value(r, "b").span()), ">+ # keep");
    // An anchor holding `|` and `>` is not taken for the indicator.
    let c = value(r, "c");
    assert_eq!(at(text, c.span()), "|-\n  t");
    assert_eq!(c.node().anchor.as_deref(), Some("x-|>"));
    assert_eq!(at(text, value(r, "d").span()), "|2\n    u");
    assert_eq!(value(r, "d").as_str(), Some("  u\n"));
    assert_eq!(value(r, "d").tag(), Some("!t"));
}

#[test]
fn block_sequence_spans_start_at_the_first_dash() {
    let text = "k: &my-seq\n- a\n- b\nn:\n  # note - not a dash\n  - c\nm:\n- - x\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    assert_eq!(at(text, value(r, "k").span()), "- a\n- b");
    assert_eq!(value(r, "k").node().anchor.as_deref(), Some("my-seq"));
    assert_eq!(at(text, value(r, "n").span()), "- c");
    let m = value(r, "m");
    assert_eq!(at(text, m.span()), "- - x");
    assert_eq!(at(text, m.items()[0].span()), "- x");
}

#[test]
fn empty_values_are_null_right_after_the_colon() {
    let text = "a:\nb:   # c\nc: ~\nd: null\ne: \"\"\nf: !!str\n";
    let s = parse(text);
    assert!(s.errors.is_empty());
    let r = root(&s);
    let a = value(r, "a");
    assert_eq!(a.span(), Span::empty(2));
    assert!(a.is_null());
    assert_eq!(a.as_str(), None);
    assert_eq!(value(r, "b").span(), Span::empty(5));
    assert!(value(r, "b").is_null());
    assert!(value(r, "c").is_null());
    assert!(value(r, "d").is_null());
    assert!(!value(r, "e").is_null());
    assert_eq!(value(r, "e").as_str(), Some(""));
    // A tagged empty scalar is a string, not null.
    assert!(!value(r, "f").is_null());
    assert_eq!(value(r, "f").as_str(), Some(""));
}

#[test]
fn anchors_aliases_and_tags() {
    let text = "base: &b !Ref name\nuse: *b\ns: !!str 42\nv: !<tag:yaml.org,2002:str> w\nbin: !!binary aGk=\nfoo: !Foo bar\n";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    let base = value(r, "base");
    assert_eq!(base.node().anchor.as_deref(), Some("b"));
    assert_eq!(base.node().tag.as_deref(), Some("!Ref"));
    assert_eq!(at(text, base.span()), "name");
    let used = value(r, "use");
    assert!(used.is_alias());
    assert_eq!(at(text, used.span()), "*b");
    assert_eq!(used.resolve().id(), base.id());
    assert_eq!(used.as_str(), Some("name"));
    assert_eq!(used.tag(), Some("!Ref"));
    assert_eq!(value(r, "s").tag(), Some("!!str"));
    assert_eq!(value(r, "s").as_i64(), None);
    assert_eq!(value(r, "v").tag(), Some("!<tag:yaml.org,2002:str>"));
    assert_eq!(value(r, "bin").tag(), Some("!!binary"));
    assert_eq!(value(r, "foo").tag(), Some("!Foo"));
    assert_eq!(value(r, "foo").as_str(), Some("bar"));
}

#[test]
fn unknown_anchor_is_an_alias_without_target_and_an_error() {
    let text = "a: *nope\nb: 1\n";
    let s = parse(text);
    let r = root(&s);
    let a = value(r, "a");
    assert_eq!(a.node().kind, NodeKind::Alias { target: None });
    assert_eq!(a.as_str(), None);
    assert_eq!(value(r, "b").as_i64(), Some(1));
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "unknown anchor `nope`");
    assert_eq!(s.errors[0].span, Span::new(3, 8));
    assert_eq!(s.errors[0].document_index, Some(0));
}

#[test]
fn merge_keys_single_sequence_inline_and_nested() {
    let text = "\
a: &a {x: a1, y: a2}
b: &b {y: b2, z: b3}
c: &c
  <<: *a
  w: c4
one:
  <<: *a
  x: own
two:
  <<: [*a, *b]
inline:
  <<: {q: 1}
nested:
  <<: *c
";
    let s = parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = root(&s);
    let one = value(r, "one");
    // Own keys win, wherever they are written.
    assert_eq!(value(one, "x").as_str(), Some("own"));
    assert_eq!(at(text, value(one, "x").span()), "own");
    assert_eq!(value(one, "y").as_str(), Some("a2"));
    let keys: Vec<_> = one.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
    assert_eq!(keys, ["x", "y"]);
    let two = value(r, "two");
    // The earlier mapping in the list wins.
    assert_eq!(value(two, "y").as_str(), Some("a2"));
    assert_eq!(value(two, "z").as_str(), Some("b3"));
    let keys: Vec<_> = two.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
    assert_eq!(keys, ["x", "y", "z"]);
    // A merged entry's spans point into the mapping it comes from.
    assert_eq!(at(text, two.get("z").unwrap().value.span()), "b3");
    assert_eq!(two.get("z").unwrap().value.span().start, text.find("b3").unwrap());
    assert_eq!(value(value(r, "inline"), "q").as_i64(), Some(1));
    // Merges of merges.
    let nested = value(r, "nested");
    assert_eq!(value(nested, "w").as_str(), Some("c4"));
    assert_eq!(value(nested, "x").as_str(), Some("a1"));
    let keys: Vec<_> = nested.entries().iter().map(|e| e.key.as_str().unwrap()).collect();
    assert_eq!(keys, ["w", "x", "y"]);
    assert!(nested.get("<<").is_none());
}

#[test]
fn invalid_merge_value_is_an_error() {
    let s = parse("a: &a 1\nb:\n  <<: *a\n");
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "merge key `<<` needs a mapping or a list of mappings");
    assert_eq!(s.errors[0].span, Span::new(17, 19));
}

#[test]
fn self_referencing_merge_terminates() {
    let s = parse("a: &a\n  x: 1\n  <<: *a\n");
    let a = value(root(&s), "a");
    assert_eq!(value(a, "x").as_i64(), Some(1));
    assert!(a.get("y").is_none());
    assert_eq!(a.entries().len(), 1);
}

#[test]
fn billion_laughs_is_stored_not_expanded() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let start = std::time::Instant::now();
    // The default limits call it a bomb (see the next test); without that check the tree
    // still holds only what is written.
    let unchecked = Limits { max_alias_nodes: usize::MAX, ..Limits::default() };
    let s = parse_stream(&text, &unchecked);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let doc = &s.documents[0];
    // 9 keys, 9 sequences, 9 items each (lol strings or aliases), plus the root.
    assert_eq!(doc.nodes().len(), 1 + 9 * (1 + 1 + 9));
    let i = value(root(&s), "i");
    assert_eq!(i.items().len(), 9);
    assert_eq!(i.items()[0].resolve().items().len(), 9);
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn merge_bomb_lookups_are_bounded() {
    let mut text = String::from("m0: &m0 {k: v}\n");
    for level in 1..30 {
        let refs = vec![format!("*m{}", level - 1); 9].join(", ");
        text.push_str(&format!("m{level}: &m{level} {{x{level}: {level}, <<: [{refs}]}}\n"));
    }
    // With the alias-bomb check off, lookups still stay within their budget.
    let unchecked = Limits { max_alias_nodes: usize::MAX, ..Limits::default() };
    let s = parse_stream(&text, &unchecked);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let top = value(root(&s), "m29");
    let start = std::time::Instant::now();
    assert_eq!(value(top, "k").as_str(), Some("v"));
    assert!(top.get("absent").is_none());
    // x29 own, x28..x1 merged, and k.
    assert_eq!(top.entries().len(), 30);
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    // A small budget cuts a long merge chain short instead of walking it.
    let limits = Limits { max_alias_expansion: 40, ..unchecked };
    let s = parse_stream(&text, &limits);
    let top = value(root(&s), "m29");
    assert!(top.get("k").is_none());
    assert_eq!(value(top, "x28").as_i64(), Some(28));
}

#[test]
fn billion_laughs_is_an_error_and_aliases_are_not_followed() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text.push_str("---\nok: *nope\n");
    let s = in_small_stack(move || parse(&text));
    let bomb: Vec<_> = s.errors.iter().filter(|e| e.message.starts_with("alias bomb")).collect();
    assert_eq!(bomb.len(), 1, "{:?}", s.errors);
    assert_eq!(
        bomb[0].message,
        "alias bomb: aliases expand this document by more than 1000000 nodes (this alias \
         alone to 111111111); its aliases are not followed"
    );
    // The first `*h`, right after the `[` of the last line of the first document.
    let i_start = s.documents[0].root().unwrap().get("i").unwrap().value.span().start;
    assert_eq!(bomb[0].span, Span::new(i_start + 1, i_start + 3));
    assert_eq!(bomb[0].document_index, Some(0));
    let doc = &s.documents[0];
    assert!(doc.alias_bomb);
    let i = doc.root().unwrap().get("i").unwrap().value;
    assert_eq!(i.items().len(), 10);
    assert!(i.items()[0].is_alias() && !i.items()[0].is_sequence(), "not followed");
    // The next document is unaffected.
    assert!(!s.documents[1].alias_bomb);
    assert_eq!(s.errors.len(), 2, "{:?}", s.errors);
}

#[test]
fn aliases_below_the_bomb_limit_are_followed() {
    // 13 nodes that expand to 29 (16 more), then 14 that expand to 34 (20 more).
    let limits = Limits { max_alias_nodes: 18, ..Limits::default() };
    let text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a, *a]\n";
    let s = parse_stream(text, &limits);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.documents[0].root().unwrap().get("b").unwrap().value.items()[0].is_sequence());
    let text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a, *a, *a]\n";
    let s = parse_stream(text, &limits);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    assert!(s.documents[0].alias_bomb);
}

fn in_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new().stack_size(256 * 1024).spawn(f);
    thread.expect("spawn").join().expect("no stack overflow")
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for text in ["[".repeat(100_000), "- ".repeat(100_000) + "x\n", "{a: ".repeat(100_000)] {
        let s = in_small_stack(move || parse(&text));
        assert_eq!(s.errors[0].message, "nesting is deeper than 512 levels");
        assert_eq!(s.documents.len(), 1);
        assert!(s.documents[0].partial);
    }
    // Even without a depth limit, neither the parser nor the tree builder recurses.
    let s = in_small_stack(|| {
        let limits = Limits { max_depth: usize::MAX, ..Limits::default() };
        parse_stream(&("- ".repeat(100_000) + "x\n"), &limits)
    });
    assert!(s.errors.is_empty());
    assert_eq!(s.documents[0].nodes().len(), 100_001);
    let mut node = s.documents[0].root().unwrap();
    while let Some(&first) = node.items().first() {
        node = first;
    }
    assert_eq!(node.as_str(), Some("x"));
}

#[test]
fn depth_limit_counts_block_and_flow_together() {
    let limits = Limits { max_depth: 3, ..Limits::default() };
    let s = parse_stream("a:\n  b: [[x]]\n---\nok: 1\n", &limits);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "nesting is deeper than 3 levels");
    // The fourth level is the second `[`.
    assert_eq!(s.errors[0].span, Span::new(9, 10));
    assert_eq!(s.documents.len(), 2);
    assert!(s.documents[0].partial);
    assert_eq!(value(s.documents[1].root().unwrap(), "ok").as_i64(), Some(1));
}

#[test]
fn node_count_limit() {
    let limits = Limits { max_nodes: 10, ..Limits::default() };
    let s = parse_stream("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n---\n[1]\n", &limits);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "document has more than 10 nodes");
    // The 11th node is the `10`.
    assert_eq!(s.errors[0].span, Span::empty(28));
    assert_eq!(s.errors[0].document_index, Some(0));
    assert_eq!(s.documents.len(), 2);
    assert!(s.documents[0].partial);
    assert_eq!(s.documents[0].root().unwrap().items().len(), 9);
    assert_eq!(s.documents[1].root().unwrap().items().len(), 1);
}

#[test]
fn duplicate_keys_are_reported_on_the_second_key() {
    let text = "spec:\n  a: 1\n  b: 2\n  a: 3\n";
    let s = parse(text);
    assert_eq!(s.errors.len(), 1);
    let e = &s.errors[0];
    assert_eq!(e.message, "duplicate key `a`");
    assert_eq!(e.span, Span::new(22, 23));
    assert_eq!(e.related, Some(Span::new(8, 9)));
    assert_eq!(e.document_index, Some(0));
    // The document is kept; the last value is the effective one.
    let spec = value(root(&s), "spec");
    assert_eq!(value(spec, "a").as_i64(), Some(3));
    assert_eq!(spec.entries().len(), 3);
    // Quoting does not make a different key; large mappings are checked too.
    let s = parse("\"a\": 1\na: 2\n");
    assert_eq!(s.errors[0].message, "duplicate key `a`");
    let big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect::<String>() + "k7: x\n";
    let s = parse(&big);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].message, "duplicate key `k7`");
}

#[test]
fn multi_document_streams_recover_after_errors() {
    let text = "a: 1\n---\nb: [1\n---\nc: 3\n...\n---\n";
    let s = parse(text);
    assert_eq!(s.documents.len(), 4);
    let indexes: Vec<_> = s.documents.iter().map(|d| d.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3]);
    assert_eq!(s.errors.len(), 1);
    let e = &s.errors[0];
    assert_eq!(e.message, "unclosed bracket '['");
    assert_eq!(e.document_index, Some(1));
    assert_eq!(e.span, Span::new(12, 13));
    // The broken document keeps what came before the error.
    let broken = &s.documents[1];
    assert!(broken.partial);
    assert_eq!(value(broken.root().unwrap(), "b").items().len(), 0);
    assert_eq!(at(text, broken.root().unwrap().get("b").unwrap().key.span()), "b");
    assert_eq!(value(s.documents[2].root().unwrap(), "c").as_i64(), Some(3));
    assert!(!s.documents[2].partial);
    assert_eq!(at(text, s.documents[2].span), "---\nc: 3\n...");
    // `---` alone: a null root.
    assert!(s.documents[3].root().unwrap().is_null());
    assert_eq!(at(text, s.documents[0].span), "a: 1\n");
}

#[test]
fn syntax_errors_in_plain_words_at_the_offending_token() {
    let s = parse("a: b: c\n---\nd: 1\n");
    assert_eq!(s.errors[0].message, "mapping values are not allowed here");
    assert_eq!(s.errors[0].span, Span::new(4, 5));
    assert_eq!(s.documents.len(), 2);
    assert_eq!(value(s.documents[1].root().unwrap(), "d").as_i64(), Some(1));
    let text = "metadata:\n  name: @STS_NAME@\n";
    let s = parse(text);
    assert_eq!(s.errors[0].message, "unexpected character '@'");
    assert_eq!(at(text, s.errors[0].span), "@STS_NAME@");
    let s = parse("a: \"open\n");
    assert_eq!(s.errors.len(), 1);
    let m = &s.errors[0].message;
    assert!(!m.starts_with("while") && m.starts_with(|c: char| c.is_lowercase()), "{m}");
    let s = parse("- a\nb: 1\n");
    assert_eq!(s.errors[0].message, "expected a `-` sequence entry here");
    assert_eq!(s.errors[0].span, Span::new(4, 5));
    // An anchored alias is invalid YAML.
    let s = parse("x: &a 1\ne: &y *a\n");
    assert_eq!(s.errors[0].message, "expected a mapping key at this indentation");
}

#[test]
fn error_before_a_document_starts_gets_a_placeholder_document() {
    let s = parse("%YAML 1.2\n%YAML 1.2\n---\na: 1\n---\nb: 1\n");
    assert_eq!(s.errors[0].message, "duplicate version directive");
    assert_eq!(s.errors[0].document_index, Some(0));
    assert_eq!(s.documents.len(), 2);
    assert!(s.documents[0].root.is_none());
    assert_eq!(value(s.documents[1].root().unwrap(), "b").as_i64(), Some(1));
}

#[test]
fn comments_with_trailing_flags() {
    let text = "# top\nkey: value # tr\n# above\nlist:\n  - a  #x\n  # inside\nmsg: \"not # a comment\"\nlit: |\n  # content\n#last\n";
    let s = parse(text);
    assert!(s.errors.is_empty());
    let got: Vec<_> = s.documents[0]
        .comments
        .iter()
        .map(|c| (at(text, c.span), c.text.as_str(), c.trailing))
        .collect();
    assert_eq!(
        got,
        [
            ("# top", " top", false),
            ("# tr", " tr", true),
            ("# above", " above", false),
            ("#x", "x", true),
            ("# inside", " inside", false),
            ("#last", "last", false),
        ]
    );
    let lit = value(root(&s), "lit");
    assert_eq!(lit.as_str(), Some("# content\n"));
}

#[test]
fn comment_text_excludes_carriage_return() {
    let text = "a: 1 # x \r\n# y\r\n";
    let s = parse(text);
    let c = &s.documents[0].comments;
    assert_eq!(c[0].text, " x ");
    assert_eq!(at(text, c[0].span), "# x ");
    assert_eq!(c[1].text, " y");
}

#[test]
fn long_comment_blocks_parse() {
    // Comments between a key and its value are buffered by the parser while it looks
    // ahead; its default limit (96) fails on this.
    let mut text = String::from("spec:\n");
    for i in 0..300 {
        text.push_str(&format!("#  replicas: {i}\n"));
    }
    text.push_str("  containers:\n  - name: a\n");
    for i in 0..300 {
        text.push_str(&format!("  # - name: old{i}\n"));
    }
    text.push_str("  - name: b\n");
    let s = parse(&text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.documents[0].comments.len(), 600);
    assert!(s.documents[0].comments.iter().all(|c| !c.trailing));
    let containers = value(value(root(&s), "spec"), "containers");
    assert_eq!(containers.items().len(), 2);
}

#[test]
fn comments_between_documents_belong_to_the_next() {
    let text = "# zero\na: 1\n...\n# one\n---\nb: 2\n...\n# end\n";
    let s = parse(text);
    assert_eq!(s.documents.len(), 2);
    let texts = |i: usize| -> Vec<&str> {
        s.documents[i].comments.iter().map(|c| c.text.as_str()).collect()
    };
    assert_eq!(texts(0), [" zero"]);
    assert_eq!(texts(1), [" one", " end"]);
}

#[test]
fn empty_and_comment_only_streams() {
    let s = parse("");
    assert!(s.documents.is_empty() && s.errors.is_empty());
    let s = parse("# just\n# comments\n");
    assert!(s.errors.is_empty());
    assert_eq!(s.documents.len(), 1);
    assert!(s.documents[0].root().is_none());
    assert_eq!(s.documents[0].comments.len(), 2);
    let s = parse("---\n");
    assert_eq!(s.documents.len(), 1);
    let r = s.documents[0].root().unwrap();
    assert!(r.is_null());
    assert!(r.get("x").is_none());
    assert!(r.items().is_empty());
    assert!(r.entries().is_empty());
    let s = parse("\n\n   \n");
    assert!(s.documents.is_empty() && s.errors.is_empty());
}

#[test]
fn value_span_maps_value_bytes_to_source() {
    let text = "a: image:1.2\nb: \"ré:v\"\nc: \"x\\ty\"\nd: 'it''s'\ne: |\n  x\nf: one\n  two\n";
    let s = parse(text);
    let r = root(&s);
    let a = value(r, "a");
    assert_eq!(at(text, a.value_span(6..9).unwrap()), "1.2");
    let b = value(r, "b");
    assert_eq!(at(text, b.value_span(0..3).unwrap()), "ré");
    assert_eq!(b.value_span(0..99), None);
    assert_eq!(b.value_span(0..2), None); // inside `é`
    assert_eq!(value(r, "c").value_span(0..1), None);
    assert_eq!(value(r, "d").value_span(0..1), None);
    assert_eq!(value(r, "e").value_span(0..1), None);
    assert_eq!(value(r, "f").value_span(0..1), None);
}

#[test]
fn core_schema_bools_and_ints() {
    let text = "t: true\nT: True\nf: FALSE\ny: yes\nq: \"true\"\ni: 42\np: +7\nn: -3\nh: 0x1F\no: 0o17\nu: 1_000\nbig: 99999999999999999999\nx: 0xZ\ns: !!int 5\n";
    let s = parse(text);
    let r = root(&s);
    assert_eq!(value(r, "t").as_bool(), Some(true));
    assert_eq!(value(r, "T").as_bool(), Some(true));
    assert_eq!(value(r, "f").as_bool(), Some(false));
    assert_eq!(value(r, "y").as_bool(), None);
    assert_eq!(value(r, "q").as_bool(), None);
    assert_eq!(value(r, "i").as_i64(), Some(42));
    assert_eq!(value(r, "p").as_i64(), Some(7));
    assert_eq!(value(r, "n").as_i64(), Some(-3));
    assert_eq!(value(r, "h").as_i64(), Some(31));
    assert_eq!(value(r, "o").as_i64(), Some(15));
    assert_eq!(value(r, "u").as_i64(), None);
    assert_eq!(value(r, "big").as_i64(), None);
    assert_eq!(value(r, "x").as_i64(), None);
    assert_eq!(value(r, "s").as_i64(), Some(5));
    assert_eq!(value(r, "i").as_bool(), None);
}

#[test]
fn lookups_on_the_wrong_kind_are_empty() {
    let s = parse("a: [1, 2]\nb: &m {k: v}\nc: *m\n");
    let r = root(&s);
    let a = value(r, "a");
    assert!(a.is_sequence() && !a.is_mapping() && !a.is_scalar());
    assert!(a.get("k").is_none());
    assert_eq!(a.as_str(), None);
    let c = value(r, "c");
    assert!(c.is_mapping());
    assert_eq!(value(c, "k").as_str(), Some("v"));
    assert_eq!(c.entries().len(), 1);
    assert!(r.items().is_empty());
    let doc = &s.documents[0];
    assert_eq!(
        doc.node(9999).kind,
        NodeKind::Scalar { value: String::new(), style: ScalarStyle::Plain }
    );
}

/// The stream without its comments, as text to compare.
fn without_comments(mut stream: YamlStream) -> String {
    for d in &mut stream.documents {
        d.comments.clear();
    }
    format!("{stream:?}")
}

#[test]
fn skipping_comments_changes_nothing_else() {
    let mut texts: Vec<String> = [
        "# head\na: 1 # trailing\n# between\nb:\n  # inside\n  - x # item\n---\n# second\nc: {d: 1} # flow\n",
        "a: 1\n# only a comment then an error\nb: [1, 2\n---\nc: 3\n",
        "key: 'value # not a comment'\nother: \"# nor this\"\nblock: |\n  # text, not a comment\n  line\n",
        "# a document of only comments\n---\n# and another\n...\n",
        "a: &x {b: 1} # anchor\nc: *x\nd: *missing # unknown\na: 2 # duplicate\n",
    ]
    .iter()
    .map(|t| (*t).to_string())
    .collect();
    // Every YAML fixture of the repository too (suppressions, rules, formats).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("fixtures"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                texts.extend(std::fs::read_to_string(&path).ok());
            }
        }
    }
    assert!(texts.len() > 100, "fixtures found: {}", texts.len());
    for text in &texts {
        let kept = parse_stream_with(text, &Limits::default(), Comments::Keep);
        let skipped = parse_stream_with(text, &Limits::default(), Comments::Skip);
        assert!(skipped.documents.iter().all(|d| d.comments.is_empty()));
        assert_eq!(without_comments(kept), without_comments(skipped), "{text}");
    }
}
