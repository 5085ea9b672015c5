//! The life of a demand and of a service order, each as a state enum and one pure rule table:
//! [`DemandState::allowed`] and [`OrderState::allowed`] list what an actor may do given the
//! facts, and the transition functions accept exactly those actions. Routes load the entity,
//! ask, and store the result; the clock and the counts come in as facts, so every rule is
//! testable without a database.

use serde::{Deserialize, Serialize};

use super::error::Refusal;

macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $name:ident as $schema:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $zh:literal),* $(,)? }) => {
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

            /// 中文名, for pages and messages.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
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
    /// Where a demand (需求) is.
    pub enum DemandState as CrowdsourcingDemandState {
        /// Being written (also after staff returned it, or the named provider declined).
        Draft = "draft" / "草稿",
        /// Waiting for staff review.
        Submitted = "submitted" / "待审核",
        /// Approved reward (悬赏) demand waiting for its fee to be paid into escrow.
        AwaitingEscrow = "awaiting_escrow" / "待托管赏金",
        /// On the portal, open to responses.
        Listed = "listed" / "对接中",
        /// A provider was chosen: the service order carries on.
        Dealt = "dealt" / "已成交",
        /// Its validity date passed without a deal.
        Expired = "expired" / "已过期",
        /// Refused by staff.
        Rejected = "rejected" / "未通过审核",
        /// Deleted (a listed one after staff confirmed the deletion).
        Deleted = "deleted" / "已删除",
    }
}

names! {
    /// Something someone wants to do to a demand.
    pub enum DemandAction as CrowdsourcingDemandAction {
        Edit = "edit" / "修改草稿",
        Submit = "submit" / "提交审核",
        Approve = "approve" / "审核通过",
        Return = "return" / "退回修改",
        Reject = "reject" / "驳回",
        /// Owner: change a listed demand; staff re-review the change (复核).
        Modify = "modify" / "修改服务",
        ConfirmChange = "confirm_change" / "确认修改",
        RefuseChange = "refuse_change" / "不同意修改",
        /// Owner: delete a draft at once.
        Delete = "delete" / "删除草稿",
        /// Owner: ask to delete a demand staff have seen; staff re-review it.
        RequestDeletion = "request_deletion" / "申请删除",
        ConfirmDeletion = "confirm_deletion" / "确认删除",
        RefuseDeletion = "refuse_deletion" / "不同意删除",
        /// Owner: pay a reward demand's fee into escrow.
        PayEscrow = "pay_escrow" / "托管赏金",
        /// Provider: submit a proposal (or, in reward mode, work).
        Respond = "respond" / "项目响应",
        /// Owner: choose a response (reward: the winner; tender: its proposal as the terms).
        Select = "select" / "选定接包方",
        /// The named provider of a direct demand.
        AcceptDirect = "accept_direct" / "接受指定",
        DeclineDirect = "decline_direct" / "拒绝指定",
        /// The scheduler (or staff): its validity date has passed.
        Expire = "expire" / "过期关闭",
    }
}

names! {
    /// The three ways a demand finds its provider.
    pub enum Mode as CrowdsourcingMode {
        /// 悬赏: the fee is held from listing; providers submit work; the owner picks the winner.
        Reward = "reward" / "悬赏",
        /// 招标: providers propose and negotiate; escrow is paid when one is chosen.
        Tender = "tender" / "招标",
        /// 指定: the owner names one provider's service product; it accepts or declines.
        Direct = "direct" / "指定",
    }
}

/// Who acts on a demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandActor {
    /// A member of the publishing enterprise.
    Owner,
    /// Platform staff.
    Staff,
    /// A service provider (not the owner).
    Provider,
    /// The provider a direct demand names.
    NamedProvider,
    /// The scheduler.
    System,
    Other,
}

/// What the demand rules need besides the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemandFacts {
    pub mode_reward: bool,
    pub mode_direct: bool,
    pub pending_change: bool,
    pub deletion_requested: bool,
    /// Its validity date has passed.
    pub expired: bool,
    /// The caller has responded already.
    pub responded: bool,
    /// Responses that can be selected.
    pub open_responses: i64,
}

impl DemandState {
    /// Whether the portal shows it.
    pub fn is_public(self) -> bool {
        matches!(self, DemandState::Listed | DemandState::Dealt)
    }

    /// Every action `actor` may take now.
    pub fn allowed(self, actor: DemandActor, f: &DemandFacts) -> Vec<DemandAction> {
        use DemandAction as A;
        use DemandActor::*;
        use DemandState as S;
        let quiet = !f.pending_change && !f.deletion_requested;
        let mut out = Vec::new();
        let mut allow = |cond: bool, action: DemandAction| {
            if cond {
                out.push(action);
            }
        };
        match (self, actor) {
            (S::Draft, Owner) => {
                allow(true, A::Edit);
                allow(true, A::Submit);
                allow(true, A::Delete);
            }
            (S::Submitted, Staff) => {
                allow(!f.deletion_requested, A::Approve);
                allow(!f.deletion_requested, A::Return);
                allow(!f.deletion_requested, A::Reject);
            }
            (S::AwaitingEscrow, Owner) => allow(!f.deletion_requested, A::PayEscrow),
            (S::Listed, Owner) => {
                allow(quiet && !f.expired, A::Modify);
                allow(
                    !f.mode_direct && f.open_responses > 0 && !f.deletion_requested,
                    A::Select,
                );
            }
            (S::Listed, Provider) => {
                allow(!f.mode_direct && !f.expired && !f.responded, A::Respond)
            }
            (S::Listed, NamedProvider) => {
                allow(f.mode_direct && !f.expired, A::AcceptDirect);
                allow(f.mode_direct && !f.expired, A::DeclineDirect);
            }
            (S::Listed, Staff) => {
                allow(f.pending_change, A::ConfirmChange);
                allow(f.pending_change, A::RefuseChange);
            }
            _ => {}
        }
        // Deletion, by request and staff re-review, until a provider is chosen.
        if matches!(self, S::Submitted | S::AwaitingEscrow | S::Listed) {
            match actor {
                Owner => allow(quiet, A::RequestDeletion),
                Staff => {
                    allow(f.deletion_requested, A::ConfirmDeletion);
                    allow(f.deletion_requested, A::RefuseDeletion);
                }
                _ => {}
            }
        }
        if matches!(self, S::AwaitingEscrow | S::Listed)
            && matches!(actor, System | Staff)
            && f.expired
        {
            allow(true, A::Expire);
        }
        out
    }

    /// The state after `action`, or why not.
    pub fn transition(
        self,
        action: DemandAction,
        actor: DemandActor,
        f: &DemandFacts,
    ) -> Result<DemandState, Refusal> {
        use DemandAction as A;
        use DemandState as S;
        let allowed = self.allowed(actor, f);
        if !allowed.contains(&action) {
            return Err(refusal(
                self.as_str(),
                self.label_zh(),
                action.as_str(),
                allowed.iter().map(|a| a.as_str()).collect(),
                actor_names(actor),
                why_not_demand(self, action, f),
            ));
        }
        Ok(match action {
            A::Submit => S::Submitted,
            A::Approve if f.mode_reward => S::AwaitingEscrow,
            A::Approve | A::PayEscrow => S::Listed,
            A::Return | A::DeclineDirect => S::Draft,
            A::Reject => S::Rejected,
            A::Delete | A::ConfirmDeletion => S::Deleted,
            A::Select | A::AcceptDirect => S::Dealt,
            A::Expire => S::Expired,
            A::Edit
            | A::Modify
            | A::ConfirmChange
            | A::RefuseChange
            | A::RequestDeletion
            | A::RefuseDeletion
            | A::Respond => self,
        })
    }
}

fn actor_names(actor: DemandActor) -> (&'static str, &'static str) {
    match actor {
        DemandActor::Owner => ("发包方", "the publishing enterprise"),
        DemandActor::Staff => ("平台管理人员", "platform staff"),
        DemandActor::Provider => ("接包方", "a service provider"),
        DemandActor::NamedProvider => ("被指定的接包方", "the named provider"),
        DemandActor::System => ("系统", "the scheduler"),
        DemandActor::Other => ("该用户", "this caller"),
    }
}

fn why_not_demand(
    state: DemandState,
    action: DemandAction,
    f: &DemandFacts,
) -> Option<(&'static str, &'static str)> {
    use DemandAction as A;
    Some(match action {
        A::Modify | A::RequestDeletion if f.pending_change => (
            "已有修改在等待复核",
            "a change is already waiting for staff re-review",
        ),
        A::Modify | A::RequestDeletion if f.deletion_requested => (
            "已申请删除，正在等待复核",
            "a deletion is already waiting for staff re-review",
        ),
        A::RequestDeletion | A::Delete if state == DemandState::Dealt => (
            "已有接包方被选定，不能删除",
            "a provider has been chosen; the demand can no longer be deleted",
        ),
        A::Respond if f.responded => ("您已响应过该需求", "you have responded already"),
        A::Respond if f.mode_direct => (
            "指定需求只接受被指定的服务机构",
            "a direct demand is for the named provider only",
        ),
        A::Respond | A::Modify | A::AcceptDirect if f.expired => {
            ("需求已过有效期", "the demand's validity date has passed")
        }
        A::Select if f.open_responses == 0 => ("还没有可选的响应", "no response to choose yet"),
        A::Expire if !f.expired => ("需求尚未到期", "the demand has not expired"),
        _ => return None,
    })
}

fn refusal(
    current: &'static str,
    current_zh: &str,
    action: &str,
    allowed: Vec<&'static str>,
    (role_zh, role_en): (&str, &str),
    reason: Option<(&str, &str)>,
) -> Refusal {
    let (reason_zh, reason_en) = match reason {
        Some((zh, en)) => (zh.to_owned(), en.to_owned()),
        None => (
            format!("{role_zh}不能在“{current_zh}”状态下执行 {action}"),
            format!("{role_en} cannot {action} while it is {current}"),
        ),
    };
    Refusal {
        current,
        allowed,
        reason_zh,
        reason_en,
    }
}

names! {
    /// Where a service order (服务订单) is.
    pub enum OrderState as CrowdsourcingOrderState {
        /// Terms agreed; the enterprise pays the amount into escrow before work starts.
        AwaitingEscrow = "awaiting_escrow" / "待托管",
        /// Escrow held; the provider works.
        InProgress = "in_progress" / "服务中",
        /// Delivered; the enterprise accepts or sends it back.
        Delivered = "delivered" / "待验收",
        /// A dispute waits for staff.
        Disputed = "disputed" / "争议处理中",
        /// Accepted (or decided for the provider): the escrow is released.
        Completed = "completed" / "已完成",
        /// Decided with part of the escrow refunded, the rest released.
        PartiallyRefunded = "partially_refunded" / "部分退款",
        /// The escrow went back to the enterprise.
        Refunded = "refunded" / "已退款",
        /// Called off before any money was paid.
        Cancelled = "cancelled" / "已取消",
    }
}

names! {
    /// Something someone wants to do to a service order.
    pub enum OrderAction as CrowdsourcingOrderAction {
        PayEscrow = "pay_escrow" / "托管费用",
        Cancel = "cancel" / "取消",
        Deliver = "deliver" / "交付",
        Accept = "accept" / "验收通过",
        Rework = "rework" / "退回返工",
        AutoAccept = "auto_accept" / "超时自动验收",
        OpenDispute = "open_dispute" / "发起争议",
        AnswerDispute = "answer_dispute" / "答复争议",
        Decide = "decide" / "裁决争议",
        EvaluateProvider = "evaluate_provider" / "评价接包方",
        EvaluateEnterprise = "evaluate_enterprise" / "评价发包方",
        ApplySubsidy = "apply_subsidy" / "申请服务补贴",
    }
}

/// Which side of an order someone is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CrowdsourcingSide)]
pub enum Side {
    Enterprise,
    Provider,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Enterprise => "enterprise",
            Side::Provider => "provider",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "enterprise" => Some(Side::Enterprise),
            "provider" => Some(Side::Provider),
            _ => None,
        }
    }
}

/// Who acts on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderActor {
    Party(Side),
    Staff,
    System,
    Other,
}

/// What the order rules need besides the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderFacts {
    pub now: i64,
    /// When the scheduler may accept a delivery on the enterprise's behalf.
    pub auto_accept_at: Option<i64>,
    pub rework_rounds: i64,
    pub max_rework_rounds: i64,
    pub dispute_opened_by: Option<Side>,
    pub dispute_answered: bool,
    pub evaluated_by_enterprise: bool,
    pub evaluated_by_provider: bool,
    pub subsidy_applied: bool,
}

impl OrderState {
    /// Every action `actor` may take now.
    pub fn allowed(self, actor: OrderActor, f: &OrderFacts) -> Vec<OrderAction> {
        use OrderAction as A;
        use OrderActor::*;
        use OrderState as S;
        use Side::*;
        let mut out = Vec::new();
        let mut allow = |cond: bool, action: OrderAction| {
            if cond {
                out.push(action);
            }
        };
        let worked = matches!(self, S::Completed | S::PartiallyRefunded);
        match actor {
            Party(Enterprise) => {
                allow(self == S::AwaitingEscrow, A::PayEscrow);
                allow(self == S::AwaitingEscrow, A::Cancel);
                allow(self == S::Delivered, A::Accept);
                allow(
                    self == S::Delivered && f.rework_rounds < f.max_rework_rounds,
                    A::Rework,
                );
                allow(matches!(self, S::InProgress | S::Delivered), A::OpenDispute);
                allow(
                    self == S::Disputed
                        && f.dispute_opened_by == Some(Provider)
                        && !f.dispute_answered,
                    A::AnswerDispute,
                );
                allow(worked && !f.evaluated_by_enterprise, A::EvaluateProvider);
                allow(
                    !matches!(self, S::Cancelled | S::Refunded) && !f.subsidy_applied,
                    A::ApplySubsidy,
                );
            }
            Party(Provider) => {
                allow(self == S::AwaitingEscrow, A::Cancel);
                allow(self == S::InProgress, A::Deliver);
                allow(matches!(self, S::InProgress | S::Delivered), A::OpenDispute);
                allow(
                    self == S::Disputed
                        && f.dispute_opened_by == Some(Enterprise)
                        && !f.dispute_answered,
                    A::AnswerDispute,
                );
                allow(worked && !f.evaluated_by_provider, A::EvaluateEnterprise);
            }
            Staff => allow(self == S::Disputed, A::Decide),
            System => allow(
                self == S::Delivered && f.auto_accept_at.is_some_and(|at| f.now >= at),
                A::AutoAccept,
            ),
            Other => {}
        }
        out
    }

    /// The state after `action`, or why not. A staff decision's outcome is chosen by the
    /// decision itself ([`Decision`]).
    pub fn transition(
        self,
        action: OrderAction,
        actor: OrderActor,
        f: &OrderFacts,
    ) -> Result<OrderState, Refusal> {
        use OrderAction as A;
        use OrderState as S;
        let allowed = self.allowed(actor, f);
        if !allowed.contains(&action) {
            let role = match actor {
                OrderActor::Party(Side::Enterprise) => ("发包方", "the enterprise"),
                OrderActor::Party(Side::Provider) => ("接包方", "the provider"),
                OrderActor::Staff => ("平台管理人员", "platform staff"),
                OrderActor::System => ("系统", "the scheduler"),
                OrderActor::Other => ("该用户", "this caller"),
            };
            let reason = match action {
                A::Rework if self == S::Delivered => Some((
                    "返工次数已达上限，请验收或发起争议",
                    "the rework limit is reached; accept the delivery or open a dispute",
                )),
                A::AutoAccept if self == S::Delivered => {
                    Some(("验收期限尚未届满", "the acceptance window has not passed"))
                }
                A::EvaluateProvider | A::EvaluateEnterprise
                    if f.evaluated_by_enterprise || f.evaluated_by_provider =>
                {
                    Some(("每方只能评价一次", "each side evaluates once"))
                }
                A::ApplySubsidy if f.subsidy_applied => {
                    Some(("该订单已申请过服务补贴", "this order has applied already"))
                }
                _ => None,
            };
            return Err(refusal(
                self.as_str(),
                self.label_zh(),
                action.as_str(),
                allowed.iter().map(|a| a.as_str()).collect(),
                role,
                reason,
            ));
        }
        Ok(match action {
            A::PayEscrow => S::InProgress,
            A::Cancel => S::Cancelled,
            A::Deliver => S::Delivered,
            A::Accept | A::AutoAccept => S::Completed,
            A::Rework => S::InProgress,
            A::OpenDispute => S::Disputed,
            // The decision picks the outcome; see `Decision::outcome`.
            A::Decide
            | A::AnswerDispute
            | A::EvaluateProvider
            | A::EvaluateEnterprise
            | A::ApplySubsidy => self,
        })
    }
}

/// Staff's decision on a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CrowdsourcingDecision)]
pub enum Decision {
    /// The provider is paid in full.
    Release,
    /// Part of the escrow (`refund_amount`) goes back; the rest is released.
    PartialRefund,
    /// Everything goes back to the enterprise.
    FullRefund,
}

impl Decision {
    pub fn outcome(self) -> OrderState {
        match self {
            Decision::Release => OrderState::Completed,
            Decision::PartialRefund => OrderState::PartiallyRefunded,
            Decision::FullRefund => OrderState::Refunded,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Release => "release",
            Decision::PartialRefund => "partial_refund",
            Decision::FullRefund => "full_refund",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_then_escrow_for_reward_demands() {
        let mut f = DemandFacts {
            mode_reward: true,
            ..Default::default()
        };
        let s = DemandState::Draft
            .transition(DemandAction::Submit, DemandActor::Owner, &f)
            .unwrap();
        assert_eq!(
            s.transition(DemandAction::Approve, DemandActor::Staff, &f),
            Ok(DemandState::AwaitingEscrow)
        );
        f.mode_reward = false;
        assert_eq!(
            s.transition(DemandAction::Approve, DemandActor::Staff, &f),
            Ok(DemandState::Listed)
        );
        let refused = s
            .transition(DemandAction::Approve, DemandActor::Owner, &f)
            .unwrap_err();
        assert_eq!(refused.current, "submitted");
        assert_eq!(refused.allowed, vec!["request_deletion"]);
    }

    #[test]
    fn a_pending_change_blocks_another_and_deletion() {
        let f = DemandFacts {
            pending_change: true,
            ..Default::default()
        };
        let refused = DemandState::Listed
            .transition(DemandAction::Modify, DemandActor::Owner, &f)
            .unwrap_err();
        assert!(refused.reason_zh.contains("复核"), "{refused:?}");
        assert!(
            DemandState::Listed
                .allowed(DemandActor::Staff, &f)
                .contains(&DemandAction::ConfirmChange)
        );
        assert!(
            DemandState::Dealt
                .transition(
                    DemandAction::RequestDeletion,
                    DemandActor::Owner,
                    &DemandFacts::default()
                )
                .unwrap_err()
                .reason_en
                .contains("chosen")
        );
    }

    #[test]
    fn rework_has_a_limit_and_silence_accepts() {
        let mut f = OrderFacts {
            now: 100,
            auto_accept_at: Some(200),
            rework_rounds: 3,
            max_rework_rounds: 3,
            ..Default::default()
        };
        let enterprise = OrderActor::Party(Side::Enterprise);
        assert!(
            OrderState::Delivered
                .transition(OrderAction::Rework, enterprise, &f)
                .unwrap_err()
                .reason_en
                .contains("rework limit")
        );
        assert!(
            OrderState::Delivered
                .transition(OrderAction::AutoAccept, OrderActor::System, &f)
                .is_err()
        );
        f.now = 200;
        assert_eq!(
            OrderState::Delivered.transition(OrderAction::AutoAccept, OrderActor::System, &f),
            Ok(OrderState::Completed)
        );
        f.rework_rounds = 1;
        assert_eq!(
            OrderState::Delivered.transition(OrderAction::Rework, enterprise, &f),
            Ok(OrderState::InProgress)
        );
    }

    #[test]
    fn only_the_other_side_answers_a_dispute() {
        let f = OrderFacts {
            dispute_opened_by: Some(Side::Enterprise),
            ..Default::default()
        };
        assert!(
            OrderState::Disputed
                .transition(
                    OrderAction::AnswerDispute,
                    OrderActor::Party(Side::Enterprise),
                    &f
                )
                .is_err()
        );
        assert!(
            OrderState::Disputed
                .transition(
                    OrderAction::AnswerDispute,
                    OrderActor::Party(Side::Provider),
                    &f
                )
                .is_ok()
        );
        assert_eq!(
            OrderState::Disputed.allowed(OrderActor::Staff, &f),
            vec![OrderAction::Decide]
        );
    }
}
