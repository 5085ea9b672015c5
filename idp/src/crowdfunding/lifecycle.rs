//! A project's life as a state enum and one pure transition function: who may do what from
//! which state. Routes load a project, ask [`transition`], store the result; the clock and the
//! totals come in as facts, so every rule is testable without a database.

use serde::{Deserialize, Serialize};

/// Where a crowdfunding project is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CrowdfundingState)]
pub enum State {
    /// Being written by its initiator (also after staff returned it with feedback).
    Draft,
    /// Waiting for staff review.
    Submitted,
    /// Approved and open for backing until its end.
    Listed,
    /// Ended having raised its target.
    Succeeded,
    /// Ended short of its target; paid orders are refunded.
    Failed,
    /// Refused by staff.
    Rejected,
    /// Removed by staff on the initiator's request.
    Deleted,
}

impl State {
    /// Whether anyone may see a project in this state (the public page, the list).
    pub fn is_public(self) -> bool {
        matches!(self, State::Listed | State::Succeeded | State::Failed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Listed => "listed",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Rejected => "rejected",
            State::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        Some(match text {
            "draft" => State::Draft,
            "submitted" => State::Submitted,
            "listed" => State::Listed,
            "succeeded" => State::Succeeded,
            "failed" => State::Failed,
            "rejected" => State::Rejected,
            "deleted" => State::Deleted,
            _ => return None,
        })
    }

    /// 中文名, for pages.
    pub fn label_zh(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::Submitted => "待审核",
            State::Listed => "众筹中",
            State::Succeeded => "众筹成功",
            State::Failed => "众筹失败",
            State::Rejected => "未通过审核",
            State::Deleted => "已删除",
        }
    }
}

/// Something someone wants to do to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CrowdfundingAction)]
pub enum Action {
    /// Change the draft's fields or rewards.
    Edit,
    /// Hand the draft to staff.
    Submit,
    /// Staff: list it; funding starts now.
    Approve,
    /// Staff: back to draft with feedback.
    Return,
    /// Staff: refuse it.
    Reject,
    /// Initiator: ask staff to delete it (only while nobody has paid).
    RequestDeletion,
    /// Staff: carry out a requested deletion.
    Delete,
    /// The scheduler: the funding period is over.
    Close,
    /// Initiator: apply for an innovation voucher (successful projects).
    ApplySubsidy,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Edit,
        Action::Submit,
        Action::Approve,
        Action::Return,
        Action::Reject,
        Action::RequestDeletion,
        Action::Delete,
        Action::Close,
        Action::ApplySubsidy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::RequestDeletion => "request_deletion",
            Action::Delete => "delete",
            Action::Close => "close",
            Action::ApplySubsidy => "apply_subsidy",
        }
    }
}

/// Who is acting, relative to the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A member of the initiating organisation.
    Initiator,
    /// Platform staff (administrators).
    Staff,
    /// The scheduler closing ended projects.
    System,
    /// Anyone else.
    Other,
}

/// What the transition needs to know besides the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub now: i64,
    pub ends_at: Option<i64>,
    pub raised_fen: i64,
    pub target_fen: i64,
    /// Paid orders (a deletion is possible only while there are none).
    pub paid_orders: i64,
    pub deletion_requested: bool,
    pub subsidy_applied: bool,
}

/// A transition that is not allowed, with what is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub current: State,
    pub allowed: Vec<Action>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The state after `action`, or why not. Pure.
pub fn transition(
    state: State,
    action: Action,
    actor: Actor,
    facts: &Facts,
) -> Result<State, Refusal> {
    use Action as A;
    use Actor::*;
    use State as S;
    let next = match (state, action, actor) {
        (S::Draft, A::Edit | A::Submit, Initiator) => Some(if action == A::Submit {
            S::Submitted
        } else {
            S::Draft
        }),
        (S::Submitted, A::Approve, Staff) => Some(S::Listed),
        (S::Submitted, A::Return, Staff) => Some(S::Draft),
        (S::Submitted, A::Reject, Staff) => Some(S::Rejected),
        (S::Draft | S::Submitted | S::Listed, A::RequestDeletion, Initiator)
            if facts.paid_orders == 0 && !facts.deletion_requested =>
        {
            Some(state)
        }
        (S::Draft | S::Submitted | S::Listed, A::Delete, Staff)
            if facts.deletion_requested && facts.paid_orders == 0 =>
        {
            Some(S::Deleted)
        }
        (S::Listed, A::Close, System | Staff)
            if facts.ends_at.is_some_and(|end| facts.now >= end) =>
        {
            Some(if facts.raised_fen >= facts.target_fen {
                S::Succeeded
            } else {
                S::Failed
            })
        }
        (S::Succeeded, A::ApplySubsidy, Initiator) if !facts.subsidy_applied => Some(S::Succeeded),
        _ => None,
    };
    next.ok_or_else(|| {
        let allowed = allowed_actions(state, actor, facts);
        let (reason_zh, reason_en) = why_not(state, action, actor, facts);
        Refusal {
            current: state,
            allowed,
            reason_zh,
            reason_en,
        }
    })
}

/// Every action `actor` may take now.
pub fn allowed_actions(state: State, actor: Actor, facts: &Facts) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| {
            // Direct match, not through `transition`, to avoid recursion in refusals.
            matches!(
                (state, a, actor),
                (
                    State::Draft,
                    Action::Edit | Action::Submit,
                    Actor::Initiator
                ) | (
                    State::Submitted,
                    Action::Approve | Action::Return | Action::Reject,
                    Actor::Staff
                )
            ) || (matches!(a, Action::RequestDeletion)
                && actor == Actor::Initiator
                && matches!(state, State::Draft | State::Submitted | State::Listed)
                && facts.paid_orders == 0
                && !facts.deletion_requested)
                || (matches!(a, Action::Delete)
                    && actor == Actor::Staff
                    && matches!(state, State::Draft | State::Submitted | State::Listed)
                    && facts.deletion_requested
                    && facts.paid_orders == 0)
                || (matches!(a, Action::Close)
                    && matches!(actor, Actor::System | Actor::Staff)
                    && state == State::Listed
                    && facts.ends_at.is_some_and(|end| facts.now >= end))
                || (matches!(a, Action::ApplySubsidy)
                    && actor == Actor::Initiator
                    && state == State::Succeeded
                    && !facts.subsidy_applied)
        })
        .collect()
}

fn why_not(state: State, action: Action, actor: Actor, facts: &Facts) -> (String, String) {
    let role = match actor {
        Actor::Initiator => ("发起人", "the initiator"),
        Actor::Staff => ("平台管理人员", "platform staff"),
        Actor::System => ("系统", "the scheduler"),
        Actor::Other => (
            "非发起机构的用户",
            "someone outside the initiating organisation",
        ),
    };
    if action == Action::RequestDeletion && facts.paid_orders > 0 {
        return (
            "已有人支付，不能再申请删除".into(),
            "someone has paid; deletion can no longer be requested".into(),
        );
    }
    if action == Action::Close && state == State::Listed {
        return (
            "众筹期尚未结束".into(),
            "the funding period has not ended".into(),
        );
    }
    (
        format!(
            "{}不能在“{}”状态下执行 {}",
            role.0,
            state.label_zh(),
            action.as_str()
        ),
        format!(
            "{} cannot {} a project that is {}",
            role.1,
            action.as_str(),
            state.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            now: 1000,
            target_fen: 100,
            ..Default::default()
        }
    }

    #[test]
    fn the_review_path() {
        let f = facts();
        assert_eq!(
            transition(State::Draft, Action::Submit, Actor::Initiator, &f),
            Ok(State::Submitted)
        );
        assert_eq!(
            transition(State::Submitted, Action::Return, Actor::Staff, &f),
            Ok(State::Draft)
        );
        assert_eq!(
            transition(State::Submitted, Action::Approve, Actor::Staff, &f),
            Ok(State::Listed)
        );
        assert_eq!(
            transition(State::Submitted, Action::Reject, Actor::Staff, &f),
            Ok(State::Rejected)
        );
        let refused =
            transition(State::Submitted, Action::Approve, Actor::Initiator, &f).unwrap_err();
        assert_eq!(refused.current, State::Submitted);
        assert!(refused.allowed.contains(&Action::RequestDeletion));
        assert!(transition(State::Listed, Action::Edit, Actor::Initiator, &f).is_err());
    }

    #[test]
    fn closing_needs_the_end_and_judges_the_total() {
        let mut f = facts();
        f.ends_at = Some(2000);
        assert!(transition(State::Listed, Action::Close, Actor::System, &f).is_err());
        f.now = 2000;
        assert_eq!(
            transition(State::Listed, Action::Close, Actor::System, &f),
            Ok(State::Failed)
        );
        f.raised_fen = 100;
        assert_eq!(
            transition(State::Listed, Action::Close, Actor::System, &f),
            Ok(State::Succeeded)
        );
    }

    #[test]
    fn deletion_only_before_anyone_paid() {
        let mut f = facts();
        assert_eq!(
            transition(State::Listed, Action::RequestDeletion, Actor::Initiator, &f),
            Ok(State::Listed)
        );
        assert!(
            transition(State::Listed, Action::Delete, Actor::Staff, &f).is_err(),
            "not requested"
        );
        f.deletion_requested = true;
        assert_eq!(
            transition(State::Listed, Action::Delete, Actor::Staff, &f),
            Ok(State::Deleted)
        );
        f.paid_orders = 1;
        assert!(transition(State::Listed, Action::Delete, Actor::Staff, &f).is_err());
        f.deletion_requested = false;
        let refused =
            transition(State::Listed, Action::RequestDeletion, Actor::Initiator, &f).unwrap_err();
        assert!(refused.reason_zh.contains("已有人支付"));
    }

    #[test]
    fn allowed_actions_agree_with_transition() {
        let states = [
            State::Draft,
            State::Submitted,
            State::Listed,
            State::Succeeded,
            State::Failed,
            State::Rejected,
            State::Deleted,
        ];
        let actors = [Actor::Initiator, Actor::Staff, Actor::System, Actor::Other];
        for paid in [0, 1] {
            for requested in [false, true] {
                for now in [1000, 3000] {
                    let f = Facts {
                        now,
                        ends_at: Some(2000),
                        paid_orders: paid,
                        deletion_requested: requested,
                        target_fen: 1,
                        ..Default::default()
                    };
                    for s in states {
                        for a in actors {
                            let allowed = allowed_actions(s, a, &f);
                            for action in Action::ALL {
                                assert_eq!(
                                    transition(s, action, a, &f).is_ok(),
                                    allowed.contains(&action),
                                    "{s:?} {action:?} {a:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
