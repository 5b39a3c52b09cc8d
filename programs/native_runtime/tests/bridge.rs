//! The bridge through its JSON and C faces: transactions of QuantDesk, System and SPL Token
//! instructions run all or nothing, answered with the changed accounts, the logs a Solana
//! node prints, or the error in the RPC's JSON shape.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::str::FromStr;

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::{bpf_loader, system_instruction, system_program};
use anchor_lang::{AnchorDeserialize, Discriminator, InstructionData, ToAccountMetas};
use base64::prelude::{Engine, BASE64_STANDARD};
use native_runtime::{
    process_json, TransactionRequest, TransactionResponse, WireAccount, WireInstruction, WireMeta,
};
use quantdesk_perp::instructions::FundingRateUpdated;
use quantdesk_perp::state::MarketParams;
use serde_json::{json, Value};

const START: i64 = 1_767_225_600;
const ASSOCIATED_TOKEN: &str = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
const SOL: u64 = 1_000_000_000;

/// A tiny ledger that sends each transaction through the bridge as JSON and keeps what
/// it answers, as the Python node does with LiteSVM's accounts.
struct Chain {
    accounts: BTreeMap<String, WireAccount>,
    unix_time: i64,
}

fn program_account(loader: Pubkey) -> WireAccount {
    WireAccount { lamports: 1, data: String::new(), owner: loader.to_string(), executable: true }
}

impl Chain {
    fn new() -> Self {
        let mut accounts = BTreeMap::new();
        accounts.insert(quantdesk_perp::ID.to_string(), program_account(bpf_loader::ID));
        accounts.insert(spl_token::ID.to_string(), program_account(bpf_loader::ID));
        accounts.insert(ASSOCIATED_TOKEN.to_string(), program_account(bpf_loader::ID));
        accounts.insert(
            system_program::ID.to_string(),
            program_account(Pubkey::from_str("NativeLoader1111111111111111111111111111111").unwrap()),
        );
        Self { accounts, unix_time: START }
    }

    fn fund(&mut self, key: &Pubkey, lamports: u64) {
        self.accounts.insert(
            key.to_string(),
            WireAccount { lamports, owner: system_program::ID.to_string(), ..WireAccount::default() },
        );
    }

    fn request(&self, instructions: &[Instruction]) -> TransactionRequest {
        let mut accounts = BTreeMap::new();
        for instruction in instructions {
            let keys = instruction.accounts.iter().map(|m| m.pubkey).chain([instruction.program_id]);
            for key in keys {
                let state = self.accounts.get(&key.to_string()).cloned().unwrap_or(WireAccount {
                    owner: system_program::ID.to_string(),
                    ..WireAccount::default()
                });
                accounts.insert(key.to_string(), state);
            }
        }
        let instructions = instructions
            .iter()
            .map(|instruction| WireInstruction {
                program_id: instruction.program_id.to_string(),
                accounts: instruction
                    .accounts
                    .iter()
                    .map(|m| WireMeta {
                        pubkey: m.pubkey.to_string(),
                        is_signer: m.is_signer,
                        is_writable: m.is_writable,
                    })
                    .collect(),
                data: BASE64_STANDARD.encode(&instruction.data),
            })
            .collect();
        TransactionRequest { unix_time: self.unix_time, instructions, accounts }
    }

    /// Run `instructions` as one transaction; keep the changed accounts if it succeeded.
    fn send(&mut self, instructions: &[Instruction]) -> TransactionResponse {
        let request = serde_json::to_string(&self.request(instructions)).unwrap();
        let response: TransactionResponse = serde_json::from_str(&process_json(&request)).unwrap();
        if let TransactionResponse::Success { accounts, .. } = &response {
            self.accounts.extend(accounts.clone());
        }
        response
    }
}

fn logs(response: &TransactionResponse) -> &[String] {
    match response {
        TransactionResponse::Success { logs, .. } | TransactionResponse::Failed { logs, .. } => logs,
        TransactionResponse::Refused { reason } => panic!("refused: {reason}"),
    }
}

fn expect_success(response: &TransactionResponse) -> &BTreeMap<String, WireAccount> {
    match response {
        TransactionResponse::Success { accounts, .. } => accounts,
        other => panic!("expected success, got {other:?}"),
    }
}

fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &quantdesk_perp::ID).0
}

fn perp<A: ToAccountMetas, D: InstructionData>(accounts: A, data: D) -> Instruction {
    Instruction {
        program_id: quantdesk_perp::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn symbol<const N: usize>(text: &str) -> [u8; N] {
    let mut bytes = [0u8; N];
    bytes[..text.len()].copy_from_slice(text.as_bytes());
    bytes
}

/// An exchange: admin, keeper, a USDC mint, the config and one market with fresh prices.
struct Exchange {
    chain: Chain,
    admin: Pubkey,
    keeper: Pubkey,
    mint: Pubkey,
    config: Pubkey,
    market: Pubkey,
}

const FUNDING_PERIOD_S: u32 = 3_600;

impl Exchange {
    fn initialize_instructions(admin: Pubkey, keeper: Pubkey, mint: Pubkey) -> Vec<Instruction> {
        let space = spl_token::state::Mint::LEN;
        let mut create = system_instruction::create_account(
            &admin,
            &mint,
            Rent::default().minimum_balance(space),
            space as u64,
            &spl_token::ID,
        );
        create.accounts[1].is_signer = true;
        let init_mint =
            spl_token::instruction::initialize_mint2(&spl_token::ID, &mint, &admin, None, 6).unwrap();
        let initialize = perp(
            quantdesk_perp::accounts::Initialize {
                admin,
                config: pda(&[b"config"]),
                quote_mint: mint,
                quote_vault: pda(&[b"vault", mint.as_ref()]),
                token_program: spl_token::ID,
                system_program: system_program::ID,
            },
            quantdesk_perp::instruction::Initialize {
                keeper,
                liquidation_buffer: 50_000,
                quote_symbol: symbol("USDC"),
            },
        );
        vec![create, init_mint, initialize]
    }

    fn new() -> Self {
        let mut chain = Chain::new();
        let (admin, keeper, mint) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        chain.fund(&admin, 10 * SOL);
        chain.fund(&keeper, SOL);
        expect_success(&chain.send(&Self::initialize_instructions(admin, keeper, mint)));
        let config = pda(&[b"config"]);
        let market = pda(&[b"market", &0u16.to_le_bytes()]);
        let params = MarketParams {
            symbol: symbol("SOL-PERP"),
            tick_size: 1_000,
            lot_size: 10_000_000,
            min_size: 10_000_000,
            max_leverage: 10,
            initial_margin_ratio: 100_000,
            maintenance_margin_ratio: 50_000,
            maker_fee: 200,
            taker_fee: 500,
            liquidation_fee: 10_000,
            liquidator_fee_share: 500_000,
            funding_period_s: FUNDING_PERIOD_S,
            max_funding_rate: 1_000,
            max_oracle_age_s: 60,
            oracle: Pubkey::new_unique(),
        };
        let add_market = perp(
            quantdesk_perp::accounts::AddMarket { admin, config, market, system_program: system_program::ID },
            quantdesk_perp::instruction::AddMarket { params },
        );
        expect_success(&chain.send(&[add_market]));
        let mut exchange = Self { chain, admin, keeper, mint, config, market };
        expect_success(&exchange.chain.send(&[exchange.update_prices(150_000_000)]));
        exchange
    }

    fn update_prices(&self, price: u64) -> Instruction {
        perp(
            quantdesk_perp::accounts::UpdatePrices {
                keeper: self.keeper,
                config: self.config,
                market: self.market,
            },
            quantdesk_perp::instruction::UpdatePrices { mark: price, oracle: price },
        )
    }

    fn initialize_user(&self, authority: Pubkey) -> Instruction {
        perp(
            quantdesk_perp::accounts::InitializeUser {
                authority,
                user: pda(&[b"user", authority.as_ref()]),
                system_program: system_program::ID,
            },
            quantdesk_perp::instruction::InitializeUser {},
        )
    }
}

#[test]
fn a_transaction_creates_the_mint_and_the_config_and_logs_like_a_node() {
    let mut chain = Chain::new();
    let (admin, keeper, mint) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
    chain.fund(&admin, 10 * SOL);

    let response = chain.send(&Exchange::initialize_instructions(admin, keeper, mint));

    let changed = expect_success(&response);
    let config = pda(&[b"config"]);
    let vault = pda(&[b"vault", mint.as_ref()]);
    let keys: Vec<String> = [admin, mint, config, vault].iter().map(Pubkey::to_string).collect();
    assert_eq!(changed.keys().cloned().collect::<Vec<_>>(), {
        let mut sorted = keys.clone();
        sorted.sort();
        sorted
    });
    assert_eq!(changed[&config.to_string()].owner, quantdesk_perp::ID.to_string());
    let vault_data = BASE64_STANDARD.decode(&changed[&vault.to_string()].data).unwrap();
    let vault_token = spl_token::state::Account::unpack(&vault_data).unwrap();
    assert_eq!((vault_token.mint, vault_token.owner), (mint, config));
    let spent: u64 = [mint, config, vault].iter().map(|k| changed[&k.to_string()].lamports).sum();
    assert_eq!(changed[&admin.to_string()].lamports, 10 * SOL - spent);

    let (perp_id, token, system) = (quantdesk_perp::ID, spl_token::ID, system_program::ID);
    let expected_start = [
        format!("Program {system} invoke [1]"),
        format!("Program {system} success"),
        format!("Program {token} invoke [1]"),
        "Program log: Instruction: InitializeMint2".to_string(),
        format!("Program {token} success"),
        format!("Program {perp_id} invoke [1]"),
        "Program log: Instruction: Initialize".to_string(),
        format!("Program {system} invoke [2]"),
    ];
    let logs = logs(&response);
    assert_eq!(&logs[..expected_start.len()], &expected_start[..]);
    assert!(logs.contains(&format!("Program {token} invoke [2]")));
    assert_eq!(logs.last().unwrap(), &format!("Program {perp_id} success"));
}

#[test]
fn a_failing_instruction_undoes_the_whole_transaction() {
    let mut ex = Exchange::new();
    let alice = Pubkey::new_unique();
    ex.chain.fund(&alice, SOL);
    let before = ex.chain.accounts.clone();

    let response = ex.chain.send(&[ex.initialize_user(alice), ex.update_prices(0)]);

    let TransactionResponse::Failed { error, logs } = &response else { panic!("{response:?}") };
    assert_eq!(error, &json!({"InstructionError": [1, {"Custom": 6003}]}));
    assert!(logs.iter().any(|l| l.starts_with("Program log: AnchorError") && l.contains("InvalidPrice")));
    assert_eq!(
        logs.last().unwrap(),
        &format!("Program {} failed: custom program error: 0x1773", quantdesk_perp::ID)
    );
    assert_eq!(ex.chain.accounts, before, "nothing of the first instruction was kept");
}

#[test]
fn runtime_errors_have_the_rpc_shape_of_the_system_program() {
    let mut ex = Exchange::new();
    let poor = Pubkey::new_unique();
    ex.chain.fund(&poor, 1_000);

    let response = ex.chain.send(&[ex.initialize_user(poor)]);

    let TransactionResponse::Failed { error, logs } = &response else { panic!("{response:?}") };
    assert_eq!(error, &json!({"InstructionError": [0, {"Custom": 1}]}));
    assert!(logs.iter().any(|l| l.starts_with(&format!("Transfer: `from` account {poor} has insufficient"))));

    let missing_signature = {
        let mut instruction = ex.initialize_user(Pubkey::new_unique());
        instruction.accounts[0].is_signer = false;
        instruction
    };
    let TransactionResponse::Failed { error, .. } = ex.chain.send(&[missing_signature]) else { panic!() };
    assert_eq!(error, json!({"InstructionError": [0, {"Custom": 3010}]})); // AccountNotSigner
    let TransactionResponse::Failed { error, .. } =
        ex.chain.send(&[spl_token::instruction::initialize_mint2(
            &spl_token::ID,
            &ex.mint,
            &ex.admin,
            None,
            6,
        )
        .unwrap()])
    else {
        panic!()
    };
    assert_eq!(error, json!({"InstructionError": [0, {"Custom": 6}]})); // AlreadyInUse (token)
}

#[test]
fn events_are_printed_as_program_data_in_base64() {
    let mut ex = Exchange::new();
    ex.chain.unix_time += FUNDING_PERIOD_S as i64;
    let settle = perp(
        quantdesk_perp::accounts::SettleFunding { keeper: ex.keeper, config: ex.config, market: ex.market },
        quantdesk_perp::instruction::SettleFunding { mark_twap: 150_100_000, oracle_twap: 150_000_000 },
    );

    let response = ex.chain.send(&[settle]);

    expect_success(&response);
    let data: Vec<&str> = logs(&response).iter().filter_map(|l| l.strip_prefix("Program data: ")).collect();
    assert_eq!(data.len(), 1);
    let bytes = BASE64_STANDARD.decode(data[0]).unwrap();
    assert_eq!(&bytes[..8], FundingRateUpdated::DISCRIMINATOR);
    let event = FundingRateUpdated::try_from_slice(&bytes[8..]).unwrap();
    assert_eq!((event.market_index, event.mark_twap, event.oracle_twap), (0, 150_100_000, 150_000_000));
    assert!(event.rate > 0);
}

#[test]
fn the_clock_is_the_requests_unix_time() {
    let mut ex = Exchange::new();
    ex.chain.unix_time -= 1;

    let response = ex.chain.send(&[ex.update_prices(151_000_000)]);

    let TransactionResponse::Failed { error, .. } = response else { panic!("{response:?}") };
    assert_eq!(error, json!({"InstructionError": [0, {"Custom": 6022}]})); // PriceFromThePast
}

fn refusal(request: &str) -> String {
    match serde_json::from_str::<TransactionResponse>(&process_json(request)).unwrap() {
        TransactionResponse::Refused { reason } => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn what_the_bridge_cannot_run_is_refused_with_a_reason() {
    let ex = Exchange::new();
    assert!(refusal("{").starts_with("not a transaction request"));

    let memo = Instruction { program_id: Pubkey::new_unique(), accounts: vec![], data: vec![] };
    let request = serde_json::to_string(&ex.chain.request(&[memo])).unwrap();
    assert!(refusal(&request).contains("which the native runtime cannot run"));

    let mut request = ex.chain.request(&[ex.update_prices(1_000)]);
    request.accounts.remove(&ex.market.to_string());
    assert!(
        refusal(&serde_json::to_string(&request).unwrap()).contains("whose state the request does not give")
    );

    let mut request = ex.chain.request(&[ex.update_prices(1_000)]);
    request.instructions[0].data = "not base64!".to_string();
    assert!(refusal(&serde_json::to_string(&request).unwrap()).contains("is not base64"));
}

#[test]
fn the_c_abi_answers_json_and_takes_its_strings_back() {
    let ex = Exchange::new();
    let request =
        CString::new(serde_json::to_string(&ex.chain.request(&[ex.update_prices(151_000_000)])).unwrap())
            .unwrap();

    unsafe {
        let answer = native_runtime::ffi::qd_process_transaction(request.as_ptr());
        let value: Value = serde_json::from_str(CStr::from_ptr(answer).to_str().unwrap()).unwrap();
        native_runtime::ffi::qd_free(answer);
        assert_eq!(value["result"], "success");
        assert!(value["accounts"].get(ex.market.to_string()).is_some());

        let answer = native_runtime::ffi::qd_process_transaction(std::ptr::null());
        let value: Value = serde_json::from_str(CStr::from_ptr(answer).to_str().unwrap()).unwrap();
        native_runtime::ffi::qd_free(answer);
        assert_eq!(value["result"], "refused");

        let id = native_runtime::ffi::qd_program_id();
        assert_eq!(CStr::from_ptr(id).to_str().unwrap(), quantdesk_perp::ID.to_string());
        native_runtime::ffi::qd_free(id);
        native_runtime::ffi::qd_free(std::ptr::null_mut());
    }
}

fn create_associated_account(
    funder: Pubkey,
    wallet: Pubkey,
    mint: Pubkey,
    idempotent: bool,
) -> (Instruction, Pubkey) {
    use anchor_lang::solana_program::instruction::AccountMeta;
    let program = Pubkey::from_str(ASSOCIATED_TOKEN).unwrap();
    let address =
        Pubkey::find_program_address(&[wallet.as_ref(), spl_token::ID.as_ref(), mint.as_ref()], &program).0;
    let instruction = Instruction {
        program_id: program,
        accounts: vec![
            AccountMeta::new(funder, true),
            AccountMeta::new(address, false),
            AccountMeta::new_readonly(wallet, false),
            AccountMeta::new_readonly(mint, false),
            AccountMeta::new_readonly(system_program::ID, false),
            AccountMeta::new_readonly(spl_token::ID, false),
        ],
        data: vec![u8::from(idempotent)],
    };
    (instruction, address)
}

#[test]
fn associated_token_accounts_are_created_as_the_real_program_creates_them() {
    let mut ex = Exchange::new();
    let wallet = Pubkey::new_unique();
    let (create, address) = create_associated_account(ex.admin, wallet, ex.mint, true);

    let response = ex.chain.send(&[create.clone(), create.clone()]);

    let changed = expect_success(&response);
    let account = &changed[&address.to_string()];
    assert_eq!(account.owner, spl_token::ID.to_string());
    let token = spl_token::state::Account::unpack(&BASE64_STANDARD.decode(&account.data).unwrap()).unwrap();
    assert_eq!((token.mint, token.owner, token.amount), (ex.mint, wallet, 0));
    let (ata, token) = (ASSOCIATED_TOKEN, spl_token::ID);
    let system = system_program::ID;
    let first: Vec<String> = [
        format!("Program {ata} invoke [1]"),
        "Program log: CreateIdempotent".to_string(),
        format!("Program {token} invoke [2]"),
        "Program log: Instruction: GetAccountDataSize".to_string(),
        format!("Program return: {token} pQAAAAAAAAA="),
        format!("Program {token} success"),
        format!("Program {system} invoke [2]"),
        format!("Program {system} success"),
        "Program log: Initialize the associated token account".to_string(),
        format!("Program {token} invoke [2]"),
        "Program log: Instruction: InitializeImmutableOwner".to_string(),
        "Program log: Please upgrade to SPL Token 2022 for immutable owner support".to_string(),
        format!("Program {token} success"),
        format!("Program {token} invoke [2]"),
        "Program log: Instruction: InitializeAccount3".to_string(),
        format!("Program {token} success"),
        format!("Program {ata} success"),
    ]
    .to_vec();
    let again = [
        format!("Program {ata} invoke [1]"),
        "Program log: CreateIdempotent".to_string(),
        format!("Program {ata} success"),
    ];
    assert_eq!(logs(&response), [first, again.to_vec()].concat());

    let (create_again, _) = create_associated_account(ex.admin, wallet, ex.mint, false);
    let TransactionResponse::Failed { error, .. } = ex.chain.send(&[create_again]) else { panic!() };
    assert_eq!(error, json!({"InstructionError": [0, "IllegalOwner"]}));

    // A wallet paying for its own account is passed twice (payer, then read-only wallet):
    // its lamports count once, and it is writable since one of its metas is.
    let own = Pubkey::new_unique();
    ex.chain.fund(&own, SOL);
    let (create_own, own_address) = create_associated_account(own, own, ex.mint, false);
    let changed = expect_success(&ex.chain.send(&[create_own])).clone();
    let rent = changed[&own_address.to_string()].lamports;
    assert_eq!(changed[&own.to_string()].lamports, SOL - rent);
}
