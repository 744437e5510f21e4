//! Deterministic seed data (fixed-seed random): companies, groups, customers, vendors,
//! products, warehouses, sales orders with lines, exchange rates. Runs in one transaction
//! with prepared statements, so 100 000 customers stay fast.

use std::cell::Cell;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Statement, params_from_iter};

use super::ddl::{VERSION_COLUMN, quote};
use super::schema::{EntityDef, entity_by_set};
use super::seed_data::{
    COMPANIES, GROUPS, NAME_FIRST, NAME_SECOND, PRODUCT_ADJ, PRODUCT_NOUN, RATE_PAIRS,
};

struct Inserter<'c> {
    statement: Statement<'c>,
    version: &'c Cell<i64>,
}

impl<'c> Inserter<'c> {
    fn new(
        conn: &'c Connection,
        entity: &EntityDef,
        version: &'c Cell<i64>,
    ) -> rusqlite::Result<Self> {
        let mut cols: Vec<String> = entity.fields.iter().map(|f| quote(f.name)).collect();
        cols.push(VERSION_COLUMN.into());
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(entity.table()),
            cols.join(", "),
            vec!["?"; cols.len()].join(", ")
        );
        Ok(Self {
            statement: conn.prepare(&sql)?,
            version,
        })
    }

    fn insert(&mut self, mut values: Vec<SqlValue>) -> rusqlite::Result<()> {
        let next = self.version.get() + 1;
        self.version.set(next);
        values.push(SqlValue::Integer(next));
        self.statement.execute(params_from_iter(values.iter()))?;
        Ok(())
    }
}

fn text(value: impl Into<String>) -> SqlValue {
    SqlValue::Text(value.into())
}

fn int(value: i64) -> SqlValue {
    SqlValue::Integer(value)
}

/// Cents as exact decimal text, e.g. `12345` → `123.45`.
fn money(cents: i64) -> SqlValue {
    let decimal = rust_decimal::Decimal::new(cents, 2).normalize();
    SqlValue::Text(decimal.to_string())
}

fn entity(set: &str) -> rusqlite::Result<&'static EntityDef> {
    entity_by_set(set).ok_or_else(|| rusqlite::Error::InvalidParameterName(set.to_owned()))
}

fn date(day: i64) -> SqlValue {
    let base = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    text(
        (base + chrono::Duration::days(day))
            .format("%Y-%m-%d")
            .to_string(),
    )
}

fn datetime(minutes: i64) -> SqlValue {
    let base = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    text(
        (base + chrono::Duration::minutes(minutes))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    )
}

fn guid(rng: &mut StdRng) -> SqlValue {
    let bytes: [u8; 16] = rng.random();
    text(
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string(),
    )
}

fn company_name(rng: &mut StdRng) -> String {
    format!(
        "{} {}",
        NAME_FIRST[rng.random_range(0..NAME_FIRST.len())],
        NAME_SECOND[rng.random_range(0..NAME_SECOND.len())]
    )
}

/// Number of companies rows are spread over.
fn company_count() -> u64 {
    COMPANIES.len() as u64
}

/// The account number of the `n`-th (0-based) customer of company `c`.
pub fn customer_account(company_index: usize, n: u64) -> String {
    format!("{}{:03}", COMPANIES[company_index].4, n + 1)
}

/// Seeds the database with `rows` customers and proportional other data, in one transaction.
pub fn seed(conn: &mut Connection, rows: u64) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let version = Cell::new(0i64);
    let mut rng = StdRng::seed_from_u64(0x00F0_0D5E_ED01);
    seed_legal_entities(&tx, &version)?;
    seed_groups_and_warehouses(&tx, &version)?;
    let prices = seed_products(&tx, &version, &mut rng, (rows / 2).max(20))?;
    seed_customers(&tx, &version, &mut rng, rows)?;
    seed_vendors(&tx, &version, &mut rng, (rows / 2).max(4))?;
    seed_sales_orders(&tx, &version, &mut rng, rows, &prices)?;
    seed_exchange_rates(&tx, &version, &mut rng)?;
    record_seed_meta(&tx, version.get(), rows)?;
    tx.commit()
}

/// One legal entity per company.
fn seed_legal_entities(conn: &Connection, version: &Cell<i64>) -> rusqlite::Result<()> {
    let mut legal = Inserter::new(conn, entity("LegalEntities")?, version)?;
    for (i, (id, name, country, currency, _, cities)) in COMPANIES.iter().enumerate() {
        legal.insert(vec![
            text(*id),
            text(*name),
            text(*country),
            text(cities[0]),
            text(*currency),
            int(5_637_144_576 + i as i64),
        ])?;
    }
    Ok(())
}

/// The customer groups and the four warehouses of every company, company by company.
fn seed_groups_and_warehouses(conn: &Connection, version: &Cell<i64>) -> rusqlite::Result<()> {
    let mut groups = Inserter::new(conn, entity("CustomerGroups")?, version)?;
    let mut warehouses = Inserter::new(conn, entity("Warehouses")?, version)?;
    for (id, ..) in COMPANIES {
        insert_customer_groups(&mut groups, id)?;
        insert_warehouses(&mut warehouses, id)?;
    }
    Ok(())
}

/// The customer groups of company `id`.
fn insert_customer_groups(groups: &mut Inserter<'_>, id: &str) -> rusqlite::Result<()> {
    for (group, description) in GROUPS {
        groups.insert(vec![
            text(id),
            text(*group),
            text(*description),
            text("Net30"),
            int(0),
        ])?;
    }
    Ok(())
}

/// The four warehouses of company `id` (the first two are the default ones).
fn insert_warehouses(warehouses: &mut Inserter<'_>, id: &str) -> rusqlite::Result<()> {
    for (w, (wid, name, site, ty)) in [
        ("11", "Main warehouse", "1", 0),
        ("12", "Secondary warehouse", "1", 0),
        ("13", "Quarantine", "1", 1),
        ("21", "Transit warehouse", "2", 2),
    ]
    .iter()
    .enumerate()
    {
        warehouses.insert(vec![
            text(id),
            text(*wid),
            text(*name),
            text(*site),
            int(*ty),
            int(i64::from(w < 2)),
        ])?;
    }
    Ok(())
}

/// `total` released products spread over the companies; returns their prices in cents,
/// indexed like the products.
fn seed_products(
    conn: &Connection,
    version: &Cell<i64>,
    rng: &mut StdRng,
    total: u64,
) -> rusqlite::Result<Vec<i64>> {
    let companies = company_count();
    let mut prices: Vec<i64> = Vec::with_capacity(total as usize);
    let mut products = Inserter::new(conn, entity("ReleasedProductsV2")?, version)?;
    for p in 0..total {
        let c = (p % companies) as usize;
        let n = p / companies;
        let name = format!(
            "{} {}",
            PRODUCT_ADJ[rng.random_range(0..PRODUCT_ADJ.len())],
            PRODUCT_NOUN[rng.random_range(0..PRODUCT_NOUN.len())]
        );
        let price = rng.random_range(500..250_000);
        prices.push(price);
        let service = rng.random_range(0..10) == 0;
        products.insert(vec![
            text(COMPANIES[c].0),
            text(format!("D{:04}", n + 1)),
            text(name.clone()),
            text(search_name(&name)),
            int(if service { 2 } else { 1 }),
            text(if service { "SERVICE" } else { "STD" }),
            text("ea"),
            money(price),
            money(price * 6 / 10),
            money(rng.random_range(10..5_000)),
            int(0),
        ])?;
    }
    Ok(prices)
}

/// A product's search name: its name without spaces, at most 20 characters.
fn search_name(name: &str) -> String {
    name.chars()
        .filter(|ch| !ch.is_whitespace())
        .take(20)
        .collect()
}

/// `rows` customers spread over the companies.
fn seed_customers(
    conn: &Connection,
    version: &Cell<i64>,
    rng: &mut StdRng,
    rows: u64,
) -> rusqlite::Result<()> {
    let companies = company_count();
    let mut customers = Inserter::new(conn, entity("CustomersV3")?, version)?;
    for i in 0..rows {
        let c = (i % companies) as usize;
        let n = i / companies;
        let (id, _, country, currency, _, cities) = COMPANIES[c];
        let hold = match rng.random_range(0..20) {
            0 => 1,
            1 => 2,
            _ => 0,
        };
        let name = company_name(rng);
        customers.insert(vec![
            text(id),
            text(customer_account(c, n)),
            text(name.clone()),
            text(GROUPS[rng.random_range(0..4)].0),
            text(currency),
            money(rng.random_range(0..400) * 50_000),
            int(i64::from(rng.random_range(0..4) == 0)),
            int(hold),
            text(cities[rng.random_range(0..cities.len())]),
            text(country),
            text(format!(
                "contact{}@{}.example.com",
                n + 1,
                name.to_lowercase().replace([' ', '\''], "")
            )),
            text("Net30"),
            guid(rng),
            datetime(i as i64 * 7),
            datetime(i as i64 * 7),
        ])?;
    }
    Ok(())
}

/// `total` vendors spread over the companies.
fn seed_vendors(
    conn: &Connection,
    version: &Cell<i64>,
    rng: &mut StdRng,
    total: u64,
) -> rusqlite::Result<()> {
    let companies = company_count();
    let mut vendors = Inserter::new(conn, entity("VendorsV2")?, version)?;
    for i in 0..total {
        let c = (i % companies) as usize;
        let (id, _, country, currency, prefix, cities) = COMPANIES[c];
        vendors.insert(vec![
            text(id),
            text(format!("{prefix}V{:03}", i / companies + 1)),
            text(company_name(rng)),
            text(["10", "20", "30"][rng.random_range(0..3)]),
            text(currency),
            int(if rng.random_range(0..25) == 0 { 2 } else { 0 }),
            text(cities[rng.random_range(0..cities.len())]),
            text(country),
        ])?;
    }
    Ok(())
}

/// How many of `total` rows spread round-robin over the companies fall to company `c`.
fn per_company(total: u64, c: u64) -> u64 {
    let companies = company_count();
    total / companies + u64::from(c < total % companies)
}

/// A seeded sales order, as its header and lines need it.
struct SeededOrder {
    /// Position among the seeded orders (0-based).
    index: u64,
    /// Index of its company in `COMPANIES`.
    company: u64,
    /// Its order number.
    number: String,
    /// Its status code.
    status: i64,
    /// Days after 2024-01-01 (it is requested a week later).
    day: i64,
}

/// `rows` sales orders, each for a customer of its company, with one to four lines on
/// that company's products (`prices` are the products' prices).
fn seed_sales_orders(
    conn: &Connection,
    version: &Cell<i64>,
    rng: &mut StdRng,
    rows: u64,
    prices: &[i64],
) -> rusqlite::Result<()> {
    let companies = company_count();
    let mut headers = Inserter::new(conn, entity("SalesOrderHeadersV2")?, version)?;
    let mut lines = Inserter::new(conn, entity("SalesOrderLines")?, version)?;
    for i in 0..rows {
        let c = i % companies;
        let customer_count = per_company(rows, c);
        if customer_count == 0 {
            continue;
        }
        let account = customer_account(c as usize, rng.random_range(0..customer_count));
        let order = SeededOrder {
            index: i,
            company: c,
            number: format!("{:06}", i + 1),
            status: order_status(rng),
            day: (i % 365) as i64,
        };
        insert_order_header(&mut headers, rng, &order, account)?;
        insert_order_lines(&mut lines, rng, &order, prices)?;
    }
    Ok(())
}

/// A random order status: mostly open (1), else 2, 3 or 4.
fn order_status(rng: &mut StdRng) -> i64 {
    match rng.random_range(0..10) {
        0..=5 => 1,
        6 => 2,
        7 | 8 => 3,
        _ => 4,
    }
}

/// The header of `order`, sold to and invoiced to customer `account`.
fn insert_order_header(
    headers: &mut Inserter<'_>,
    rng: &mut StdRng,
    order: &SeededOrder,
    account: String,
) -> rusqlite::Result<()> {
    let (id, _, _, currency, _, _) = COMPANIES[order.company as usize];
    headers.insert(vec![
        text(id),
        text(order.number.clone()),
        text(account.clone()),
        text(account),
        text(format!("Order {}", order.index + 1)),
        text(currency),
        int(order.status),
        text(format!("PO-{}", rng.random_range(1000..99_999))),
        date(order.day + 7),
        if order.status >= 2 {
            date(order.day + 9)
        } else {
            text("1900-01-01")
        },
        datetime(order.index as i64 * 11),
        datetime(order.index as i64 * 11),
    ])
}

/// One to four lines of `order` on products of its company (`prices` by product).
fn insert_order_lines(
    lines: &mut Inserter<'_>,
    rng: &mut StdRng,
    order: &SeededOrder,
    prices: &[i64],
) -> rusqlite::Result<()> {
    let companies = company_count();
    let c = order.company;
    let id = COMPANIES[c as usize].0;
    let number = &order.number;
    let company_products = per_company(prices.len() as u64, c).max(1);
    for line in 1..=rng.random_range(1..=4i64) {
        let product = c + companies * rng.random_range(0..company_products);
        let price = prices.get(product as usize).copied().unwrap_or(1000);
        let qty = rng.random_range(1..=20i64);
        lines.insert(vec![
            text(id),
            text(number.clone()),
            int(line),
            text(format!("D{:04}", product / companies + 1)),
            text(format!("Line {line} of order {number}")),
            decimal_from_int(qty),
            text("ea"),
            money(price),
            money(price * qty),
            int(order.status),
            date(order.day + 7),
        ])?;
    }
    Ok(())
}

/// Twelve monthly exchange rates in 2024 for every currency pair.
fn seed_exchange_rates(
    conn: &Connection,
    version: &Cell<i64>,
    rng: &mut StdRng,
) -> rusqlite::Result<()> {
    let mut rates = Inserter::new(conn, entity("ExchangeRates")?, version)?;
    for (from, to, base) in RATE_PAIRS {
        for month in 0..12i64 {
            let (start, end) = month_bounds(month);
            let rate = base * 100 + rng.random_range(-300..300);
            rates.insert(vec![
                text("Default"),
                text(*from),
                text(*to),
                text(start.format("%Y-%m-%d").to_string()),
                text(end.format("%Y-%m-%d").to_string()),
                SqlValue::Text(rust_decimal::Decimal::new(rate, 4).normalize().to_string()),
            ])?;
        }
    }
    Ok(())
}

/// The first and the last day of `month` (0-based) of 2024.
fn month_bounds(month: i64) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let start = chrono::NaiveDate::from_ymd_opt(2024, month as u32 + 1, 1).unwrap_or_default();
    let end = start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    (start, end)
}

/// Records the last row version, the sales order number sequence and the seeded size.
fn record_seed_meta(conn: &Connection, version: i64, rows: u64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO _demo_meta (key, value) VALUES ('version', ?1), ('seq:SalesOrderHeadersV2', ?2), ('seeded', ?3)",
        [version.to_string(), rows.to_string(), rows.to_string()],
    )?;
    Ok(())
}

fn decimal_from_int(value: i64) -> SqlValue {
    SqlValue::Text(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::ddl::schema_sql;

    fn seeded(rows: u64) -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&schema_sql()).unwrap();
        seed(&mut conn, rows).unwrap();
        conn
    }

    fn dump(conn: &Connection, table: &str) -> Vec<String> {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1, 2"))
            .unwrap();
        let width = statement.column_count();
        statement
            .query_map([], |row| {
                let values: Vec<String> = (0..width)
                    .map(|i| format!("{:?}", row.get::<_, SqlValue>(i).unwrap()))
                    .collect();
                Ok(values.join("|"))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn seeding_is_deterministic_and_sized_by_rows() {
        let a = seeded(30);
        let b = seeded(30);
        for table in [
            "CustomersV3",
            "SalesOrderLines",
            "ReleasedProductsV2",
            "ExchangeRates",
        ] {
            assert_eq!(dump(&a, table), dump(&b, table), "{table}");
        }
        let count = |table: &str| dump(&a, table).len();
        assert_eq!(count("CustomersV3"), 30);
        assert_eq!(count("SalesOrderHeadersV2"), 30);
        assert_eq!(count("LegalEntities"), COMPANIES.len());
        assert!(count("SalesOrderLines") >= 30);
        let orphan_lines: i64 = a
            .query_row(
                "SELECT COUNT(*) FROM \"SalesOrderLines\" l WHERE NOT EXISTS (SELECT 1 FROM \"ReleasedProductsV2\" p WHERE p.\"dataAreaId\" = l.\"dataAreaId\" AND p.\"ItemNumber\" = l.\"ItemNumber\")",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            orphan_lines, 0,
            "lines reference products of their own company"
        );
    }
}
