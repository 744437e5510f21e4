//! Entity search latency: every keystroke of a few queries over 5 000 F&O-like entity names.
//!
//! `cargo bench --bench entity_search`; prints median and worst time per keystroke.

use std::time::Instant;

use flowbench::odata::entity_index::{EntityEntry, EntityIndex};

const WORDS: [&str; 24] = [
    "Customer",
    "Vendor",
    "Sales",
    "Purchase",
    "Order",
    "Line",
    "Header",
    "Invoice",
    "Journal",
    "Ledger",
    "Product",
    "Released",
    "Inventory",
    "Warehouse",
    "Location",
    "Worker",
    "Payroll",
    "Project",
    "Budget",
    "Asset",
    "Tax",
    "Bank",
    "Payment",
    "Transaction",
];

/// Deterministic F&O-like names: two or three words plus a version suffix.
fn names(count: usize) -> Vec<String> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|i| {
            let words = 2 + (next() % 2) as usize;
            let mut name: String = (0..words).map(|_| WORDS[(next() % 24) as usize]).collect();
            name.push_str(&format!("V{}{}", i % 4 + 1, i));
            name
        })
        .collect()
}

fn main() {
    let count = 5_000;
    let entries = names(count)
        .into_iter()
        .map(|name| EntityEntry {
            label: name.clone(),
            keys: vec!["dataAreaId".into(), "Id".into()],
            entity_type: format!("Microsoft.Dynamics.DataEntities.{name}"),
            name,
        })
        .collect();
    let build = Instant::now();
    let index = EntityIndex::new(entries);
    println!(
        "index of {count} entities built in {:.2} ms",
        build.elapsed().as_secs_f64() * 1e3
    );

    let mut per_keystroke = Vec::new();
    for query in [
        "customer",
        "soh",
        "salesorderline",
        "invjour",
        "ledgertrans",
        "zzz",
    ] {
        for end in 1..=query.len() {
            let typed = &query[..end];
            // Repeat each keystroke to get a stable figure.
            for _ in 0..20 {
                let start = Instant::now();
                let hits = index.search(typed, 50);
                per_keystroke.push(start.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(hits);
            }
        }
    }
    per_keystroke.sort_by(f64::total_cmp);
    let median = per_keystroke[per_keystroke.len() / 2];
    let p95 = per_keystroke[per_keystroke.len() * 95 / 100];
    let worst = per_keystroke[per_keystroke.len() - 1];
    println!(
        "search over {count} entities: median {median:.3} ms, p95 {p95:.3} ms, worst {worst:.3} ms per keystroke ({} samples)",
        per_keystroke.len()
    );
}
