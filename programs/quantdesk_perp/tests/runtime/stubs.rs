//! The syscalls a program makes on the host: sysvars from the runtime's clock, logs kept
//! for the test, and cross-program invocations checked and dispatched.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Once;

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::clock::Clock;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::program_stubs::{set_syscall_stubs, SyscallStubs};
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::system_program;

use super::{system, LOGS, UNIX_TIME};

thread_local! {
    /// Accounts a cross-program invocation was allowed to write in this instruction.
    pub static CPI_WRITES: RefCell<HashSet<Pubkey>> = RefCell::new(HashSet::new());
}

struct HostStubs;

/// Install the host syscalls (once per test process).
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_syscall_stubs(Box::new(HostStubs));
    });
}

/// Run a non-program instruction (System or SPL Token) on `infos`.
pub fn dispatch(program_id: &Pubkey, infos: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if *program_id == system_program::ID {
        system::process(infos, data)
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
        LOGS.with(|l| l.borrow_mut().push(message.to_string()));
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        let hex: Vec<String> =
            fields.iter().map(|f| f.iter().map(|b| format!("{b:02x}")).collect()).collect();
        LOGS.with(|l| l.borrow_mut().push(format!("data: {}", hex.join(" "))));
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        let unix_timestamp = UNIX_TIME.with(|t| *t.borrow());
        write(var_addr, Clock { unix_timestamp, slot: unix_timestamp as u64 * 2, ..Clock::default() })
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        write(var_addr, Rent::default())
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        let pda_signers: Vec<Pubkey> = signers_seeds
            .iter()
            .map(|seeds| Pubkey::create_program_address(seeds, &quantdesk_perp::ID))
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
        dispatch(&instruction.program_id, &infos, &instruction.data)
    }
}
