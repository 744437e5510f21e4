//! Fixed lists the seed generator draws from: companies, groups, name parts, currency pairs.

/// One demo company: id, name, country, currency, account prefix, cities.
pub type Company = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// The demo companies.
pub const COMPANIES: &[Company] = &[
    (
        "usmf",
        "Contoso Entertainment System USA",
        "USA",
        "USD",
        "US-",
        &[
            "Seattle",
            "Redmond",
            "Chicago",
            "New York",
            "Dallas",
            "San Diego",
        ],
    ),
    (
        "usrt",
        "Contoso Retail USA",
        "USA",
        "USD",
        "RT-",
        &["Boston", "Denver", "Miami", "Portland", "Atlanta"],
    ),
    (
        "demf",
        "Contoso Entertainment System Germany",
        "DEU",
        "EUR",
        "DE-",
        &["Berlin", "München", "Hamburg", "Köln", "Frankfurt"],
    ),
    (
        "gbsi",
        "Contoso Entertainment System UK",
        "GBR",
        "GBP",
        "GB-",
        &["London", "Manchester", "Leeds", "Bristol", "Glasgow"],
    ),
];

/// Customer groups created in every company: id and description.
pub const GROUPS: &[(&str, &str)] = &[
    ("10", "Wholesales customers"),
    ("20", "Major customers"),
    ("30", "Retail customers"),
    ("40", "Internet customers"),
    ("80", "Other customers"),
    ("90", "Intercompany customers"),
];

/// First halves of generated organisation names.
pub const NAME_FIRST: &[&str] = &[
    "Adventure",
    "Alpine Ski",
    "Blue Yonder",
    "Coho",
    "Fabrikam",
    "Litware",
    "Northwind",
    "Proseware",
    "Tailspin",
    "Wingtip",
    "Woodgrove",
    "Trey",
    "Lucerne",
    "Margie's",
    "Fourth Coffee",
    "Humongous",
    "Contoso",
    "Graphic Design",
    "Southridge",
    "Wide World",
];
/// Second halves of generated organisation names.
pub const NAME_SECOND: &[&str] = &[
    "Works",
    "Traders",
    "Supplies",
    "Retail",
    "Outfitters",
    "Electronics",
    "Foods",
    "Systems",
    "Importers",
    "Sound",
    "Studios",
    "Partners",
];
/// Adjectives of generated product names.
pub const PRODUCT_ADJ: &[&str] = &[
    "Standard", "Premium", "Compact", "Wireless", "Portable", "High-end", "Basic", "Pro",
];
/// Nouns of generated product names.
pub const PRODUCT_NOUN: &[&str] = &[
    "Speaker",
    "Receiver",
    "Television",
    "Projector",
    "Headphone",
    "Subwoofer",
    "Cable",
    "Amplifier",
    "Microphone",
    "Turntable",
    "Soundbar",
    "Remote control",
];
/// Exchange-rate currency pairs with a base rate in hundredths.
pub const RATE_PAIRS: &[(&str, &str, i64)] = &[
    ("USD", "EUR", 92),
    ("EUR", "USD", 109),
    ("USD", "GBP", 79),
    ("GBP", "USD", 127),
    ("USD", "CAD", 136),
];
