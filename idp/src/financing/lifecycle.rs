//! The life of a financing application as one pure rule table: [`RULES`] lists, for each kind
//! of business, which actor may take which action from which state, where it leads and which
//! documents must be on file first. [`allowed`] and [`transition`] read only that table and the
//! facts they are given, so every rule is testable without a database.

use serde::{Deserialize, Serialize};

use super::error::Refusal;

macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $name:ident as $schema:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $zh:literal / $en:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = $schema)]
        $vis enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<Self, String> {
                $name::parse(&text).ok_or_else(|| format!("unknown {}: {text}", stringify!($name)))
            }
        }
    };
}

names! {
    /// The three financing products of this platform (the mutual fund has its own).
    pub enum Product as FinancingProduct {
        Bridge = "bridge" / "转贷资金" / "Bridge loan",
        Compensation = "compensation" / "小微企业风险补偿金" / "Risk compensation",
        Leasing = "leasing" / "融资租赁补贴" / "Leasing subsidy",
    }
}

names! {
    /// The business within a product: its own path through the states.
    pub enum Business as FinancingBusiness {
        /// 转贷.
        Bridge = "bridge" / "转贷" / "Bridge loan",
        /// 股权质押 (risk compensation).
        Pledge = "pledge" / "股权质押" / "Equity pledge",
        /// 保证保险 (risk compensation).
        Insurance = "insurance" / "保证保险" / "Guarantee insurance",
        /// 直接租赁 (leasing).
        Direct = "direct" / "直接租赁" / "Direct lease",
        /// 售后回租 (leasing).
        Leaseback = "leaseback" / "售后回租" / "Sale and leaseback",
    }
}

impl Business {
    pub fn product(self) -> Product {
        match self {
            Business::Bridge => Product::Bridge,
            Business::Pledge | Business::Insurance => Product::Compensation,
            Business::Direct | Business::Leaseback => Product::Leasing,
        }
    }
}

names! {
    /// Where an application is.
    pub enum State as FinancingState {
        Draft = "draft" / "草稿" / "Draft",
        Submitted = "submitted" / "待审核" / "Submitted",
        /// The lending bank reviewed it (bridge: the bank's approval; pledge: first review).
        BankApproved = "bank_approved" / "银行已审核" / "Approved by the bank",
        /// Bridge and leasing: approved by financing staff.
        Approved = "approved" / "已审批" / "Approved",
        /// Bridge: 核查核实 done.
        Verified = "verified" / "已核查" / "Verified",
        /// Bridge: the bridge money is on the loan account.
        Disbursed = "disbursed" / "已放款" / "Disbursed",
        /// Past its day limit (bridge) or the loan's end (compensation), not repaid.
        Overdue = "overdue" / "已逾期" / "Overdue",
        /// Bridge: principal and fee are back. Compensation: recovery (追偿) recorded.
        Recovered = "recovered" / "已收回" / "Recovered",
        /// Bridge: 资料归档.
        Archived = "archived" / "已归档" / "Archived",
        /// Pledge: the equity is registered at the custody centre (托管).
        InCustody = "in_custody" / "已托管" / "In custody",
        /// Pledge and leasing: filed (备案).
        Filed = "filed" / "已备案" / "Filed",
        /// Insurance: 承保.
        Underwritten = "underwritten" / "已承保" / "Underwritten",
        /// Insurance: the policy is issued (投保).
        Insured = "insured" / "已出单" / "Policy issued",
        /// Compensation: the loan is out and being repaid.
        Repaying = "repaying" / "还款中" / "Repaying",
        Settled = "settled" / "已结清" / "Settled",
        /// The bank claims compensation for the bad loan.
        Claimed = "claimed" / "已申请代偿" / "Compensation claimed",
        ClaimVerified = "claim_verified" / "代偿已核实" / "Claim verified",
        Compensated = "compensated" / "已代偿" / "Compensated",
        /// Leasing: the subsidy is granted (drawn from the budget).
        Granted = "granted" / "补贴已核定" / "Subsidy granted",
        /// Leasing: the subsidy is paid.
        Paid = "paid" / "补贴已拨付" / "Subsidy paid",
        Rejected = "rejected" / "未通过" / "Rejected",
        Withdrawn = "withdrawn" / "已撤回" / "Withdrawn",
    }
}

names! {
    /// Something someone wants to do to an application.
    pub enum Action as FinancingAction {
        Submit = "submit" / "提交申请" / "Submit",
        Withdraw = "withdraw" / "撤回" / "Withdraw",
        BankApprove = "bank_approve" / "银行审核通过" / "Approve as the bank",
        Approve = "approve" / "审批通过" / "Approve",
        Return = "return" / "退回修改" / "Return with feedback",
        Reject = "reject" / "驳回" / "Reject",
        Verify = "verify" / "核查核实" / "Verify",
        Disburse = "disburse" / "放款" / "Disburse",
        MarkOverdue = "mark_overdue" / "标记逾期" / "Mark overdue",
        Recover = "recover" / "收回" / "Recover",
        Archive = "archive" / "资料归档" / "Archive",
        Custody = "custody" / "股权托管" / "Register custody",
        File = "file" / "备案" / "File",
        Underwrite = "underwrite" / "承保" / "Underwrite",
        IssuePolicy = "issue_policy" / "出具保单" / "Issue the policy",
        Settle = "settle" / "结清" / "Settle",
        Claim = "claim" / "申请代偿" / "Claim compensation",
        VerifyClaim = "verify_claim" / "核实代偿" / "Verify the claim",
        RefuseClaim = "refuse_claim" / "不予代偿" / "Refuse the claim",
        Compensate = "compensate" / "拨付代偿" / "Pay compensation",
        Grant = "grant" / "核定补贴" / "Grant the subsidy",
        Pay = "pay" / "拨付补贴" / "Pay the subsidy",
    }
}

names! {
    /// The documents an application may carry.
    pub enum DocKind as FinancingDocumentKind {
        /// The signed, sealed application form (leasing).
        ApplicationForm = "application_form" / "盖章申请表" / "Signed application form",
        /// The bank's written renewal commitment (bridge).
        RenewalCommitment = "renewal_commitment" / "银行续贷承诺书" / "Bank's renewal commitment",
        /// Proof the self-raised repayment funds are in place (bridge).
        SelfFunds = "self_funds" / "自筹资金证明" / "Proof of self-raised funds",
        LoanContract = "loan_contract" / "借款合同" / "Loan contract",
        LeaseContract = "lease_contract" / "融资租赁合同" / "Lease contract",
        Qualification = "qualification" / "企业资质" / "Qualifications",
        CompanyInfo = "company_info" / "企业信息材料" / "Company documents",
        CustodyCertificate = "custody_certificate" / "股权托管登记证明" / "Custody registration",
        Policy = "policy" / "保单" / "Insurance policy",
        ClaimEvidence = "claim_evidence" / "代偿申请材料" / "Claim evidence",
        RepaymentProof = "repayment_proof" / "还款凭证" / "Proof of repayment",
        Other = "other" / "其他材料" / "Other",
    }
}

/// Who acts on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member of the applying enterprise.
    Enterprise,
    /// An officer of the lending bank it names.
    Bank,
    /// An officer of the insurer or guarantor it names.
    Insurer,
    /// Financing staff of the platform.
    Staff,
    /// The scheduler.
    System,
}

/// One line of the rule table.
pub struct Rule {
    pub business: &'static [Business],
    pub from: &'static [State],
    pub action: Action,
    pub actors: &'static [Actor],
    pub to: State,
    /// Documents that must be on file first.
    pub needs: &'static [DocKind],
    /// Only once the due date has passed (the scheduler's overdue mark).
    pub after_due: bool,
}

use Action as A;
use Actor::*;
use Business as B;
use DocKind as D;
use State as S;

const ALL_BUSINESS: &[Business] = Business::ALL;
const COMPENSATION: &[Business] = &[B::Pledge, B::Insurance];
const LEASING: &[Business] = &[B::Direct, B::Leaseback];

const fn rule(
    business: &'static [Business],
    from: &'static [State],
    action: Action,
    actors: &'static [Actor],
    to: State,
) -> Rule {
    Rule {
        business,
        from,
        action,
        actors,
        to,
        needs: &[],
        after_due: false,
    }
}

const fn needs(mut r: Rule, docs: &'static [DocKind]) -> Rule {
    r.needs = docs;
    r
}

const fn after_due(mut r: Rule) -> Rule {
    r.after_due = true;
    r
}

/// Every transition of every business, in the order a person meets them.
pub const RULES: &[Rule] = &[
    // Common to all: the enterprise submits or withdraws; a return goes back to the draft.
    rule(
        ALL_BUSINESS,
        &[S::Draft],
        A::Submit,
        &[Enterprise],
        S::Submitted,
    ),
    rule(
        ALL_BUSINESS,
        &[S::Draft, S::Submitted],
        A::Withdraw,
        &[Enterprise],
        S::Withdrawn,
    ),
    // 转贷: bank approval, staff approval, verification, funds, recovery, archive.
    rule(
        &[B::Bridge],
        &[S::Submitted],
        A::BankApprove,
        &[Bank],
        S::BankApproved,
    ),
    rule(
        &[B::Bridge],
        &[S::Submitted],
        A::Return,
        &[Bank, Staff],
        S::Draft,
    ),
    rule(
        &[B::Bridge],
        &[S::Submitted],
        A::Reject,
        &[Bank, Staff],
        S::Rejected,
    ),
    rule(
        &[B::Bridge],
        &[S::BankApproved],
        A::Approve,
        &[Staff],
        S::Approved,
    ),
    rule(
        &[B::Bridge],
        &[S::BankApproved],
        A::Return,
        &[Staff],
        S::Draft,
    ),
    rule(
        &[B::Bridge],
        &[S::BankApproved],
        A::Reject,
        &[Staff],
        S::Rejected,
    ),
    needs(
        rule(
            &[B::Bridge],
            &[S::Approved],
            A::Verify,
            &[Staff],
            S::Verified,
        ),
        &[D::RenewalCommitment, D::SelfFunds],
    ),
    rule(
        &[B::Bridge],
        &[S::Approved, S::Verified],
        A::Reject,
        &[Staff],
        S::Rejected,
    ),
    rule(
        &[B::Bridge],
        &[S::Verified],
        A::Disburse,
        &[Staff],
        S::Disbursed,
    ),
    after_due(rule(
        &[B::Bridge],
        &[S::Disbursed],
        A::MarkOverdue,
        &[System, Staff],
        S::Overdue,
    )),
    rule(
        &[B::Bridge],
        &[S::Disbursed, S::Overdue],
        A::Recover,
        &[Staff],
        S::Recovered,
    ),
    rule(
        &[B::Bridge],
        &[S::Recovered],
        A::Archive,
        &[Staff],
        S::Archived,
    ),
    // 股权质押: the bank's first review, custody, filing, disbursement.
    rule(
        &[B::Pledge],
        &[S::Submitted],
        A::BankApprove,
        &[Bank],
        S::BankApproved,
    ),
    rule(
        &[B::Pledge],
        &[S::Submitted, S::BankApproved],
        A::Return,
        &[Bank, Staff],
        S::Draft,
    ),
    rule(
        &[B::Pledge],
        &[S::Submitted, S::BankApproved],
        A::Reject,
        &[Bank, Staff],
        S::Rejected,
    ),
    rule(
        &[B::Pledge],
        &[S::BankApproved],
        A::Custody,
        &[Bank, Staff],
        S::InCustody,
    ),
    rule(&[B::Pledge], &[S::InCustody], A::File, &[Staff], S::Filed),
    rule(&[B::Pledge], &[S::Filed], A::Disburse, &[Bank], S::Repaying),
    // 保证保险: underwriting, the policy, disbursement.
    rule(
        &[B::Insurance],
        &[S::Submitted],
        A::Underwrite,
        &[Insurer],
        S::Underwritten,
    ),
    rule(
        &[B::Insurance],
        &[S::Submitted, S::Underwritten],
        A::Return,
        &[Insurer, Staff],
        S::Draft,
    ),
    rule(
        &[B::Insurance],
        &[S::Submitted, S::Underwritten],
        A::Reject,
        &[Insurer, Staff],
        S::Rejected,
    ),
    rule(
        &[B::Insurance],
        &[S::Underwritten],
        A::IssuePolicy,
        &[Insurer],
        S::Insured,
    ),
    rule(
        &[B::Insurance],
        &[S::Insured],
        A::Disburse,
        &[Bank],
        S::Repaying,
    ),
    // Both: repayment, or overdue → claim → verification → compensation → recovery.
    rule(
        COMPENSATION,
        &[S::Repaying, S::Overdue],
        A::Settle,
        &[Bank],
        S::Settled,
    ),
    rule(
        COMPENSATION,
        &[S::Repaying],
        A::MarkOverdue,
        &[Bank, Staff],
        S::Overdue,
    ),
    after_due(rule(
        COMPENSATION,
        &[S::Repaying],
        A::MarkOverdue,
        &[System],
        S::Overdue,
    )),
    rule(COMPENSATION, &[S::Overdue], A::Claim, &[Bank], S::Claimed),
    needs(
        rule(
            COMPENSATION,
            &[S::Claimed],
            A::VerifyClaim,
            &[Staff],
            S::ClaimVerified,
        ),
        &[D::ClaimEvidence],
    ),
    rule(
        COMPENSATION,
        &[S::Claimed],
        A::RefuseClaim,
        &[Staff],
        S::Overdue,
    ),
    rule(
        COMPENSATION,
        &[S::ClaimVerified],
        A::Compensate,
        &[Staff],
        S::Compensated,
    ),
    rule(
        COMPENSATION,
        &[S::Compensated],
        A::Recover,
        &[Bank, Staff],
        S::Recovered,
    ),
    // 融资租赁补贴: compliance review, filing, the computed subsidy, payment.
    rule(LEASING, &[S::Submitted], A::Approve, &[Staff], S::Approved),
    rule(LEASING, &[S::Submitted], A::Return, &[Staff], S::Draft),
    rule(
        LEASING,
        &[S::Submitted, S::Approved],
        A::Reject,
        &[Staff],
        S::Rejected,
    ),
    needs(
        rule(LEASING, &[S::Approved], A::File, &[Staff], S::Filed),
        &[D::LeaseContract, D::Qualification, D::CompanyInfo],
    ),
    rule(LEASING, &[S::Filed], A::Grant, &[Staff], S::Granted),
    rule(LEASING, &[S::Granted], A::Pay, &[Staff], S::Paid),
];

/// Documents that must be on file before the enterprise submits.
pub fn needed_to_submit(business: Business) -> &'static [DocKind] {
    match business.product() {
        Product::Leasing => &[D::ApplicationForm],
        _ => &[],
    }
}

/// What the rules need besides the state.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The kinds of document on file.
    pub documents: Vec<DocKind>,
    /// Its due date has passed.
    pub due_passed: bool,
}

impl Facts {
    fn missing(&self, rule: &Rule, business: Business) -> Vec<DocKind> {
        let submit = if rule.action == A::Submit {
            needed_to_submit(business)
        } else {
            &[]
        };
        rule.needs
            .iter()
            .chain(submit)
            .filter(|d| !self.documents.contains(d))
            .copied()
            .collect()
    }
}

fn rules_for(
    business: Business,
    state: State,
    actor: Actor,
) -> impl Iterator<Item = &'static Rule> {
    RULES.iter().filter(move |r| {
        r.business.contains(&business) && r.from.contains(&state) && r.actors.contains(&actor)
    })
}

/// Every action `actor` may take now.
pub fn allowed(business: Business, state: State, actor: Actor, facts: &Facts) -> Vec<Action> {
    let mut out: Vec<Action> = rules_for(business, state, actor)
        .filter(|r| (!r.after_due || facts.due_passed) && facts.missing(r, business).is_empty())
        .map(|r| r.action)
        .collect();
    out.dedup();
    out
}

/// Where `action` leads, or why it may not be taken.
pub fn transition(
    business: Business,
    state: State,
    action: Action,
    actor: Actor,
    facts: &Facts,
) -> Result<State, Refusal> {
    let refuse = |zh: String, en: String| Refusal {
        current: state.as_str(),
        allowed: allowed(business, state, actor, facts)
            .into_iter()
            .map(Action::as_str)
            .collect(),
        reason_zh: zh,
        reason_en: en,
    };
    let Some(rule) = rules_for(business, state, actor).find(|r| r.action == action) else {
        return Err(refuse(
            format!("「{}」状态下不能{}", state.label_zh(), action.label_zh()),
            format!(
                "cannot {} while the application is {}",
                action.as_str(),
                state.as_str()
            ),
        ));
    };
    if rule.after_due && !facts.due_passed {
        return Err(refuse(
            "尚未到期".into(),
            "it is not past its due date yet".into(),
        ));
    }
    let missing = facts.missing(rule, business);
    if !missing.is_empty() {
        let zh: Vec<&str> = missing.iter().map(|d| d.label_zh()).collect();
        let en: Vec<&str> = missing.iter().map(|d| d.as_str()).collect();
        return Err(refuse(
            format!("缺少材料：{}", zh.join("、")),
            format!("missing documents: {}", en.join(", ")),
        ));
    }
    Ok(rule.to)
}

/// States in which the money is out and owed back.
pub fn is_outstanding(state: State) -> bool {
    matches!(
        state,
        S::Disbursed | S::Overdue | S::Repaying | S::Claimed | S::ClaimVerified
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(business: Business, steps: &[(Action, Actor)], facts: &Facts) -> State {
        let mut state = S::Draft;
        for (action, actor) in steps {
            state = transition(business, state, *action, *actor, facts)
                .unwrap_or_else(|r| panic!("{action:?} by {actor:?} refused: {r:?}"));
        }
        state
    }

    fn all_docs() -> Facts {
        Facts {
            documents: DocKind::ALL.to_vec(),
            due_passed: true,
        }
    }

    #[test]
    fn a_bridge_goes_from_draft_to_archive() {
        let end = walk(
            B::Bridge,
            &[
                (A::Submit, Enterprise),
                (A::BankApprove, Bank),
                (A::Approve, Staff),
                (A::Verify, Staff),
                (A::Disburse, Staff),
                (A::MarkOverdue, System),
                (A::Recover, Staff),
                (A::Archive, Staff),
            ],
            &all_docs(),
        );
        assert_eq!(end, S::Archived);
    }

    #[test]
    fn verification_names_the_missing_documents() {
        let facts = Facts {
            documents: vec![D::SelfFunds],
            due_passed: false,
        };
        let refusal = transition(B::Bridge, S::Approved, A::Verify, Staff, &facts).unwrap_err();
        assert!(refusal.reason_zh.contains("银行续贷承诺书"), "{refusal:?}");
        assert_eq!(refusal.current, "approved");
        assert!(!refusal.allowed.contains(&"verify"));
        assert!(refusal.allowed.contains(&"reject"));
    }

    #[test]
    fn the_scheduler_marks_a_bridge_overdue_only_after_its_term() {
        let early = Facts::default();
        assert!(transition(B::Bridge, S::Disbursed, A::MarkOverdue, System, &early).is_err());
        assert!(!allowed(B::Bridge, S::Disbursed, System, &early).contains(&A::MarkOverdue));
        assert_eq!(
            transition(B::Bridge, S::Disbursed, A::MarkOverdue, System, &all_docs()),
            Ok(S::Overdue)
        );
    }

    #[test]
    fn pledge_and_insurance_take_their_own_paths_to_compensation() {
        let tail = [
            (A::MarkOverdue, Bank),
            (A::Claim, Bank),
            (A::VerifyClaim, Staff),
            (A::Compensate, Staff),
            (A::Recover, Bank),
        ];
        let pledge: Vec<_> = [
            (A::Submit, Enterprise),
            (A::BankApprove, Bank),
            (A::Custody, Bank),
            (A::File, Staff),
            (A::Disburse, Bank),
        ]
        .into_iter()
        .chain(tail)
        .collect();
        assert_eq!(walk(B::Pledge, &pledge, &all_docs()), S::Recovered);
        let insurance: Vec<_> = [
            (A::Submit, Enterprise),
            (A::Underwrite, Insurer),
            (A::IssuePolicy, Insurer),
            (A::Disburse, Bank),
        ]
        .into_iter()
        .chain(tail)
        .collect();
        assert_eq!(walk(B::Insurance, &insurance, &all_docs()), S::Recovered);
        // The insurer has no say in a pledge, the enterprise none in a claim.
        assert!(transition(B::Pledge, S::Submitted, A::Underwrite, Insurer, &all_docs()).is_err());
        assert!(transition(B::Pledge, S::Overdue, A::Claim, Enterprise, &all_docs()).is_err());
    }

    #[test]
    fn a_leasing_application_needs_its_signed_form_to_be_submitted() {
        let none = Facts::default();
        let refusal = transition(B::Direct, S::Draft, A::Submit, Enterprise, &none).unwrap_err();
        assert!(refusal.reason_en.contains("application_form"));
        let end = walk(
            B::Leaseback,
            &[
                (A::Submit, Enterprise),
                (A::Approve, Staff),
                (A::File, Staff),
                (A::Grant, Staff),
                (A::Pay, Staff),
            ],
            &all_docs(),
        );
        assert_eq!(end, S::Paid);
    }

    #[test]
    fn every_rule_leads_somewhere_its_business_can_act_on_or_ends() {
        let terminal = [
            S::Archived,
            S::Settled,
            S::Recovered,
            S::Paid,
            S::Rejected,
            S::Withdrawn,
        ];
        for r in RULES {
            for b in r.business {
                let next: Vec<_> = [Enterprise, Bank, Insurer, Staff, System]
                    .iter()
                    .flat_map(|a| allowed(*b, r.to, *a, &all_docs()))
                    .collect();
                assert!(
                    terminal.contains(&r.to) || !next.is_empty(),
                    "{b:?} stops at {:?}",
                    r.to
                );
            }
        }
    }
}
