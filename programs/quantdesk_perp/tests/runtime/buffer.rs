//! The loader's input buffer: accounts serialised as the runtime hands them to a program
//! (aligned loader format of `solana_program::entrypoint::deserialize`), and read back.

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::entrypoint::{
    deserialize, ProgramResult, MAX_PERMITTED_DATA_INCREASE, NON_DUP_MARKER,
};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::pubkey::Pubkey;

use super::AccountData;

/// Where one (non-duplicate) account sits in the buffer.
struct Slot {
    owner: usize,
    lamports: usize,
    data_len: usize,
    executable: bool,
    /// The first occurrence of this key, for duplicates.
    first: Option<usize>,
}

/// A serialised instruction input, 8-byte aligned.
pub struct Input {
    words: Vec<u64>,
    slots: Vec<Slot>,
}

impl Input {
    /// Serialise `instruction` with the current state of its accounts.
    pub fn serialise(instruction: &Instruction, accounts: &[AccountData]) -> Self {
        let mut bytes: Vec<u8> = Vec::new();
        let mut slots = Vec::new();
        bytes.extend((instruction.accounts.len() as u64).to_le_bytes());
        for (position, (meta, account)) in instruction.accounts.iter().zip(accounts).enumerate() {
            let first = instruction.accounts[..position].iter().position(|m| m.pubkey == meta.pubkey);
            if let Some(first) = first {
                bytes.push(first as u8);
                bytes.extend([0u8; 7]);
                slots.push(Slot {
                    owner: 0,
                    lamports: 0,
                    data_len: 0,
                    executable: false,
                    first: Some(first),
                });
                continue;
            }
            bytes.push(NON_DUP_MARKER);
            let signer = instruction.accounts.iter().any(|m| m.pubkey == meta.pubkey && m.is_signer);
            let writable = instruction.accounts.iter().any(|m| m.pubkey == meta.pubkey && m.is_writable);
            bytes.extend([signer as u8, writable as u8, account.executable as u8]);
            bytes.extend((account.data.len() as u32).to_le_bytes());
            bytes.extend(meta.pubkey.to_bytes());
            let owner = bytes.len();
            bytes.extend(account.owner.to_bytes());
            let lamports = bytes.len();
            bytes.extend(account.lamports.to_le_bytes());
            let data_len = bytes.len();
            bytes.extend((account.data.len() as u64).to_le_bytes());
            bytes.extend(&account.data);
            bytes.extend(std::iter::repeat_n(0u8, MAX_PERMITTED_DATA_INCREASE));
            while !bytes.len().is_multiple_of(8) {
                bytes.push(0);
            }
            bytes.extend(u64::MAX.to_le_bytes()); // rent epoch: exempt
            slots.push(Slot { owner, lamports, data_len, executable: account.executable, first: None });
        }
        bytes.extend((instruction.data.len() as u64).to_le_bytes());
        bytes.extend(&instruction.data);
        bytes.extend(instruction.program_id.to_bytes());
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        let view = unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, bytes.len()) };
        view.copy_from_slice(&bytes);
        Self { words, slots }
    }

    /// The buffer's start, for the program's entrypoint.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.words.as_mut_ptr() as *mut u8
    }

    /// Run `run` on the account infos the loader would build from this buffer.
    pub fn with_account_infos(
        &mut self,
        run: impl FnOnce(&Pubkey, &[AccountInfo], &[u8]) -> ProgramResult,
    ) -> ProgramResult {
        let (program_id, infos, data) = unsafe { deserialize(self.as_mut_ptr()) };
        run(program_id, &infos, data)
    }

    /// Every account's state as the program left it.
    pub fn read_back(&self) -> Vec<AccountData> {
        let bytes =
            unsafe { std::slice::from_raw_parts(self.words.as_ptr() as *const u8, self.words.len() * 8) };
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        let mut accounts: Vec<AccountData> = Vec::new();
        for slot in &self.slots {
            if let Some(first) = slot.first {
                accounts.push(accounts[first].clone());
                continue;
            }
            let len = u64_at(slot.data_len) as usize;
            let start = slot.data_len + 8;
            accounts.push(AccountData {
                lamports: u64_at(slot.lamports),
                data: bytes[start..start + len].to_vec(),
                owner: Pubkey::new_from_array(bytes[slot.owner..slot.owner + 32].try_into().unwrap()),
                executable: slot.executable,
            });
        }
        accounts
    }
}
