//! A native Solana runtime for the program's instruction tests.
//!
//! The SBF toolchain cannot be installed here, so the program is run on the host the way
//! the loader runs it: accounts are serialised into the loader's input format and the
//! program's own `entrypoint` symbol is called on that buffer; what it wrote (lamports,
//! data, owner, reallocations) is read back from the buffer. Cross-program invocations go
//! through `solana_program`'s syscall stubs to the System and Associated Token Account
//! programs (implemented here) and to the real SPL Token processor, with the runtime's
//! signer and writability checks.
//! A transaction applies all of its instructions or none. Logs are recorded as a Solana
//! node prints them (`Program <id> invoke [1]`, `Program log: ...`, `Program data: ...`).
//!
//! `programs/native_runtime` builds this same source into the library the Python test
//! node runs the program with (the harness is test-only).

#![allow(dead_code)]

pub mod associated_token;
pub mod buffer;
#[cfg(test)]
pub mod harness;
pub mod stubs;
pub mod system;

use std::cell::RefCell;
use std::collections::HashMap;

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::system_program;

/// One account as the ledger holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountData {
    pub lamports: u64,
    pub data: Vec<u8>,
    pub owner: Pubkey,
    pub executable: bool,
}

thread_local! {
    /// The cluster's unix time, as `Clock::get()` reads it.
    pub static UNIX_TIME: RefCell<i64> = const { RefCell::new(1_767_225_600) };
    /// Program logs and events of the current transaction.
    pub static LOGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Accounts, time, and the programs that can run.
pub struct Runtime {
    pub accounts: HashMap<Pubkey, AccountData>,
}

/// Why a transaction failed: the instruction's position and its error.
#[derive(Debug, PartialEq, Eq)]
pub struct TransactionError {
    pub index: usize,
    pub error: ProgramError,
}

impl TransactionError {
    /// The program's custom error code, if that is what failed.
    pub fn custom_code(&self) -> Option<u32> {
        match self.error {
            ProgramError::Custom(code) => Some(code),
            _ => None,
        }
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with the program, the System and SPL Token programs.
    pub fn new() -> Self {
        stubs::install();
        let mut accounts = HashMap::new();
        for program in [quantdesk_perp::ID, system_program::ID, spl_token::ID] {
            accounts.insert(
                program,
                AccountData { lamports: 1, data: Vec::new(), owner: Pubkey::new_unique(), executable: true },
            );
        }
        Self { accounts }
    }

    /// Set the cluster's unix time.
    pub fn set_time(&self, unix_time: i64) {
        UNIX_TIME.with(|t| *t.borrow_mut() = unix_time);
    }

    /// The cluster's unix time.
    pub fn time(&self) -> i64 {
        UNIX_TIME.with(|t| *t.borrow())
    }

    /// Give `key` lamports (a funded fee payer or wallet).
    pub fn airdrop(&mut self, key: &Pubkey, lamports: u64) {
        let account = self
            .accounts
            .entry(*key)
            .or_insert_with(|| AccountData { owner: system_program::ID, ..Default::default() });
        account.lamports += lamports;
    }

    /// The account at `key` (an empty system account if none).
    pub fn account(&self, key: &Pubkey) -> AccountData {
        self.accounts
            .get(key)
            .cloned()
            .unwrap_or(AccountData { owner: system_program::ID, ..Default::default() })
    }

    /// Run `instructions` as one transaction signed by the accounts their metas mark as
    /// signers; all or nothing.
    pub fn transact(&mut self, instructions: &[Instruction]) -> Result<(), TransactionError> {
        LOGS.with(|l| l.borrow_mut().clear());
        let before = self.accounts.clone();
        for (index, instruction) in instructions.iter().enumerate() {
            if let Err(error) = self.process(instruction) {
                self.accounts = before;
                return Err(TransactionError { index, error });
            }
        }
        Ok(())
    }

    /// Run one instruction as its own transaction.
    pub fn run(&mut self, instruction: Instruction) -> Result<(), TransactionError> {
        self.transact(&[instruction])
    }

    fn process(&mut self, instruction: &Instruction) -> Result<(), ProgramError> {
        stubs::log_top_level_invoke(&instruction.program_id);
        let result = self.execute(instruction);
        stubs::log_outcome(&instruction.program_id, &result);
        result
    }

    fn execute(&mut self, instruction: &Instruction) -> Result<(), ProgramError> {
        let metas = &instruction.accounts;
        let loaded: Vec<AccountData> = metas.iter().map(|m| self.account(&m.pubkey)).collect();
        stubs::CPI_WRITES.with(|w| w.borrow_mut().clear());
        let mut input = buffer::Input::serialise(instruction, &loaded);
        let result = if instruction.program_id == quantdesk_perp::ID {
            let code = unsafe { quantdesk_perp::entrypoint(input.as_mut_ptr()) };
            if code == 0 {
                Ok(())
            } else {
                Err(ProgramError::from(code))
            }
        } else {
            input.with_account_infos(stubs::dispatch)
        };
        result?;
        let after = input.read_back();
        // An account passed twice counts once; it is writable if any of its metas is.
        let first = |at: usize| metas.iter().position(|m| m.pubkey == metas[at].pubkey) == Some(at);
        let total = |accounts: &[AccountData]| -> u128 {
            accounts.iter().enumerate().filter(|(at, _)| first(*at)).map(|(_, a)| a.lamports as u128).sum()
        };
        assert_eq!(total(&loaded), total(&after), "the instruction created or destroyed lamports");
        let program = instruction.program_id;
        for (at, (meta, (old, new))) in metas.iter().zip(loaded.iter().zip(after)).enumerate() {
            if old == &new || !first(at) {
                continue;
            }
            if !metas.iter().any(|m| m.pubkey == meta.pubkey && m.is_writable) {
                return Err(ProgramError::InvalidArgument);
            }
            let by_owner = old.owner == program || old.owner == system_program::ID && old.data.is_empty();
            let by_cpi = stubs::CPI_WRITES.with(|w| w.borrow().contains(&meta.pubkey));
            if old.data != new.data && !by_owner && !by_cpi {
                return Err(ProgramError::IllegalOwner);
            }
            if new.lamports > 0
                && !new.data.is_empty()
                && !Rent::default().is_exempt(new.lamports, new.data.len())
            {
                return Err(ProgramError::AccountNotRentExempt);
            }
            self.accounts.insert(meta.pubkey, new);
        }
        Ok(())
    }

    /// The logs of the last transaction, as a Solana node prints them.
    pub fn logs(&self) -> Vec<String> {
        LOGS.with(|l| l.borrow().clone())
    }
}
