//! The JSON the bridge reads and writes: a transaction's instructions with the state of
//! every account they reference, and what running them did. Public keys are base58, byte
//! strings base64, as in Solana's JSON RPC.

use std::collections::BTreeMap;
use std::str::FromStr;

use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::pubkey::Pubkey;
use base64::prelude::{Engine, BASE64_STANDARD};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runtime::AccountData;

/// One account's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireAccount {
    pub lamports: u64,
    /// Base64.
    pub data: String,
    /// Base58.
    pub owner: String,
    pub executable: bool,
}

/// One account an instruction passes, with the transaction's flags for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMeta {
    pub pubkey: String,
    pub is_signer: bool,
    pub is_writable: bool,
}

/// One instruction of the transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireInstruction {
    pub program_id: String,
    pub accounts: Vec<WireMeta>,
    /// Base64.
    pub data: String,
}

/// A transaction to run: the cluster's unix time, the instructions in order, and the
/// current state of every account they reference (by base58 key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionRequest {
    pub unix_time: i64,
    pub instructions: Vec<WireInstruction>,
    pub accounts: BTreeMap<String, WireAccount>,
}

/// What running a transaction did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TransactionResponse {
    /// Every instruction succeeded: the new state of each account that changed, and the logs.
    Success { accounts: BTreeMap<String, WireAccount>, logs: Vec<String> },
    /// An instruction failed, so nothing changed: the error in the RPC's JSON shape
    /// (`{"InstructionError": [index, {"Custom": 6006}]}`) and the logs up to the failure.
    Failed { error: Value, logs: Vec<String> },
    /// The bridge could not run the transaction at all (a malformed request, a program it
    /// cannot run, a panic): no verdict of the chain, a fault of the caller or the bridge.
    Refused { reason: String },
}

/// A base58 public key, or why it is not one.
pub fn pubkey(text: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(text).map_err(|_| format!("{text:?} is not a base58 public key"))
}

fn bytes(text: &str, what: &str) -> Result<Vec<u8>, String> {
    BASE64_STANDARD.decode(text).map_err(|error| format!("{what} is not base64: {error}"))
}

impl WireAccount {
    /// The account as the runtime holds it.
    pub fn decode(&self, key: &str) -> Result<AccountData, String> {
        Ok(AccountData {
            lamports: self.lamports,
            data: bytes(&self.data, &format!("the data of {key}"))?,
            owner: pubkey(&self.owner)?,
            executable: self.executable,
        })
    }

    /// The runtime's account on the wire.
    pub fn encode(account: &AccountData) -> Self {
        Self {
            lamports: account.lamports,
            data: BASE64_STANDARD.encode(&account.data),
            owner: account.owner.to_string(),
            executable: account.executable,
        }
    }
}

impl WireInstruction {
    /// The instruction as a program receives it.
    pub fn decode(&self, position: usize) -> Result<Instruction, String> {
        let accounts = self
            .accounts
            .iter()
            .map(|meta| {
                Ok(AccountMeta {
                    pubkey: pubkey(&meta.pubkey)?,
                    is_signer: meta.is_signer,
                    is_writable: meta.is_writable,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Instruction {
            program_id: pubkey(&self.program_id)?,
            accounts,
            data: bytes(&self.data, &format!("the data of instruction {position}"))?,
        })
    }
}
