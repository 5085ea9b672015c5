//! The mutual fund's states and steps as one table: who may take which step from which state
//! and where it leads. A step not in the table is refused with the current state and the steps
//! the caller may take.

use super::super::error::Refusal;

macro_rules! labelled {
    ($name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($code => Some($name::$variant),)* _ => None }
            }
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }
        }
    };
}

labelled!(FundState {
    Draft = "draft", "草稿", "draft";
    Submitted = "submitted", "待审批", "submitted";
    Returned = "returned", "已退回修改", "returned";
    Rejected = "rejected", "未通过", "rejected";
    Withdrawn = "withdrawn", "已撤回", "withdrawn";
    Approved = "approved", "已审批（合约已签）", "approved (contract filed)";
    Disbursed = "disbursed", "已放款", "disbursed";
    Overdue = "overdue", "已逾期", "overdue";
    Settled = "settled", "已结清", "settled";
});

labelled!(FundAction {
    Submit = "submit", "提交申请", "submit";
    Withdraw = "withdraw", "撤回", "withdraw";
    Return = "return", "退回修改", "return";
    Reject = "reject", "不予通过", "reject";
    Approve = "approve", "审批通过并签订合约", "approve and file the contract";
    Disburse = "disburse", "放款", "disburse";
    Amend = "amend", "变更合约（展期）", "amend the contract (extension)";
    Repay = "repay", "登记还款", "record a repayment";
    MarkOverdue = "mark_overdue", "标记逾期", "mark overdue";
});

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundActor {
    Enterprise,
    FundManager,
    Staff,
    System,
}

use FundAction as A;
use FundActor::*;
use FundState as S;

/// `(from, action, who, to)`; an amendment or a partial repayment keeps the state (the step
/// itself may then settle the loan or bring an overdue one back into term).
const RULES: &[(S, A, &[FundActor], S)] = &[
    (S::Draft, A::Submit, &[Enterprise], S::Submitted),
    (S::Returned, A::Submit, &[Enterprise], S::Submitted),
    (S::Draft, A::Withdraw, &[Enterprise], S::Withdrawn),
    (S::Returned, A::Withdraw, &[Enterprise], S::Withdrawn),
    (S::Submitted, A::Return, &[Staff], S::Returned),
    (S::Submitted, A::Reject, &[Staff], S::Rejected),
    (S::Submitted, A::Approve, &[Staff], S::Approved),
    (S::Approved, A::Reject, &[Staff], S::Rejected),
    (
        S::Approved,
        A::Disburse,
        &[Staff, FundManager],
        S::Disbursed,
    ),
    (S::Approved, A::Amend, &[Staff], S::Approved),
    (S::Disbursed, A::Amend, &[Staff], S::Disbursed),
    (S::Overdue, A::Amend, &[Staff], S::Overdue),
    (S::Disbursed, A::Repay, &[Staff, FundManager], S::Disbursed),
    (S::Overdue, A::Repay, &[Staff, FundManager], S::Overdue),
    (S::Disbursed, A::MarkOverdue, &[System], S::Overdue),
];

/// The steps `who` may take from `state`.
pub fn allowed(state: S, who: FundActor) -> Vec<A> {
    RULES
        .iter()
        .filter(|(from, _, actors, _)| *from == state && actors.contains(&who))
        .map(|(_, action, _, _)| *action)
        .collect()
}

/// Where `action` by `who` leads from `state`, or why not.
pub fn transition(state: S, action: A, who: FundActor) -> Result<S, Refusal> {
    RULES
        .iter()
        .find(|(from, a, actors, _)| *from == state && *a == action && actors.contains(&who))
        .map(|(_, _, _, to)| *to)
        .ok_or_else(|| Refusal {
            current: state.as_str(),
            allowed: allowed(state, who).iter().map(|a| a.as_str()).collect(),
            reason_zh: format!("申请{}，不能{}", state.label_zh(), action.label_zh()),
            reason_en: format!(
                "the application is {}; it cannot take `{}`",
                state.as_str(),
                action.as_str()
            ),
        })
}

/// A loan that owes money.
pub fn is_outstanding(state: S) -> bool {
    matches!(state, S::Disbursed | S::Overdue)
}

/// The enterprise may still change the draft and its documents.
pub fn is_editable(state: S) -> bool {
    matches!(state, S::Draft | S::Returned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_staff_approve_and_only_the_system_marks_overdue() {
        assert_eq!(transition(S::Submitted, A::Approve, Staff), Ok(S::Approved));
        let refused = transition(S::Submitted, A::Approve, FundManager).unwrap_err();
        assert_eq!(refused.current, "submitted");
        assert!(refused.allowed.is_empty());
        assert!(transition(S::Disbursed, A::MarkOverdue, Staff).is_err());
        assert_eq!(allowed(S::Disbursed, FundManager), vec![A::Repay]);
    }

    #[test]
    fn settled_loans_take_no_step() {
        for actor in [Enterprise, FundManager, Staff, System] {
            assert!(allowed(S::Settled, actor).is_empty());
        }
    }
}
