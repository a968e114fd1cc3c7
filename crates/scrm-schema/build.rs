//! Embeds every `.avsc` under `schemas/` (current) and `schemas/released/<version>/`
//! (what earlier releases wrote) so the binary needs no schema files at run time and a new
//! release only has to copy its schemas into a folder.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn avsc_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "avsc"))
        .collect();
    files.sort();
    files
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("../../schemas")
        .canonicalize()
        .expect("schemas/ folder next to crates/");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut out = String::from(
        "/// (release, file name, schema text); release \"current\" is this build's.\n",
    );
    out.push_str("pub(crate) const EMBEDDED: &[(&str, &str, &str)] = &[\n");
    let mut add = |release: &str, path: &Path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name");
        writeln!(
            out,
            "    ({release:?}, {name:?}, include_str!({:?})),",
            path.display()
        )
        .expect("write to string");
    };
    for path in avsc_files(&root) {
        add("current", &path);
    }
    let released = root.join("released");
    println!("cargo:rerun-if-changed={}", released.display());
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&released)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    for dir in versions {
        println!("cargo:rerun-if-changed={}", dir.display());
        let version = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 dir")
            .to_owned();
        for path in avsc_files(&dir) {
            add(&version, &path);
        }
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("embedded_schemas.rs");
    std::fs::write(dest, out).expect("write embedded_schemas.rs");
}
