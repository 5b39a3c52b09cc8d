//! The C ABI the Python test node calls through ctypes. Every string crosses as
//! NUL-terminated UTF-8; every string returned is the caller's to give back to `qd_free`.

use std::ffi::{c_char, CStr, CString};

use crate::wire::{TransactionRequest, TransactionResponse};

fn to_c(text: String) -> *mut c_char {
    // JSON text never holds a NUL byte (serde_json escapes it as \u0000).
    CString::new(text).expect("no NUL in JSON").into_raw()
}

/// The answer to one JSON request (a `TransactionRequest`), as JSON text.
pub fn process_json(request: &str) -> String {
    let response = match serde_json::from_str::<TransactionRequest>(request) {
        Ok(request) => crate::execute::process_transaction(&request),
        Err(error) => TransactionResponse::Refused { reason: format!("not a transaction request: {error}") },
    };
    serde_json::to_string(&response).expect("a response is plain JSON")
}

/// Run the transaction `request` (JSON, see `TransactionRequest`) and answer with a
/// `TransactionResponse` as JSON.
///
/// # Safety
///
/// `request` must be null or point to a NUL-terminated string that stays valid for the
/// call. The returned string must be released with `qd_free`, once.
#[no_mangle]
pub unsafe extern "C" fn qd_process_transaction(request: *const c_char) -> *mut c_char {
    if request.is_null() {
        return to_c(process_json("null"));
    }
    let text = CStr::from_ptr(request).to_string_lossy();
    to_c(process_json(&text))
}

/// The id of the program this library runs (base58), to be released with `qd_free`.
#[no_mangle]
pub extern "C" fn qd_program_id() -> *mut c_char {
    to_c(quantdesk_perp::ID.to_string())
}

/// Release a string this library returned.
///
/// # Safety
///
/// `text` must be null or a pointer returned by this library and not yet released.
#[no_mangle]
pub unsafe extern "C" fn qd_free(text: *mut c_char) {
    if !text.is_null() {
        drop(CString::from_raw(text));
    }
}
