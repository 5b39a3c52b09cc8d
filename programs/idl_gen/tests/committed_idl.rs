//! The committed IDL is what the program's source generates today.

#[test]
fn the_committed_idl_is_up_to_date() {
    let generated = idl_gen::generate(&idl_gen::program_source()).unwrap();
    let committed = std::fs::read_to_string(idl_gen::committed_idl()).unwrap_or_default();
    assert!(
        committed == generated,
        "programs/idl/quantdesk_perp.json is out of date: run `cargo run -p idl_gen` in programs/"
    );
}
