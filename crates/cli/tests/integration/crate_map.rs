//! The README's list of what each crate depends on is the truth of the
//! Cargo.toml files: every workspace crate is listed, with exactly the
//! workspace crates its `[dependencies]` name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Workspace crates a Cargo.toml's `[dependencies]` section names.
fn dependencies(manifest: &str, crates: &BTreeSet<String>) -> BTreeSet<String> {
    let mut inside = false;
    let mut found = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        let name = line.split(|c: char| c == '=' || c == '.' || c.is_whitespace()).next().unwrap_or("");
        if inside && crates.contains(name) {
            found.insert(name.to_owned());
        }
    }
    found
}

#[test]
fn the_readme_names_each_crates_dependencies_as_its_manifest_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crates: BTreeSet<String> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let manifests: BTreeMap<String, BTreeSet<String>> = crates
        .iter()
        .map(|c| {
            let text = std::fs::read_to_string(root.join("crates").join(c).join("Cargo.toml")).unwrap();
            (c.clone(), dependencies(&text, &crates))
        })
        .collect();

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let listed: BTreeMap<String, BTreeSet<String>> = readme
        .lines()
        .filter_map(|line| line.split_once(" <- "))
        .filter(|(name, _)| crates.contains(name.trim()))
        .map(|(name, deps)| {
            let deps = deps.split(',').map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect();
            (name.trim().to_owned(), deps)
        })
        .collect();
    // Crates with no workspace dependency (messages) are not listed.
    let expected: BTreeMap<String, BTreeSet<String>> =
        manifests.into_iter().filter(|(_, deps)| !deps.is_empty()).collect();
    assert_eq!(listed, expected, "README.md's crate list against the Cargo.toml files");
}
