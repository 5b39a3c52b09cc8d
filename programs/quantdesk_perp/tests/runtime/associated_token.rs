//! The Associated Token Account program's `Create` and `CreateIdempotent`, as its processor
//! runs them: the address checked against its derivation, the account created by System
//! invocations signed for the derived address, then initialised by SPL Token invocations.
//! Wallets put one in front of a deposit or withdrawal to open their token account.

use std::sync::LazyLock;

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::msg;
use anchor_lang::solana_program::program::{get_return_data, invoke, invoke_signed};
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::sysvar::Sysvar;
use anchor_lang::solana_program::{system_instruction, system_program};

/// The Associated Token Account program.
pub static ID: LazyLock<Pubkey> =
    LazyLock::new(|| "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL".parse().expect("a public key"));

/// `AssociatedTokenAccountError::InvalidOwner`.
const INVALID_OWNER: u32 = 0;
/// `GetAccountDataSize` asking for room for `ExtensionType::ImmutableOwner`.
const GET_ACCOUNT_DATA_SIZE_IMMUTABLE_OWNER: [u8; 3] = [21, 7, 0];
const INITIALIZE_IMMUTABLE_OWNER: u8 = 22;

/// Run one instruction of the program on `accounts`.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let idempotent = match data {
        [] | [0] => {
            msg!("Create");
            false
        }
        [1] => {
            msg!("CreateIdempotent");
            true
        }
        _ => {
            msg!("only Create and CreateIdempotent are served by the native runtime");
            return Err(ProgramError::InvalidInstructionData);
        }
    };
    let [funder, account, wallet, mint, system, token, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let seeds = [wallet.key.as_ref(), token.key.as_ref(), mint.key.as_ref()];
    let (address, bump) = Pubkey::find_program_address(&seeds, &ID);
    if address != *account.key {
        msg!("Error: Associated address does not match seed derivation");
        return Err(ProgramError::InvalidSeeds);
    }
    if idempotent && account.owner == token.key {
        if let Ok(existing) = spl_token::state::Account::unpack(&account.data.borrow()) {
            if existing.owner != *wallet.key {
                msg!("Associated token account owner does not match address derivation");
                return Err(ProgramError::Custom(INVALID_OWNER));
            }
            if existing.mint != *mint.key {
                return Err(ProgramError::InvalidAccountData);
            }
            return Ok(());
        }
    }
    if *account.owner != system_program::ID {
        return Err(ProgramError::IllegalOwner);
    }
    let size = Instruction {
        program_id: *token.key,
        accounts: vec![AccountMeta::new_readonly(*mint.key, false)],
        data: GET_ACCOUNT_DATA_SIZE_IMMUTABLE_OWNER.to_vec(),
    };
    invoke(&size, &[mint.clone(), token.clone()])?;
    let space = match get_return_data() {
        Some((program, bytes)) if program == *token.key => {
            usize::from_le_bytes(bytes.try_into().map_err(|_| ProgramError::InvalidInstructionData)?)
        }
        _ => return Err(ProgramError::InvalidInstructionData),
    };
    let bump = [bump];
    let signer: &[&[u8]] = &[seeds[0], seeds[1], seeds[2], &bump];
    create_pda_account(funder, account, system, token.key, space, signer)?;
    msg!("Initialize the associated token account");
    let immutable = Instruction {
        program_id: *token.key,
        accounts: vec![AccountMeta::new(*account.key, false)],
        data: vec![INITIALIZE_IMMUTABLE_OWNER],
    };
    invoke(&immutable, &[account.clone(), token.clone()])?;
    let initialize =
        spl_token::instruction::initialize_account3(token.key, account.key, mint.key, wallet.key)?;
    invoke(&initialize, &[account.clone(), mint.clone(), wallet.clone(), token.clone()])
}

fn create_pda_account<'a>(
    funder: &AccountInfo<'a>,
    account: &AccountInfo<'a>,
    system: &AccountInfo<'a>,
    owner: &Pubkey,
    space: usize,
    signer: &[&[u8]],
) -> ProgramResult {
    let lamports = Rent::get()?.minimum_balance(space).max(1);
    if account.lamports() == 0 {
        let create =
            system_instruction::create_account(funder.key, account.key, lamports, space as u64, owner);
        return invoke_signed(&create, &[funder.clone(), account.clone(), system.clone()], &[signer]);
    }
    let missing = lamports.saturating_sub(account.lamports());
    if missing > 0 {
        let transfer = system_instruction::transfer(funder.key, account.key, missing);
        invoke(&transfer, &[funder.clone(), account.clone(), system.clone()])?;
    }
    let allocate = system_instruction::allocate(account.key, space as u64);
    invoke_signed(&allocate, &[account.clone(), system.clone()], &[signer])?;
    let assign = system_instruction::assign(account.key, owner);
    invoke_signed(&assign, &[account.clone(), system.clone()], &[signer])
}
