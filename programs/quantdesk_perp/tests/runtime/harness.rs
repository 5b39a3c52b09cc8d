//! An exchange set up in the native runtime the way an operator would: the USDC-like
//! quote mint and the other collateral mints, the config, the six markets of
//! `resources/markets.json`, and funded traders with token accounts.

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::pubkey::Pubkey;
use anchor_lang::solana_program::rent::Rent;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::{AccountDeserialize, InstructionData, ToAccountMetas};
use quantdesk_perp::state::{Config, Market, MarketParams, User};
use serde_json::Value;

use super::{Runtime, TransactionError};

pub const LAMPORTS: u64 = 1_000_000_000_000;

/// A wallet: its key and, per collateral asset, its token account.
#[derive(Clone, Debug)]
pub struct Trader {
    pub key: Pubkey,
    pub user: Pubkey,
    pub tokens: Vec<Pubkey>,
}

/// The program's addresses and the runtime holding them.
pub struct Exchange {
    pub rt: Runtime,
    pub admin: Pubkey,
    pub keeper: Pubkey,
    pub mint_authority: Pubkey,
    pub config: Pubkey,
    pub mints: Vec<Pubkey>,
    pub vaults: Vec<Pubkey>,
    pub markets: Vec<Pubkey>,
    pub symbols: Vec<String>,
    pub asset_symbols: Vec<String>,
    pub fill_ids: Vec<u64>,
}

/// `text` (a decimal such as "0.001") as an integer at `precision`.
pub fn fixed(text: &str, precision: u64) -> u64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let places = precision.to_string().len() - 1;
    assert!(fraction.len() <= places, "{text} has too many decimal places");
    let padded = format!("{fraction:0<places$}");
    whole.parse::<u64>().unwrap() * precision + if places > 0 { padded.parse::<u64>().unwrap() } else { 0 }
}

fn symbol<const N: usize>(text: &str) -> [u8; N] {
    let mut bytes = [0u8; N];
    bytes[..text.len()].copy_from_slice(text.as_bytes());
    bytes
}

/// The catalog shipped with the application.
pub fn markets_json() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/markets.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &quantdesk_perp::ID).0
}

pub fn ix<A: ToAccountMetas, D: InstructionData>(accounts: A, data: D) -> Instruction {
    Instruction {
        program_id: quantdesk_perp::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

impl Exchange {
    /// Config, collateral and the six markets, with fresh reference prices.
    pub fn new() -> Self {
        let mut rt = Runtime::new();
        let (admin, keeper, mint_authority) =
            (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        for key in [admin, keeper, mint_authority] {
            rt.airdrop(&key, LAMPORTS);
        }
        let catalog = markets_json();
        let mut exchange = Self {
            rt,
            admin,
            keeper,
            mint_authority,
            config: pda(&[b"config"]),
            mints: Vec::new(),
            vaults: Vec::new(),
            markets: Vec::new(),
            symbols: Vec::new(),
            asset_symbols: Vec::new(),
            fill_ids: Vec::new(),
        };
        let assets = catalog["collateral"].as_array().unwrap().clone();
        for asset in &assets {
            let mint = exchange.create_mint(asset["decimals"].as_u64().unwrap() as u8);
            exchange.mints.push(mint);
            exchange.vaults.push(pda(&[b"vault", mint.as_ref()]));
            exchange.asset_symbols.push(asset["symbol"].as_str().unwrap().to_string());
        }
        exchange
            .rt
            .run(ix(
                quantdesk_perp::accounts::Initialize {
                    admin,
                    config: exchange.config,
                    quote_mint: exchange.mints[0],
                    quote_vault: exchange.vaults[0],
                    token_program: spl_token::ID,
                    system_program: anchor_lang::system_program::ID,
                },
                quantdesk_perp::instruction::Initialize {
                    keeper,
                    liquidation_buffer: 50_000,
                    quote_symbol: symbol("USDC"),
                },
            ))
            .unwrap();
        for (index, raw) in catalog["markets"].as_array().unwrap().iter().enumerate() {
            exchange.add_market(index as u16, raw);
        }
        let symbols = exchange.symbols.clone();
        for (index, asset) in assets.iter().enumerate().skip(1) {
            let market = symbols.iter().position(|s| s == asset["price_market"].as_str().unwrap()).unwrap();
            let weight = |name: &str| fixed(asset[name].as_str().unwrap(), 1_000_000) as u32;
            exchange
                .rt
                .run(ix(
                    quantdesk_perp::accounts::AddCollateralAsset {
                        admin,
                        config: exchange.config,
                        mint: exchange.mints[index],
                        vault: exchange.vaults[index],
                        token_program: spl_token::ID,
                        system_program: anchor_lang::system_program::ID,
                    },
                    quantdesk_perp::instruction::AddCollateralAsset {
                        symbol: symbol(asset["symbol"].as_str().unwrap()),
                        initial_weight: weight("initial_weight"),
                        maintenance_weight: weight("maintenance_weight"),
                        price_market: market as u16,
                    },
                ))
                .unwrap();
        }
        let reference: Vec<u64> = catalog["markets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| fixed(m["reference_price"].as_str().unwrap(), 1_000_000))
            .collect();
        for (index, price) in reference.into_iter().enumerate() {
            exchange.set_prices(index, price, price).unwrap();
        }
        exchange
    }

    fn add_market(&mut self, index: u16, raw: &Value) {
        let text = |name: &str| raw[name].as_str().unwrap().to_string();
        let ratio = |name: &str| fixed(&text(name), 1_000_000) as u32;
        let count = |name: &str| raw[name].as_u64().unwrap();
        let params = MarketParams {
            symbol: symbol(&text("symbol")),
            tick_size: fixed(&text("tick_size"), 1_000_000),
            lot_size: fixed(&text("lot_size"), 1_000_000_000),
            min_size: fixed(&text("min_size"), 1_000_000_000),
            max_leverage: count("max_leverage") as u16,
            initial_margin_ratio: ratio("initial_margin_ratio"),
            maintenance_margin_ratio: ratio("maintenance_margin_ratio"),
            maker_fee: ratio("maker_fee"),
            taker_fee: ratio("taker_fee"),
            liquidation_fee: ratio("liquidation_fee"),
            liquidator_fee_share: ratio("liquidator_fee_share"),
            funding_period_s: count("funding_period_s") as u32,
            max_funding_rate: ratio("max_funding_rate"),
            max_oracle_age_s: count("max_oracle_age_s") as u32,
            oracle: Pubkey::new_unique(),
        };
        let market = pda(&[b"market", &index.to_le_bytes()]);
        self.rt
            .run(ix(
                quantdesk_perp::accounts::AddMarket {
                    admin: self.admin,
                    config: self.config,
                    market,
                    system_program: anchor_lang::system_program::ID,
                },
                quantdesk_perp::instruction::AddMarket { params },
            ))
            .unwrap();
        self.markets.push(market);
        self.symbols.push(text("symbol"));
        self.fill_ids.push(0);
    }

    /// A new account of `space` bytes owned by the SPL Token program, and the instruction
    /// that creates it (paid by the mint authority).
    fn token_program_account(&self, space: usize) -> (Pubkey, Instruction) {
        let account = Pubkey::new_unique();
        let lamports = Rent::default().minimum_balance(space);
        let mut create = system_instruction::create_account(
            &self.mint_authority,
            &account,
            lamports,
            space as u64,
            &spl_token::ID,
        );
        create.accounts[1].is_signer = true;
        (account, create)
    }

    fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let (mint, create) = self.token_program_account(spl_token::state::Mint::LEN);
        let init = spl_token::instruction::initialize_mint2(
            &spl_token::ID,
            &mint,
            &self.mint_authority,
            None,
            decimals,
        )
        .unwrap();
        self.rt.transact(&[create, init]).unwrap();
        mint
    }

    /// A token account of `mint` owned by `owner`.
    pub fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        let (account, create) = self.token_program_account(spl_token::state::Account::LEN);
        let init =
            spl_token::instruction::initialize_account3(&spl_token::ID, &account, mint, owner).unwrap();
        self.rt.transact(&[create, init]).unwrap();
        account
    }

    /// Mint `amount` of asset `asset` to `account`.
    pub fn mint_to(&mut self, asset: usize, account: &Pubkey, amount: u64) {
        let mint = spl_token::instruction::mint_to(
            &spl_token::ID,
            &self.mints[asset],
            account,
            &self.mint_authority,
            &[],
            amount,
        )
        .unwrap();
        self.rt.run(mint).unwrap();
    }

    /// A new wallet with an opened account and a token account per asset.
    pub fn trader(&mut self) -> Trader {
        let key = Pubkey::new_unique();
        self.rt.airdrop(&key, LAMPORTS);
        let user = pda(&[b"user", key.as_ref()]);
        self.rt
            .run(ix(
                quantdesk_perp::accounts::InitializeUser {
                    authority: key,
                    user,
                    system_program: anchor_lang::system_program::ID,
                },
                quantdesk_perp::instruction::InitializeUser {},
            ))
            .unwrap();
        let mints = self.mints.clone();
        let tokens = mints.iter().map(|mint| self.create_token_account(mint, &key)).collect();
        Trader { key, user, tokens }
    }

    pub fn set_prices(&mut self, market: usize, mark: u64, oracle: u64) -> Result<(), TransactionError> {
        self.rt.run(ix(
            quantdesk_perp::accounts::UpdatePrices {
                keeper: self.keeper,
                config: self.config,
                market: self.markets[market],
            },
            quantdesk_perp::instruction::UpdatePrices { mark, oracle },
        ))
    }

    pub fn deposit(&mut self, trader: &Trader, asset: usize, amount: u64) -> Result<(), TransactionError> {
        self.rt.run(self.move_ix(trader, asset, amount, true))
    }

    /// Withdraw, passing every market account for the margin check.
    pub fn withdraw(&mut self, trader: &Trader, asset: usize, amount: u64) -> Result<(), TransactionError> {
        let mut instruction = self.move_ix(trader, asset, amount, false);
        instruction.accounts.extend(self.market_metas(false));
        self.rt.run(instruction)
    }

    pub fn move_ix(&self, trader: &Trader, asset: usize, amount: u64, deposit: bool) -> Instruction {
        let accounts = quantdesk_perp::accounts::MoveCollateral {
            authority: trader.key,
            config: self.config,
            user: trader.user,
            user_token: trader.tokens[asset],
            vault: self.vaults[asset],
            token_program: spl_token::ID,
        };
        let asset_index = asset as u16;
        if deposit {
            ix(accounts, quantdesk_perp::instruction::Deposit { asset_index, amount })
        } else {
            ix(accounts, quantdesk_perp::instruction::Withdraw { asset_index, amount })
        }
    }

    pub fn market_metas(&self, writable: bool) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        use anchor_lang::solana_program::instruction::AccountMeta;
        self.markets
            .iter()
            .map(
                |m| if writable { AccountMeta::new(*m, false) } else { AccountMeta::new_readonly(*m, false) },
            )
            .collect()
    }

    /// Settle the next fill of `market`.
    pub fn settle_fill(
        &mut self,
        market: usize,
        taker: &Trader,
        buy: bool,
        maker: &Trader,
        price: u64,
        size: u64,
    ) -> Result<(), TransactionError> {
        let fill_id = self.fill_ids[market] + 1;
        let result = self.settle_fill_with_id(market, fill_id, taker, buy, maker, price, size);
        if result.is_ok() {
            self.fill_ids[market] = fill_id;
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    pub fn settle_fill_with_id(
        &mut self,
        market: usize,
        fill_id: u64,
        taker: &Trader,
        buy: bool,
        maker: &Trader,
        price: u64,
        size: u64,
    ) -> Result<(), TransactionError> {
        use quantdesk_perp::instructions::Side;
        let taker_side = if buy { Side::Buy } else { Side::Sell };
        self.rt.run(ix(
            quantdesk_perp::accounts::SettleFill {
                keeper: self.keeper,
                config: self.config,
                market: self.markets[market],
                taker: taker.user,
                maker: maker.user,
            },
            quantdesk_perp::instruction::SettleFill { fill_id, taker_side, price, size },
        ))
    }

    /// Liquidate `account`, passing every market and the given holders.
    pub fn liquidate(
        &mut self,
        account: &Trader,
        liquidator: &Trader,
        holders: &[&Trader],
    ) -> Result<(), TransactionError> {
        use anchor_lang::solana_program::instruction::AccountMeta;
        let mut instruction = ix(
            quantdesk_perp::accounts::Liquidate {
                liquidator_authority: liquidator.key,
                config: self.config,
                liquidator: liquidator.user,
                authority: liquidator.key,
                user: account.user,
            },
            quantdesk_perp::instruction::Liquidate {},
        );
        instruction.accounts.extend(self.market_metas(true));
        instruction.accounts.extend(holders.iter().map(|h| AccountMeta::new(h.user, false)));
        self.rt.run(instruction)
    }

    pub fn user(&self, trader: &Trader) -> User {
        decode(&self.rt.account(&trader.user).data)
    }

    pub fn config_account(&self) -> Config {
        decode(&self.rt.account(&self.config).data)
    }

    pub fn market(&self, index: usize) -> Market {
        decode(&self.rt.account(&self.markets[index]).data)
    }

    pub fn token_balance(&self, account: &Pubkey) -> u64 {
        spl_token::state::Account::unpack(&self.rt.account(account).data).unwrap().amount
    }

    /// Close `market`'s funding period with the given TWAPs.
    pub fn close_funding_period(
        &mut self,
        market: usize,
        mark_twap: u64,
        oracle_twap: u64,
    ) -> Result<(), TransactionError> {
        self.rt.run(ix(
            quantdesk_perp::accounts::SettleFunding {
                keeper: self.keeper,
                config: self.config,
                market: self.markets[market],
            },
            quantdesk_perp::instruction::SettleFunding { mark_twap, oracle_twap },
        ))
    }

    /// Settle `trader`'s funding in `market`.
    pub fn settle_user_funding(&mut self, market: usize, trader: &Trader) -> Result<(), TransactionError> {
        self.rt.run(ix(
            quantdesk_perp::accounts::SettleUserFunding {
                config: self.config,
                market: self.markets[market],
                user: trader.user,
            },
            quantdesk_perp::instruction::SettleUserFunding {},
        ))
    }

    /// Let `seconds` pass on the cluster.
    pub fn advance(&mut self, seconds: i64) {
        self.rt.set_time(self.rt.time() + seconds);
    }
}

pub fn decode<T: AccountDeserialize>(data: &[u8]) -> T {
    T::try_deserialize(&mut &data[..]).unwrap()
}
