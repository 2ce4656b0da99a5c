//! The VS Code extension's `chantLsp.minimumServerVersion` (package.json) is met by this
//! server: the platform `.vsix` carries this build, so a minimum above it would make the
//! extension warn about its own bundled server.

use std::path::Path;

/// `major.minor.patch` of a semver version, with its pre-release part (empty for a release).
fn parse(v: &str) -> ((u64, u64, u64), String) {
    let (core, pre) = v.split_once('-').unwrap_or((v, ""));
    let core = core.split('+').next().unwrap_or(core);
    let n: Vec<u64> =
        core.split('.').map(|p| p.parse().unwrap_or_else(|_| panic!("not a version: {v}"))).collect();
    assert_eq!(n.len(), 3, "not a version: {v}");
    ((n[0], n[1], n[2]), pre.split('+').next().unwrap_or("").to_string())
}

#[test]
fn the_extensions_minimum_server_version_is_this_servers_or_older() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/package.json");
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("package.json")).expect("json");
    let minimum =
        package["chantLsp"]["minimumServerVersion"].as_str().expect("chantLsp.minimumServerVersion");
    let (min, min_pre) = parse(minimum);
    let (this, this_pre) = parse(env!("CARGO_PKG_VERSION"));
    // A pre-release of the same core version comes before the release.
    let older = this < min || (this == min && !this_pre.is_empty() && min_pre.is_empty());
    assert!(
        !older,
        "package.json asks for chant-lsp {minimum}, this server is {}",
        env!("CARGO_PKG_VERSION")
    );
}
