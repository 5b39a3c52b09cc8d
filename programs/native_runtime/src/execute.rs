//! One transaction run in the native runtime: the request's accounts loaded, every
//! instruction applied or none, and the outcome in the RPC's terms.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use anchor_lang::solana_program::instruction::{Instruction, InstructionError};
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::system_program;
use serde_json::{json, Value};

use crate::runtime::{associated_token, AccountData, Runtime, TransactionError};
use crate::wire::{pubkey, TransactionRequest, TransactionResponse, WireAccount};

/// The programs the bridge runs: QuantDesk's own, the two it invokes, and the Associated
/// Token Account program wallets put in front of a deposit or withdrawal.
pub fn runs_program(program_id: &Pubkey) -> bool {
    [quantdesk_perp::ID, system_program::ID, spl_token::ID, *associated_token::ID].contains(program_id)
}

/// Run `request` as one transaction at its unix time: all of its instructions or none.
pub fn process_transaction(request: &TransactionRequest) -> TransactionResponse {
    let (instructions, accounts) = match decode(request) {
        Ok(decoded) => decoded,
        Err(reason) => return TransactionResponse::Refused { reason },
    };
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut runtime = Runtime::new();
        runtime.set_time(request.unix_time);
        runtime.accounts.extend(accounts.iter().map(|(key, account)| (*key, account.clone())));
        let outcome = runtime.transact(&instructions);
        (outcome, runtime)
    }));
    let (outcome, runtime) = match run {
        Ok(run) => run,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return TransactionResponse::Refused {
                reason: format!("the native runtime panicked: {message}"),
            };
        }
    };
    let logs = runtime.logs();
    match outcome {
        Ok(()) => {
            let changed = accounts
                .iter()
                .filter_map(|(key, before)| {
                    let after = runtime.account(key);
                    (after != *before).then(|| (key.to_string(), WireAccount::encode(&after)))
                })
                .collect();
            TransactionResponse::Success { accounts: changed, logs }
        }
        Err(failure) => TransactionResponse::Failed { error: transaction_error(&failure), logs },
    }
}

/// A failed instruction as the RPC writes it: `{"InstructionError": [index, error]}`, the
/// error being `{"Custom": code}` for a program's own error, or the runtime's name.
fn transaction_error(failure: &TransactionError) -> Value {
    let error = instruction_error(&failure.error);
    json!({ "InstructionError": [failure.index, error] })
}

fn instruction_error(error: &ProgramError) -> Value {
    let error = InstructionError::from(u64::from(error.clone()));
    serde_json::to_value(error).expect("an instruction error is plain JSON")
}

type Decoded = (Vec<Instruction>, BTreeMap<Pubkey, AccountData>);

fn decode(request: &TransactionRequest) -> Result<Decoded, String> {
    let accounts = request
        .accounts
        .iter()
        .map(|(key, account)| Ok((pubkey(key)?, account.decode(key)?)))
        .collect::<Result<BTreeMap<_, _>, String>>()?;
    let instructions = request
        .instructions
        .iter()
        .enumerate()
        .map(|(position, instruction)| instruction.decode(position))
        .collect::<Result<Vec<_>, String>>()?;
    if instructions.is_empty() {
        return Err("a transaction needs at least one instruction".to_string());
    }
    for (position, instruction) in instructions.iter().enumerate() {
        if !runs_program(&instruction.program_id) {
            return Err(format!(
                "instruction {position} is addressed to {}, which the native runtime cannot run \
                 (it runs QuantDesk, System, SPL Token and Associated Token Account \
                 instructions)",
                instruction.program_id
            ));
        }
        if let Some(meta) = instruction.accounts.iter().find(|m| !accounts.contains_key(&m.pubkey)) {
            return Err(format!(
                "instruction {position} passes {}, whose state the request does not give",
                meta.pubkey
            ));
        }
    }
    Ok((instructions, accounts))
}
