//! `quantdesk_perp` run natively for the test RPC node.
//!
//! The SBF toolchain cannot be installed here, so LiteSVM (behind the Python test node in
//! `tests/solana_rpc/`) cannot load the program. This library runs a whole transaction
//! addressed to it in the native runtime the program's own tests use
//! (`quantdesk_perp/tests/runtime/`, compiled in from there, not copied): the program's
//! `entrypoint` over the loader's serialised input, System, SPL Token and Associated Token
//! Account instructions and invocations served natively. The Python side passes the accounts' state in and writes
//! the changed accounts back to LiteSVM.
//!
//! C ABI (`ffi`): `qd_process_transaction(request_json) -> response_json`, `qd_free`,
//! `qd_program_id`. The JSON is described in `wire`.

#[path = "../../quantdesk_perp/tests/runtime/mod.rs"]
mod runtime;

pub mod execute;
pub mod ffi;
pub mod wire;

pub use execute::{process_transaction, runs_program};
pub use ffi::process_json;
pub use wire::{TransactionRequest, TransactionResponse, WireAccount, WireInstruction, WireMeta};
