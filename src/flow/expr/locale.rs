//! The culture data the formatting functions need (a small table of common locales):
//! number separators, currency and percent patterns, day and month names, date patterns.

/// One culture, as .NET formats with it.
pub(crate) struct Locale {
    pub name: &'static str,
    pub decimal: &'static str,
    pub group: &'static str,
    pub currency: &'static str,
    /// `$n` (true) or `n $` (false).
    pub currency_first: bool,
    pub currency_space: bool,
    pub percent_space: bool,
    pub days: [&'static str; 7],
    pub days_abbr: [&'static str; 7],
    pub months: [&'static str; 12],
    pub months_abbr: [&'static str; 12],
    /// Standard date/time patterns: d, D, t, T, M, Y.
    pub short_date: &'static str,
    pub long_date: &'static str,
    pub short_time: &'static str,
    pub long_time: &'static str,
    pub month_day: &'static str,
    pub year_month: &'static str,
    pub am: &'static str,
    pub pm: &'static str,
    pub date_separator: &'static str,
    /// Whether a numeric date reads day first (13/03/2018) rather than month first.
    pub day_first: bool,
}

const EN_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const EN_DAYS_ABBR: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EN_MONTHS_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(crate) const INVARIANT: Locale = Locale {
    name: "",
    decimal: ".",
    group: ",",
    currency: "¤",
    currency_first: true,
    currency_space: false,
    percent_space: true,
    days: EN_DAYS,
    days_abbr: EN_DAYS_ABBR,
    months: EN_MONTHS,
    months_abbr: EN_MONTHS_ABBR,
    short_date: "MM/dd/yyyy",
    long_date: "dddd, dd MMMM yyyy",
    short_time: "HH:mm",
    long_time: "HH:mm:ss",
    month_day: "MMMM dd",
    year_month: "yyyy MMMM",
    am: "AM",
    pm: "PM",
    date_separator: "/",
    day_first: false,
};

pub(crate) const EN_US: Locale = Locale {
    name: "en-US",
    currency: "$",
    percent_space: false,
    short_date: "M/d/yyyy",
    long_date: "dddd, MMMM d, yyyy",
    short_time: "h:mm tt",
    long_time: "h:mm:ss tt",
    month_day: "MMMM d",
    year_month: "MMMM yyyy",
    ..INVARIANT
};

const LOCALES: &[Locale] = &[
    EN_US,
    Locale {
        name: "en-GB",
        currency: "£",
        percent_space: false,
        short_date: "dd/MM/yyyy",
        long_date: "dd MMMM yyyy",
        month_day: "d MMMM",
        year_month: "MMMM yyyy",
        am: "am",
        pm: "pm",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "fr-FR",
        decimal: ",",
        group: "\u{202f}",
        currency: "€",
        currency_first: false,
        currency_space: true,
        days: [
            "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        ],
        days_abbr: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        months: [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        months_abbr: [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ],
        short_date: "dd/MM/yyyy",
        long_date: "dddd d MMMM yyyy",
        month_day: "d MMMM",
        year_month: "MMMM yyyy",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "de-DE",
        decimal: ",",
        group: ".",
        currency: "€",
        currency_first: false,
        currency_space: true,
        days: [
            "Sonntag",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
        ],
        days_abbr: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        months: [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        months_abbr: [
            "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
        ],
        short_date: "dd.MM.yyyy",
        long_date: "dddd, d. MMMM yyyy",
        month_day: "d. MMMM",
        year_month: "MMMM yyyy",
        date_separator: ".",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "es-ES",
        decimal: ",",
        group: ".",
        currency: "€",
        currency_first: false,
        currency_space: true,
        days: [
            "domingo",
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
        ],
        days_abbr: ["dom.", "lun.", "mar.", "mié.", "jue.", "vie.", "sáb."],
        months: [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        months_abbr: [
            "ene.", "feb.", "mar.", "abr.", "may.", "jun.", "jul.", "ago.", "sept.", "oct.",
            "nov.", "dic.",
        ],
        short_date: "dd/MM/yyyy",
        long_date: "dddd, d 'de' MMMM 'de' yyyy",
        short_time: "H:mm",
        long_time: "H:mm:ss",
        month_day: "d 'de' MMMM",
        year_month: "MMMM 'de' yyyy",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "it-IT",
        decimal: ",",
        group: ".",
        currency: "€",
        currency_first: false,
        currency_space: true,
        percent_space: false,
        days: [
            "domenica",
            "lunedì",
            "martedì",
            "mercoledì",
            "giovedì",
            "venerdì",
            "sabato",
        ],
        days_abbr: ["dom", "lun", "mar", "mer", "gio", "ven", "sab"],
        months: [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
        months_abbr: [
            "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
        ],
        short_date: "dd/MM/yyyy",
        long_date: "dddd d MMMM yyyy",
        month_day: "d MMMM",
        year_month: "MMMM yyyy",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "nl-NL",
        decimal: ",",
        group: ".",
        currency: "€",
        currency_first: true,
        currency_space: true,
        percent_space: false,
        days: [
            "zondag",
            "maandag",
            "dinsdag",
            "woensdag",
            "donderdag",
            "vrijdag",
            "zaterdag",
        ],
        days_abbr: ["zo", "ma", "di", "wo", "do", "vr", "za"],
        months: [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        months_abbr: [
            "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
        ],
        short_date: "d-M-yyyy",
        long_date: "dddd d MMMM yyyy",
        month_day: "d MMMM",
        year_month: "MMMM yyyy",
        date_separator: "-",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "pt-BR",
        decimal: ",",
        group: ".",
        currency: "R$",
        currency_first: true,
        currency_space: true,
        percent_space: false,
        days: [
            "domingo",
            "segunda-feira",
            "terça-feira",
            "quarta-feira",
            "quinta-feira",
            "sexta-feira",
            "sábado",
        ],
        days_abbr: ["dom", "seg", "ter", "qua", "qui", "sex", "sáb"],
        months: [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ],
        months_abbr: [
            "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez",
        ],
        short_date: "dd/MM/yyyy",
        long_date: "dddd, d 'de' MMMM 'de' yyyy",
        month_day: "d 'de' MMMM",
        year_month: "MMMM 'de' yyyy",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "is-IS",
        decimal: ",",
        group: ".",
        currency: "kr",
        currency_first: false,
        currency_space: true,
        percent_space: false,
        days: [
            "sunnudagur",
            "mánudagur",
            "þriðjudagur",
            "miðvikudagur",
            "fimmtudagur",
            "föstudagur",
            "laugardagur",
        ],
        days_abbr: ["sun.", "mán.", "þri.", "mið.", "fim.", "fös.", "lau."],
        months: [
            "janúar",
            "febrúar",
            "mars",
            "apríl",
            "maí",
            "júní",
            "júlí",
            "ágúst",
            "september",
            "október",
            "nóvember",
            "desember",
        ],
        months_abbr: [
            "jan.", "feb.", "mar.", "apr.", "maí", "jún.", "júl.", "ágú.", "sep.", "okt.", "nóv.",
            "des.",
        ],
        short_date: "d.M.yyyy",
        long_date: "dddd, d. MMMM yyyy",
        month_day: "d. MMMM",
        year_month: "MMMM yyyy",
        date_separator: ".",
        day_first: true,
        ..INVARIANT
    },
    Locale {
        name: "sv-SE",
        decimal: ",",
        group: "\u{a0}",
        currency: "kr",
        currency_first: false,
        currency_space: true,
        days: [
            "söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag",
        ],
        days_abbr: ["sön", "mån", "tis", "ons", "tors", "fre", "lör"],
        months: [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        months_abbr: [
            "jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
            "dec.",
        ],
        short_date: "yyyy-MM-dd",
        long_date: "dddd d MMMM yyyy",
        month_day: "d MMMM",
        year_month: "MMMM yyyy",
        date_separator: "-",
        day_first: true,
        ..INVARIANT
    },
];

/// The locale for an RFC 4646 code (`en-US`, `fr-fr`, `de`): `None` = en-US (WDL's
/// default); an unknown code is an error naming the supported ones.
pub(crate) fn find(code: Option<&str>) -> Result<&'static Locale, String> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(&LOCALES[0]);
    };
    let code = code.replace('_', "-");
    if let Some(found) = LOCALES.iter().find(|l| l.name.eq_ignore_ascii_case(&code)) {
        return Ok(found);
    }
    let language = code.split('-').next().unwrap_or("");
    if let Some(found) = LOCALES.iter().find(|l| {
        l.name
            .split('-')
            .next()
            .is_some_and(|lang| lang.eq_ignore_ascii_case(language))
    }) {
        return Ok(found);
    }
    let known: Vec<&str> = LOCALES.iter().map(|l| l.name).collect();
    Err(format!(
        "the locale '{code}' is not supported (supported: {})",
        known.join(", ")
    ))
}
