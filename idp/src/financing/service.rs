//! The financing service: its policy and the operations the API, the pages and the scheduler
//! call (defined in the files of each area of work).

use super::{Policy, Terms};

pub struct Service {
    pub policy: Policy,
    pub terms: Terms,
}

impl Service {
    pub fn new(policy: Policy, terms: Terms) -> Self {
        Service { policy, terms }
    }
}
