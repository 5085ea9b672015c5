//! 智能合约: a loan's terms fixed at approval, append-only and chained. Each contract's body is
//! canonical JSON (fields in one fixed order, no spaces), and its hash is the SHA-256 of the
//! hash before it, a newline and the body; the chain's head (length and last hash) is kept in
//! the same transaction. So a changed body fails its own hash, a removed contract breaks the
//! link of the one after it (or the head, if it was the last), and an amendment is a new
//! contract that names the one it amends. `idp fund verify` and the console walk the chain.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::documents::sha256_hex;
use super::super::error::{FinancingError, Result};
use super::model::{ContractRow, FundDocument};
use super::terms::Instalment;
use crate::db::{Db, Tx};
use crate::{with_pool, with_tx};

/// The hash before the first contract.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A filed document as the contract holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FiledDocument {
    pub kind: String,
    pub version: i64,
    pub name: String,
    pub sha256: String,
}

impl From<&FundDocument> for FiledDocument {
    fn from(d: &FundDocument) -> Self {
        FiledDocument {
            kind: d.kind.clone(),
            version: d.version,
            name: d.name.clone(),
            sha256: d.sha256.clone(),
        }
    }
}

/// A contract's terms, serialised in this field order (the canonical form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ContractBody {
    /// Its place in the chain, from 1.
    pub index: i64,
    pub contract_no: String,
    pub apply_no: String,
    pub join_no: String,
    /// The contract this one amends.
    pub amends: Option<String>,
    pub enterprise_org_id: String,
    pub company_name: String,
    pub company_code: Option<String>,
    pub account_name: String,
    pub account_bank: String,
    pub account_no: String,
    pub principal_fen: i64,
    pub months: i64,
    pub enlarge_multiples: i64,
    /// FLOATING_MULTIPLES, %.
    pub floating_percent: String,
    /// MONTHLY_RATE, ‰.
    pub monthly_rate: String,
    pub handling_fee_fen: i64,
    pub interest_fen: i64,
    pub loan_date: String,
    pub last_repay_date: String,
    pub loan_for: String,
    pub loan_bank: Option<String>,
    pub schedule: Vec<Instalment>,
    pub documents: Vec<FiledDocument>,
    pub note: Option<String>,
    pub signed_by: String,
    pub signed_at: i64,
}

impl ContractBody {
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The link hash of a body after `prev`.
pub fn link_hash(prev: &str, body: &str) -> String {
    sha256_hex(format!("{prev}\n{body}").as_bytes())
}

/// Appends `body` to the chain (its index and number are set here); answers the stored row.
pub async fn append(tx: &mut Tx, mut body: ContractBody, now: i64) -> Result<ContractRow> {
    let lock = crate::db::dialect::for_update(tx.backend());
    let (length, head): (i64, String) = with_tx!(tx, conn => {
        sqlx::query_as(&format!("SELECT length, head FROM fund_chain WHERE id = 1{lock}"))
            .fetch_one(&mut *conn).await?
    });
    let of_application: i64 = with_tx!(tx, conn => {
        sqlx::query_scalar("SELECT COUNT(*) FROM fund_contracts WHERE apply_no = $1")
            .bind(&body.apply_no).fetch_one(&mut *conn).await?
    });
    body.index = length + 1;
    body.contract_no = format!("HT-{}-{}", body.apply_no, of_application + 1);
    let text = body.canonical();
    let hash = link_hash(&head, &text);
    let seq: i64 = with_tx!(tx, conn => {
        sqlx::query_scalar("INSERT INTO fund_contracts (contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq")
            .bind(&body.contract_no).bind(&body.apply_no).bind(&body.amends).bind(&text)
            .bind(&head).bind(&hash).bind(&body.signed_by).bind(now)
            .fetch_one(&mut *conn).await?
    });
    with_tx!(tx, conn => {
        sqlx::query("UPDATE fund_chain SET length = $1, head = $2 WHERE id = 1")
            .bind(body.index).bind(&hash).execute(&mut *conn).await?;
    });
    Ok(ContractRow {
        seq,
        contract_no: body.contract_no.clone(),
        apply_no: body.apply_no.clone(),
        amends: body.amends.clone(),
        body: text,
        prev_hash: head,
        hash,
        created_by: body.signed_by,
        created_at: now,
    })
}

/// The contracts of one application, oldest first.
pub async fn of_application(db: &Db, apply_no: &str) -> Result<Vec<ContractRow>> {
    Ok(with_pool!(db, pool => {
        sqlx::query_as::<_, ContractRow>("SELECT seq, contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at FROM fund_contracts WHERE apply_no = $1 ORDER BY seq LIMIT 100")
            .bind(apply_no).fetch_all(pool).await?
    }))
}

/// The contract in force's body.
pub fn parse(row: &ContractRow) -> Result<ContractBody> {
    serde_json::from_str(&row.body).map_err(|e| {
        FinancingError::Invalid(format!(
            "合约 {} 无法读取 / contract {} cannot be read: {e}",
            row.contract_no, row.contract_no
        ))
    })
}

/// What a walk of the chain found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// Every contract matched and the chain is whole.
    pub intact: bool,
    /// How many contracts were read.
    pub checked: i64,
    /// The head as recorded (keep it elsewhere to detect a rewritten chain).
    pub head: String,
    pub length: i64,
    /// The first contract that does not match, when one does not.
    pub first_mismatch: Option<Mismatch>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mismatch {
    /// Its place in the chain.
    pub index: i64,
    /// Its number (for a removed contract, the one after the gap, or none at the end).
    pub contract_no: Option<String>,
    pub problem_zh: String,
    pub problem_en: String,
}

const BATCH: i64 = 1_000;

/// Walks the whole chain in order, a thousand contracts at a time.
pub async fn verify(db: &Db) -> Result<Verification> {
    let (length, head): (i64, String) = with_pool!(db, pool => {
        sqlx::query_as("SELECT length, head FROM fund_chain WHERE id = 1").fetch_one(pool).await?
    });
    let mut prev = GENESIS.to_owned();
    let mut index = 0_i64;
    let mut after_seq = 0_i64;
    let done = |checked, first_mismatch: Option<Mismatch>| Verification {
        intact: first_mismatch.is_none(),
        checked,
        head: head.clone(),
        length,
        first_mismatch,
    };
    loop {
        let rows: Vec<ContractRow> = with_pool!(db, pool => {
            sqlx::query_as::<_, ContractRow>("SELECT seq, contract_no, apply_no, amends, body, prev_hash, hash, created_by, created_at FROM fund_contracts WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after_seq).bind(BATCH).fetch_all(pool).await?
        });
        let Some(last) = rows.last() else { break };
        after_seq = last.seq;
        for row in &rows {
            index += 1;
            if let Some(problem) = check_one(row, index, &prev) {
                return Ok(done(index, Some(problem)));
            }
            prev = row.hash.clone();
        }
    }
    if index < length || prev != head {
        return Ok(done(
            index,
            Some(Mismatch {
                index: index + 1,
                contract_no: None,
                problem_zh: format!(
                    "链头记录 {length} 份合约（末尾哈希 {head}），实际只有 {index} 份与之相符：末尾的合约被删除或改动"
                ),
                problem_en: format!(
                    "the head records {length} contracts ending in {head}, but {index} were found: the last contract was removed or changed"
                ),
            }),
        ));
    }
    // An application's contract in force must be in the chain.
    let missing: Option<(String, String)> = with_pool!(db, pool => {
        sqlx::query_as("SELECT a.apply_no, a.contract_no FROM fund_applications a WHERE a.contract_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fund_contracts c WHERE c.contract_no = a.contract_no) LIMIT 1")
            .fetch_optional(pool).await?
    });
    if let Some((apply_no, contract_no)) = missing {
        return Ok(done(
            index,
            Some(Mismatch {
                index: 0,
                contract_no: Some(contract_no.clone()),
                problem_zh: format!("申请 {apply_no} 的合约 {contract_no} 不在链中"),
                problem_en: format!("contract {contract_no} of {apply_no} is not in the chain"),
            }),
        ));
    }
    Ok(done(index, None))
}

fn check_one(row: &ContractRow, index: i64, prev: &str) -> Option<Mismatch> {
    let mismatch = |zh: String, en: String| {
        Some(Mismatch {
            index,
            contract_no: Some(row.contract_no.clone()),
            problem_zh: zh,
            problem_en: en,
        })
    };
    if row.prev_hash != prev {
        return mismatch(
            format!(
                "合约 {} 之前的合约被删除或改动（前序哈希不符）",
                row.contract_no
            ),
            format!(
                "the contract before {} was removed or changed (its previous hash does not match)",
                row.contract_no
            ),
        );
    }
    if link_hash(prev, &row.body) != row.hash {
        return mismatch(
            format!("合约 {} 的内容被改动（哈希不符）", row.contract_no),
            format!(
                "contract {} was changed (its hash does not match)",
                row.contract_no
            ),
        );
    }
    let body: Option<ContractBody> = serde_json::from_str(&row.body).ok();
    let consistent = body.as_ref().is_some_and(|b| {
        b.index == index
            && b.contract_no == row.contract_no
            && b.apply_no == row.apply_no
            && b.amends == row.amends
            && b.canonical() == row.body
    });
    if !consistent {
        return mismatch(
            format!("合约 {} 的记录与其内容不符或顺序被改动", row.contract_no),
            format!(
                "contract {}'s columns do not match its body, or its place in the chain changed",
                row.contract_no
            ),
        );
    }
    None
}
