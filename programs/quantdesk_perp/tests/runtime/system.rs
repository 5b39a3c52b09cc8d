//! The System program's instructions that programs invoke: create, transfer, allocate,
//! assign, applied to the caller's account infos as the runtime would, with its errors
//! (`SystemError` codes) and messages.

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::program_error::ProgramError;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::system_instruction::SystemInstruction;
use anchor_lang::solana_program::system_program;

use super::stubs::log_builtin;

/// `SystemError::AccountAlreadyInUse`.
const ACCOUNT_ALREADY_IN_USE: u32 = 0;
/// `SystemError::ResultWithNegativeLamports`.
const RESULT_WITH_NEGATIVE_LAMPORTS: u32 = 1;

/// Apply one System instruction to `accounts` (in the instruction's order).
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let instruction: SystemInstruction = bincode_decode(data)?;
    match instruction {
        SystemInstruction::CreateAccount { lamports, space, owner } => {
            let (from, to) = (&accounts[0], &accounts[1]);
            if !from.is_signer || !to.is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            if to.lamports() > 0 || !to.data_is_empty() || *to.owner != system_program::ID {
                let step = if to.lamports() > 0 { "Create Account" } else { "Allocate" };
                log_builtin(format!(
                    "{step}: account Address {{ address: {}, base: None }} already in use",
                    to.key
                ));
                return Err(ProgramError::Custom(ACCOUNT_ALREADY_IN_USE));
            }
            move_lamports(from, to, lamports)?;
            to.realloc(space as usize, true)?;
            to.assign(&owner);
            Ok(())
        }
        SystemInstruction::Transfer { lamports } => {
            if !accounts[0].is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            move_lamports(&accounts[0], &accounts[1], lamports)
        }
        SystemInstruction::Allocate { space } => {
            let account = &accounts[0];
            if !account.is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            account.realloc(space as usize, true)
        }
        SystemInstruction::Assign { owner } => {
            let account = &accounts[0];
            if !account.is_signer {
                return Err(ProgramError::MissingRequiredSignature);
            }
            account.assign(&owner);
            Ok(())
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

fn move_lamports(from: &AccountInfo, to: &AccountInfo, lamports: u64) -> ProgramResult {
    let mut source = from.try_borrow_mut_lamports()?;
    if **source < lamports {
        log_builtin(format!(
            "Transfer: `from` account {} has insufficient lamports, need {lamports}",
            from.key
        ));
        return Err(ProgramError::Custom(RESULT_WITH_NEGATIVE_LAMPORTS));
    }
    **source -= lamports;
    **to.try_borrow_mut_lamports()? += lamports;
    Ok(())
}

/// System instructions are bincode: a u32 variant tag then the fields, little-endian.
fn bincode_decode(data: &[u8]) -> Result<SystemInstruction, ProgramError> {
    let tag =
        u32::from_le_bytes(data.get(..4).ok_or(ProgramError::InvalidInstructionData)?.try_into().unwrap());
    let u64_at = |at: usize| -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(
            data.get(at..at + 8).ok_or(ProgramError::InvalidInstructionData)?.try_into().unwrap(),
        ))
    };
    let key_at = |at: usize| -> Result<Pubkey, ProgramError> {
        Ok(Pubkey::new_from_array(
            data.get(at..at + 32).ok_or(ProgramError::InvalidInstructionData)?.try_into().unwrap(),
        ))
    };
    Ok(match tag {
        0 => {
            SystemInstruction::CreateAccount { lamports: u64_at(4)?, space: u64_at(12)?, owner: key_at(20)? }
        }
        1 => SystemInstruction::Assign { owner: key_at(4)? },
        2 => SystemInstruction::Transfer { lamports: u64_at(4)? },
        8 => SystemInstruction::Allocate { space: u64_at(4)? },
        _ => return Err(ProgramError::InvalidInstructionData),
    })
}
