//! The fund's double-entry ledger. Every movement of money is one journal entry whose postings
//! balance (Σ debit = Σ credit, checked before anything is written); an account's balance is its
//! debits less its credits, kept beside the postings in the same transaction. The fund's cash
//! (its dedicated account, 互助基金专户) is taken by a conditional update, so it never goes below
//! zero, however many disbursements run at once.

use serde::Serialize;
use utoipa::ToSchema;

use super::super::error::{Exceeded, FinancingError, Result};
use crate::db::{Db, Reader, Tx};
use crate::{with_pool, with_reader, with_tx};

/// The accounts of the fund: `(code, 中文, English)`.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("cash", "互助基金专户", "Fund account (cash)"),
    ("capital_government", "财政出资", "Government capital"),
    ("capital_members", "会员入社资金", "Members' contributions"),
    ("loans", "应收借款", "Loans receivable"),
    ("interest_income", "利息收入", "Interest income"),
    ("fee_income", "手续费收入", "Handling fee income"),
];

pub fn account_zh(code: &str) -> &'static str {
    ACCOUNTS.iter().find(|a| a.0 == code).map_or("", |a| a.1)
}

/// One posting: an account and its debit or credit (fen).
#[derive(Debug, Clone, Copy)]
pub struct Posting {
    pub account: &'static str,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

pub fn debit(account: &'static str, fen: i64) -> Posting {
    Posting {
        account,
        debit_fen: fen,
        credit_fen: 0,
    }
}

pub fn credit(account: &'static str, fen: i64) -> Posting {
    Posting {
        account,
        debit_fen: 0,
        credit_fen: fen,
    }
}

/// A journal entry.
pub struct Entry<'a> {
    /// `opening`, `capital`, `membership`, `disbursement`, `repayment`.
    pub kind: &'static str,
    pub apply_no: Option<&'a str>,
    pub org_id: Option<&'a str>,
    pub memo: String,
    pub by: &'a str,
    pub postings: Vec<Posting>,
}

/// Writes `entry`; answers its number. An entry that would take the cash below zero is refused
/// with the balance, and nothing of it is written (the caller's transaction is dropped).
pub async fn post(tx: &mut Tx, entry: Entry<'_>, now: i64) -> Result<i64> {
    let debits: i64 = entry.postings.iter().map(|p| p.debit_fen).sum();
    let credits: i64 = entry.postings.iter().map(|p| p.credit_fen).sum();
    if debits != credits
        || debits <= 0
        || entry
            .postings
            .iter()
            .any(|p| p.debit_fen < 0 || p.credit_fen < 0)
    {
        return Err(FinancingError::Invalid(format!(
            "账目不平衡（借 {debits} 贷 {credits}）/ unbalanced entry (debit {debits}, credit {credits})"
        )));
    }
    // Cash first: a refusal then costs nothing else.
    let mut postings = entry.postings.clone();
    postings.sort_by_key(|p| p.account != "cash");
    for p in &postings {
        let change = p.debit_fen - p.credit_fen;
        let done = with_tx!(tx, conn => {
            sqlx::query("UPDATE fund_accounts SET balance_fen = balance_fen + $1 WHERE code = $2 AND (code <> 'cash' OR balance_fen + $1 >= 0)")
                .bind(change).bind(p.account).execute(&mut *conn).await?.rows_affected()
        });
        if done != 1 {
            let balance = balance(&mut *tx, p.account).await?;
            return Err(FinancingError::Exceeded(Exceeded {
                limit: "fund_cash",
                limit_fen: balance,
                used_fen: 0,
                requested_fen: -change,
                zh: format!(
                    "互助基金专户余额 {} 元，不足以支付 {} 元",
                    crate::payments::money::fen_to_yuan(balance),
                    crate::payments::money::fen_to_yuan(-change)
                ),
                en: format!(
                    "the fund account holds {} yuan, not enough for {} yuan",
                    crate::payments::money::fen_to_yuan(balance),
                    crate::payments::money::fen_to_yuan(-change)
                ),
            }));
        }
    }
    let month = crate::clock::shanghai_date(now)[..7].to_owned();
    let entry_no: i64 = with_tx!(tx, conn => {
        sqlx::query_scalar("INSERT INTO fund_journal (kind, apply_no, org_id, memo, month, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING entry_no")
            .bind(entry.kind).bind(entry.apply_no).bind(entry.org_id).bind(&entry.memo)
            .bind(&month).bind(entry.by).bind(now).fetch_one(&mut *conn).await?
    });
    for p in &entry.postings {
        with_tx!(tx, conn => {
            sqlx::query("INSERT INTO fund_postings (entry_no, account, debit_fen, credit_fen) VALUES ($1, $2, $3, $4)")
                .bind(entry_no).bind(p.account).bind(p.debit_fen).bind(p.credit_fen)
                .execute(&mut *conn).await?;
        });
    }
    Ok(entry_no)
}

/// An account's balance (debit less credit).
pub async fn balance<'r>(from: impl Into<Reader<'r>>, account: &str) -> Result<i64> {
    Ok(with_reader!(from.into(), exec => {
        sqlx::query_scalar::<_, i64>("SELECT balance_fen FROM fund_accounts WHERE code = $1")
            .bind(account).fetch_optional(exec).await?.unwrap_or(0)
    }))
}

/// An account with its balance and its postings' totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountBalance {
    pub code: String,
    pub name_zh: &'static str,
    /// Debit less credit.
    pub balance_fen: i64,
    pub debits_fen: i64,
    pub credits_fen: i64,
}

/// The trial balance: every account, its totals and balance; Σ debits = Σ credits.
pub async fn trial_balance<'r>(from: impl Into<Reader<'r>>) -> Result<Vec<AccountBalance>> {
    let rows: Vec<(String, i64, i64, i64)> = with_reader!(from.into(), exec => {
        sqlx::query_as("SELECT a.code, a.balance_fen, CAST(COALESCE(SUM(p.debit_fen), 0) AS BIGINT), CAST(COALESCE(SUM(p.credit_fen), 0) AS BIGINT) FROM fund_accounts a LEFT JOIN fund_postings p ON p.account = a.code GROUP BY a.code, a.balance_fen ORDER BY a.code")
            .fetch_all(exec).await?
    });
    let mut out: Vec<AccountBalance> = rows
        .into_iter()
        .map(
            |(code, balance_fen, debits_fen, credits_fen)| AccountBalance {
                name_zh: account_zh(&code),
                code,
                balance_fen,
                debits_fen,
                credits_fen,
            },
        )
        .collect();
    out.sort_by_key(|a| ACCOUNTS.iter().position(|x| x.0 == a.code));
    Ok(out)
}

/// A journal entry with its postings, as listed.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct JournalEntry {
    pub entry_no: i64,
    pub kind: String,
    pub apply_no: Option<String>,
    pub org_id: Option<String>,
    pub memo: String,
    pub at: i64,
    #[sqlx(skip)]
    pub postings: Vec<PostingRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PostingRow {
    #[serde(skip)]
    pub entry_no: i64,
    pub account: String,
    pub debit_fen: i64,
    pub credit_fen: i64,
}

/// At most this many entries in one answer.
pub const PAGE: i64 = 200;

/// The journal, newest first, before entry `before` (all when `None`), for one organisation or
/// application when given.
pub async fn journal(
    db: &Db,
    org_id: Option<&str>,
    apply_no: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<JournalEntry>> {
    let limit = limit.clamp(1, PAGE);
    let heads: Vec<JournalEntry> = with_pool!(db, exec => {
        sqlx::query_as::<_, JournalEntry>("SELECT entry_no, kind, apply_no, org_id, memo, at FROM fund_journal WHERE ($1 IS NULL OR org_id = $1) AND ($2 IS NULL OR apply_no = $2) AND entry_no < $3 ORDER BY entry_no DESC LIMIT $4")
            .bind(org_id).bind(apply_no).bind(before.unwrap_or(i64::MAX)).bind(limit)
            .fetch_all(exec).await?
    });
    let (Some(last), Some(first)) = (heads.last(), heads.first()) else {
        return Ok(Vec::new());
    };
    let (last, first) = (last.entry_no, first.entry_no);
    let postings: Vec<PostingRow> = with_pool!(db, exec => {
        sqlx::query_as("SELECT entry_no, account, debit_fen, credit_fen FROM fund_postings WHERE entry_no BETWEEN $1 AND $2 ORDER BY id")
            .bind(last).bind(first).fetch_all(exec).await?
    });
    Ok(heads
        .into_iter()
        .map(|mut entry| {
            entry.postings = postings
                .iter()
                .filter(|p| p.entry_no == entry.entry_no)
                .cloned()
                .collect();
            entry
        })
        .collect())
}
