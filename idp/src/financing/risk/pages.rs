//! Console pages of risk monitoring (placeholder until the pages land).
