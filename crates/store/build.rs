//! Lists the migrations of each backend for `src/backends/migrations.rs`, so a new one is a new
//! file and nothing else. Refuses to build when the two backends' folders do not hold the same
//! versions, or a file is not named `NNNN_name.sql`.

use std::fmt::Write as _;
use std::path::Path;

fn list(dir: &Path) -> Vec<(i64, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the migrations folder") {
        let path = entry.expect("a migration").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".sql") else {
            continue;
        };
        let version: i64 = stem
            .split('_')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: a migration is named NNNN_name.sql"));
        found.push((version, stem.to_string()));
    }
    found.sort();
    found
}

fn main() {
    // Read when the script runs, not when it was compiled: checkouts sharing one target folder
    // share this script's binary.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("migrations");
    println!("cargo:rerun-if-changed={}", root.display());
    let sqlite = list(&root.join("sqlite"));
    let postgres = list(&root.join("postgres"));
    let versions = |l: &[(i64, String)]| l.iter().map(|(v, _)| *v).collect::<Vec<_>>();
    assert_eq!(
        versions(&sqlite),
        versions(&postgres),
        "the SQLite and PostgreSQL migrations must have the same versions"
    );
    let mut out = String::new();
    for (backend, l) in [("sqlite", &sqlite), ("postgres", &postgres)] {
        writeln!(out, "/// The {backend} migrations, in order.").unwrap();
        writeln!(
            out,
            "pub(crate) const {}: &[(i64, &str, &str)] = &[",
            backend.to_uppercase()
        )
        .unwrap();
        for (version, stem) in l.iter() {
            // The path is the crate's own at compile time, not this script's run: several
            // checkouts sharing one CARGO_TARGET_DIR (CI's clean clone beside a working copy)
            // share this generated file, and each must include its own migrations.
            writeln!(
                out,
                "    ({version}, {stem:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/migrations/{backend}/{stem}.sql\"))),"
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(dest, out).unwrap();
}
