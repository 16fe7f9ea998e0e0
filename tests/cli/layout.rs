//! The shape of the code, kept as the README describes it: the modules'
//! `use` graph has no cycle, and the domain's words live in `config/`, not
//! in Rust literals.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::repo;

/// Every `.rs` file under `src/`, with its module path (`parse::solve`).
fn modules() -> Vec<(PathBuf, Vec<String>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = repo().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                parts.pop();
            }
            (path, parts)
        })
        .collect()
}

/// The code of a file without its unit tests and comments.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_modules_depend_on_each_other_without_a_cycle() {
    let modules = modules();
    let known: BTreeSet<&[String]> = modules.iter().map(|(_, m)| m.as_slice()).collect();
    // The module a path names: its longest prefix that is a module.
    let resolve = |path: &[String]| -> Option<Vec<String>> {
        (1..=path.len()).rev().map(|n| &path[..n]).find(|p| known.contains(p)).map(<[String]>::to_vec)
    };
    // Edges between modules at each depth of the tree, parents and children aside.
    let mut edges: BTreeMap<usize, BTreeSet<(String, String)>> = BTreeMap::new();
    for (path, module) in &modules {
        let code = code(path);
        let mut named: Vec<Vec<String>> = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let prefix: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let base: Vec<String> = prefix.split("::").filter(|p| !p.is_empty()).map(str::to_string).collect();
            // `crate::a::{b, c::d}` names a::b and a::c::d.
            if let Some(group) = rest[prefix.len()..].strip_prefix('{') {
                for item in group.split('}').next().unwrap_or_default().split(',') {
                    let item: Vec<String> = item.trim().split("::").map(|p| p.trim().to_string()).collect();
                    named.push(base.iter().cloned().chain(item).collect());
                }
            }
            named.push(base);
        }
        let parent = &module[..module.len().saturating_sub(1)];
        for (at, _) in code.match_indices("super::") {
            let rest = &code[at + "super::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            named.push(parent.iter().cloned().chain([name]).collect());
        }
        for target in named.iter().filter_map(|n| resolve(n)) {
            let target = target.as_slice();
            for depth in 1..=module.len().max(target.len()) {
                let (from, to) = (&module[..depth.min(module.len())], &target[..depth.min(target.len())]);
                let nested = from.starts_with(to) || to.starts_with(from);
                if !nested {
                    edges.entry(depth).or_default().insert((from.join("::"), to.join("::")));
                }
            }
        }
    }
    for (depth, edges) in &edges {
        let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, to) in edges {
            graph.entry(from).or_default().push(to);
        }
        // Depth-first search; a node met again while on the path closes a cycle.
        fn visit<'a>(
            node: &'a str,
            graph: &BTreeMap<&'a str, Vec<&'a str>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) -> Option<Vec<&'a str>> {
            if let Some(start) = path.iter().position(|n| *n == node) {
                return Some(path[start..].iter().copied().chain([node]).collect());
            }
            if !done.insert(node) {
                return None;
            }
            path.push(node);
            for next in graph.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(next, graph, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        for node in graph.keys() {
            let cycle = visit(node, &graph, &mut Vec::new(), &mut done);
            assert!(cycle.is_none(), "modules at depth {depth} depend in a cycle: {}", cycle.unwrap().join(" → "));
        }
    }
    // The test reads the tree: it saw the stages and their folders.
    assert!(edges[&1].contains(&("report".to_string(), "parse".to_string())), "{edges:?}");
    assert!(edges[&2].contains(&("parse::solve".to_string(), "parse::align".to_string())), "{edges:?}");
}

#[test]
fn the_domains_words_are_in_config_not_in_code() {
    let is_cjk = |c: char| matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}');
    let mut found = Vec::new();
    for (path, _) in modules() {
        for (n, line) in code(&path).lines().enumerate() {
            if line.chars().any(is_cjk) {
                found.push(format!("{}:{}: {}", path.strip_prefix(repo()).unwrap().display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "CJK text in code (move it to config/words.toml):\n{}", found.join("\n"));
}
