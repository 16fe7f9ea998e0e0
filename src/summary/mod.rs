//! Summary: aggregates over a dataset for analysts, as CSV. The only module
//! that uses polars (`aggregate`, behind the `summary` feature; what the
//! command line offers is here, built either way). Blank and
//! dash cells count as 0; missing and invalid cells are left out of sums
//! and counted in `cells_missing`.
//! A blank 总计 of table 三 beside non-zero applicant columns is not a 0:
//! the checks read it as not reported, and the summaries read it as the sum
//! of those columns, counted in `totals_from_parts`.

/// Columns `xxgk summary` can group by.
pub const GROUP_COLUMNS: [&str; 7] = ["year", "province", "city", "county", "admin_level", "agency", "template"];
/// The summaries analysts ask for (`--preset`).
pub const PRESETS: [&str; 4] = ["requests", "outcomes", "appeals", "quality"];

#[cfg(feature = "summary")]
mod aggregate;
#[cfg(feature = "summary")]
pub use aggregate::{run, SummaryOptions};
