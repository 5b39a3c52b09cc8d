//! The syscalls a program makes on the host: sysvars from the runtime's clock, logs kept
//! as a Solana node prints them, return data, and cross-program invocations checked
//! (PDA signatures for the calling program) and dispatched.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Once;

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::clock::Clock;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::{Instruction, InstructionError};
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::program_stubs::{set_syscall_stubs, SyscallStubs};
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::system_program;
use base64::prelude::{Engine, BASE64_STANDARD};

use super::{associated_token, system, LOGS, UNIX_TIME};

thread_local! {
    /// Accounts a cross-program invocation was allowed to write in this instruction.
    pub static CPI_WRITES: RefCell<HashSet<Pubkey>> = RefCell::new(HashSet::new());
    /// The programs running now, caller first: one for a transaction's instruction, one
    /// more per nested invocation (the log's depth).
    static RUNNING: RefCell<Vec<Pubkey>> = const { RefCell::new(Vec::new()) };
    /// The return data set since the running invocation started, and the program that set it.
    static RETURN_DATA: RefCell<Option<(Pubkey, Vec<u8>)>> = const { RefCell::new(None) };
}

fn log(line: String) {
    LOGS.with(|l| l.borrow_mut().push(line));
}

/// A builtin program's message, printed as the node prints it (no `Program log:` prefix).
pub fn log_builtin(message: String) {
    log(message);
}

fn log_invoke(program: &Pubkey, depth: usize) {
    log(format!("Program {program} invoke [{depth}]"));
}

/// A transaction's instruction addressed to `program` starts (depth 1).
pub fn log_top_level_invoke(program: &Pubkey) {
    RUNNING.with(|r| *r.borrow_mut() = vec![*program]);
    RETURN_DATA.with(|d| *d.borrow_mut() = None);
    log_invoke(program, 1);
}

fn running() -> Pubkey {
    RUNNING.with(|r| *r.borrow().last().expect("a program is running"))
}

/// How `program`'s invocation ended, as the node prints it: the return data it leaves if
/// any, then `success`, or `failed: ` and the runtime's instruction error
/// (`custom program error: 0x1776`).
pub fn log_outcome(program: &Pubkey, result: &ProgramResult) {
    if let Some((setter, data)) = RETURN_DATA.with(|d| d.borrow().clone()) {
        log(format!("Program return: {setter} {}", BASE64_STANDARD.encode(data)));
    }
    match result {
        Ok(()) => log(format!("Program {program} success")),
        Err(error) => {
            let error = InstructionError::from(u64::from(error.clone()));
            log(format!("Program {program} failed: {error}"));
        }
    }
}

struct HostStubs;

/// Install the host syscalls (once per test process).
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_syscall_stubs(Box::new(HostStubs));
    });
}

/// Run a non-program instruction (System, SPL Token or Associated Token Account) on `infos`.
pub fn dispatch(program_id: &Pubkey, infos: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if *program_id == system_program::ID {
        system::process(infos, data)
    } else if *program_id == *associated_token::ID {
        associated_token::process(infos, data)
    } else if *program_id == spl_token::ID {
        spl_token::processor::Processor::process(program_id, infos, data)
    } else {
        Err(ProgramError::IncorrectProgramId)
    }
}

fn write<T>(var_addr: *mut u8, value: T) -> u64 {
    unsafe { std::ptr::write_unaligned(var_addr as *mut T, value) };
    0
}

impl SyscallStubs for HostStubs {
    fn sol_log(&self, message: &str) {
        log(format!("Program log: {message}"));
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        let encoded: Vec<String> = fields.iter().map(|f| BASE64_STANDARD.encode(f)).collect();
        log(format!("Program data: {}", encoded.join(" ")));
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        let unix_timestamp = UNIX_TIME.with(|t| *t.borrow());
        write(var_addr, Clock { unix_timestamp, slot: unix_timestamp as u64 * 2, ..Clock::default() })
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        write(var_addr, Rent::default())
    }

    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        RETURN_DATA.with(|d| d.borrow().clone())
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        let set = (!data.is_empty()).then(|| (running(), data.to_vec()));
        RETURN_DATA.with(|d| *d.borrow_mut() = set);
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let pda_signers: Vec<Pubkey> = signers_seeds
            .iter()
            .map(|seeds| Pubkey::create_program_address(seeds, &running()))
            .collect::<Result<_, _>>()
            .map_err(|_| ProgramError::InvalidSeeds)?;
        let mut infos = Vec::with_capacity(instruction.accounts.len());
        for meta in &instruction.accounts {
            let caller = account_infos
                .iter()
                .find(|info| *info.key == meta.pubkey)
                .ok_or(ProgramError::NotEnoughAccountKeys)?;
            if meta.is_signer && !caller.is_signer && !pda_signers.contains(&meta.pubkey) {
                return Err(ProgramError::MissingRequiredSignature);
            }
            if meta.is_writable && !caller.is_writable {
                return Err(ProgramError::InvalidArgument);
            }
            if meta.is_writable {
                CPI_WRITES.with(|w| w.borrow_mut().insert(meta.pubkey));
            }
            let mut info = caller.clone();
            info.is_signer = meta.is_signer;
            info.is_writable = meta.is_writable;
            infos.push(info);
        }
        let depth = RUNNING.with(|r| {
            r.borrow_mut().push(instruction.program_id);
            r.borrow().len()
        });
        log_invoke(&instruction.program_id, depth);
        RETURN_DATA.with(|d| *d.borrow_mut() = None);
        let result = dispatch(&instruction.program_id, &infos, &instruction.data);
        log_outcome(&instruction.program_id, &result);
        RUNNING.with(|r| r.borrow_mut().pop());
        result
    }
}
