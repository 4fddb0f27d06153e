//! Athena's pricing rule applied to bytes scanned.
//!
//! Athena bills data scanned at a price per terabyte, rounding each query up to the next
//! megabyte with a 10 MB minimum per query, even a query that reads nothing but footers. DDL and
//! failed queries are free; callers decide that and skip billing. Units are binary (1 MB = 2^20
//! bytes, 1 TB = 2^40 bytes), as Athena reports them.

/// One megabyte as Athena rounds it.
pub const MEGABYTE: u64 = 1 << 20;
/// One terabyte as Athena prices it.
pub const TERABYTE: u64 = 1 << 40;
/// The smallest amount a scanning query is billed for.
pub const MINIMUM_BILLED_BYTES: u64 = 10 * MEGABYTE;
/// Athena's list price in most regions.
pub const DEFAULT_PRICE_PER_TB_USD: f64 = 5.0;

/// Prices bytes scanned the way Athena bills them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    pub usd_per_tb: f64,
}

impl Default for Pricing {
    fn default() -> Self {
        Self {
            usd_per_tb: DEFAULT_PRICE_PER_TB_USD,
        }
    }
}

impl Pricing {
    /// Bytes billed for a query that scanned `bytes_scanned`.
    pub fn billed_bytes(self, bytes_scanned: u64) -> u64 {
        bytes_scanned
            .div_ceil(MEGABYTE)
            .saturating_mul(MEGABYTE)
            .max(MINIMUM_BILLED_BYTES)
    }

    /// Dollars for a query that scanned `bytes_scanned`.
    pub fn cost_usd(self, bytes_scanned: u64) -> f64 {
        self.billed_bytes(bytes_scanned) as f64 / TERABYTE as f64 * self.usd_per_tb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_that_reads_only_footers_still_pays_the_minimum() {
        assert_eq!(Pricing::default().billed_bytes(0), 10 * 1_048_576);
    }

    #[test]
    fn small_scans_pay_the_ten_megabyte_minimum() {
        let pricing = Pricing::default();
        assert_eq!(pricing.billed_bytes(1), 10 * 1_048_576);
        assert_eq!(pricing.billed_bytes(10 * 1_048_576), 10 * 1_048_576);
    }

    #[test]
    fn larger_scans_round_up_to_the_next_megabyte() {
        let pricing = Pricing::default();
        assert_eq!(pricing.billed_bytes(10 * 1_048_576 + 1), 11 * 1_048_576);
        assert_eq!(pricing.billed_bytes(20 * 1_048_576), 20 * 1_048_576);
    }

    #[test]
    fn one_terabyte_costs_the_configured_price() {
        let tb = 1_099_511_627_776_u64;
        assert!((Pricing::default().cost_usd(tb) - 5.0).abs() < 1e-9);
        assert!((Pricing { usd_per_tb: 6.25 }.cost_usd(tb) - 6.25).abs() < 1e-9);
        // The minimum: 10 MiB of a TiB at $5.
        let minimum = 10.0 / 1_048_576.0 * 5.0;
        assert!((Pricing::default().cost_usd(1) - minimum).abs() < 1e-12);
    }
}
