//! Generates the program's IDL from its source, in the legacy (pre-Anchor-0.30) format
//! that anchorpy 0.21 reads, with anchor-syn's own parser (what `anchor idl parse` runs).

use std::path::{Path, PathBuf};

/// The program's crate root.
pub fn program_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../quantdesk_perp/src/lib.rs")
}

/// Where the generated IDL is committed.
pub fn committed_idl() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl/quantdesk_perp.json")
}

/// The IDL of the program at `source`, as pretty JSON with a final newline.
pub fn generate(source: &Path) -> anyhow_free::Result<String> {
    let idl = anchor_syn::idl::parse::file::parse(source, version(), false, false, false)
        .map_err(|e| format!("{}: {e}", source.display()))?;
    let mut text = serde_json::to_string_pretty(&idl).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn version() -> String {
    "0.1.0".to_string()
}

/// Errors as plain sentences.
pub mod anyhow_free {
    /// A result whose error is a sentence.
    pub type Result<T> = std::result::Result<T, String>;
}
